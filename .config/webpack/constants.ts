/** Paths of the plugin build, relative to the repository root. */
export const SOURCE_DIR = "src";
export const DIST_DIR = "dist";
/** The app's manifest sits at the root (it nests the datasource and panel manifests under src/). */
export const ROOT_PLUGIN_JSON = "plugin.json";
