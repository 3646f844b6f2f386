/** Where the preview page finds things; the backend (backend/http/preview.ts) serves these paths. */
export { PLUGIN_PUBLIC_BASE as PLUGIN_BASE } from "../../contract/index.ts";
export const PREVIEW_BASE = "/preview";
/** The page's webpack entry; its hashed files are listed under this name in the build's manifest. */
export const PREVIEW_ENTRY = "preview";
export const PREVIEW_MANIFEST = "manifest.json";
