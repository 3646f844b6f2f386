/**
 * What Grafana's index page sets before its scripts run: @grafana/runtime reads `window.grafanaBootData`
 * when it is first imported, so this module is imported before anything else.
 */
const w = window as unknown as { grafanaBootData?: unknown };
w.grafanaBootData ??= {
  assets: { dark: "", light: "" },
  settings: { buildInfo: { version: "13.1.1", env: "production" }, featureToggles: {}, datasources: {}, panels: {}, apps: {} },
  user: { theme: "dark", timezone: "browser", locale: navigator.language, language: "en-US" },
  navTree: [],
};
// @grafana/ui fetches its icons from `<public path>build/img/icons/`; the backend serves them there.
(window as unknown as { __grafana_public_path__?: string }).__grafana_public_path__ ??= "/public/";
export {};
