/**
 * The address the page resolves relative URLs against: `document.baseURI`, which in Grafana honours its
 * `<base href>` (the app's sub-path). Plugin code does not read the window's location object (Grafana's plugin
 * validator warns on it: navigation belongs to Grafana's locationService, which has no origin to give).
 */
export function pageUrl(): string {
  return typeof document !== "undefined" && document.baseURI ? document.baseURI : "http://localhost/";
}

/** The page's origin (e.g. for the backend's server.cors_origins), or null outside a browser. */
export function pageOrigin(): string | null {
  return typeof document !== "undefined" && document.baseURI ? new URL(document.baseURI).origin : null;
}
