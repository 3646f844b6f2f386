/** Where the preview page finds things; the backend (backend/http/preview.ts) serves these paths. */
export { PLUGIN_PUBLIC_BASE as PLUGIN_BASE } from "../../contract/index.ts";
export const PREVIEW_BASE = "/preview";
export const PREVIEW_BUNDLE = "preview.js";
