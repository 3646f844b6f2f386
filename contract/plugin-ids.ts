/**
 * The plugin ids, read from the manifests Grafana reads (never retyped): the app, its nested
 * datasource and panel. The generator writes them into provisioning, the plugin and the preview use them.
 */
import app from "../plugin.json" with { type: "json" };
import datasource from "../src/datasource/plugin.json" with { type: "json" };
import panel from "../src/panel/plugin.json" with { type: "json" };

export const PLUGIN_ID = {
  app: app.id,
  datasource: datasource.id,
  panel: panel.id,
} as const;

/** As in Grafana: a plugin's files are served under this path, nested plugins in sub-folders. */
export const PLUGIN_PUBLIC_BASE = `/public/plugins/${app.id}`;
