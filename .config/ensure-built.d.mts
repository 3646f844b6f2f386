/** Builds the plugin (dist/) and the preview page (preview/dist/) unless both are there. */
export function ensureBuilt(): void;
