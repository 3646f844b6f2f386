/** `plugins/nomnom-live.yaml`: enables the nomnom-live app (its nested datasource and panel come with it). */
import type { GenerateContext } from "./context.ts";
import type { GeneratedFile } from "./index.ts";
import { PLUGIN } from "./names.ts";
import { toYaml, yamlHeader } from "./render.ts";

export function grafanaPlugins(ctx: GenerateContext): GeneratedFile[] {
  const apps = { apiVersion: 1, apps: [{ type: PLUGIN.app, org_id: 1, disabled: false }] };
  return [{ path: "plugins/nomnom-live.yaml", content: toYaml(apps, yamlHeader(ctx.source)) }];
}
