/** Where the preview page finds things; the backend (backend/http/preview.ts) serves these paths. */
export const APP_ID = "nomnom-live-app";
/** As in Grafana: a plugin's files are served under public/plugins/<app id>/, nested plugins in sub-folders. */
export const PLUGIN_BASE = `/public/plugins/${APP_ID}`;
export const PREVIEW_BASE = "/preview";
export const PREVIEW_BUNDLE = "preview.js";
