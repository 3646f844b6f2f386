/**
 * `datasources/nomnom-live.yaml`: the nomnom-live datasource and the Prometheus it alerts from, both
 * with fixed uids, which the dashboard and the alert rules reference.
 */
import type { GenerateContext } from "./context.ts";
import type { GeneratedFile } from "./index.ts";
import { NAME, PLUGIN, UID } from "./names.ts";
import { toYaml, yamlHeader } from "./render.ts";

/** Grafana expands `$NAME` in provisioning files from its own environment; the token never lands in a file. */
export const TOKEN_ENV = "NOMNOM_LIVE_TOKEN";

export function grafanaDatasources(ctx: GenerateContext): GeneratedFile[] {
  const { options, config } = ctx;
  const secured = config.server.auth_tokens.length > 0;
  const nomnom = {
    name: NAME.datasource,
    type: PLUGIN.datasource,
    uid: UID.datasource,
    access: "proxy",
    editable: false,
    jsonData: { url: options.backendUrl, browserUrl: options.browserUrl },
    ...(secured ? { secureJsonData: { token: `$${TOKEN_ENV}` } } : {}),
  };
  const prometheus = {
    name: NAME.prometheus,
    type: "prometheus",
    uid: UID.prometheus,
    access: "proxy",
    url: options.prometheusUrl,
    editable: false,
    jsonData: { httpMethod: "POST", timeInterval: options.scrapeInterval },
  };
  const header = yamlHeader(ctx.source, [
    "The nomnom-live datasource: Grafana's server reaches the backend at jsonData.url (REST through the plugin's",
    "data-proxy route); browsers open the WebSocket at jsonData.browserUrl.",
    ...(secured ? [`server.auth_tokens is set: start Grafana with ${TOKEN_ENV}=<one of the tokens>.`] : []),
  ]);
  return [{ path: "datasources/nomnom-live.yaml", content: toYaml({ apiVersion: 1, datasources: [nomnom, prometheus] }, header) }];
}
