/**
 * The generator: emitters turn one configuration into files (Grafana provisioning, Prometheus
 * configuration, …). Each emitter is a function of the context returning `{path, content}` items;
 * adding an output is adding an emitter to EMITTERS.
 */
import type { GenerateContext } from "./context.ts";
import { grafanaAlerting } from "./grafana-alerting.ts";
import { grafanaDashboard } from "./grafana-dashboard.ts";
import { grafanaDatasources } from "./grafana-datasources.ts";
import { grafanaPlugins } from "./grafana-plugins.ts";
import { prometheusFiles } from "./prometheus.ts";
import { eventsSql } from "./events-sql.ts";
import { wakeSql } from "./wake-sql.ts";

export type { GenerateContext } from "./context.ts";

export interface GeneratedFile {
  /** Relative to the output directory, with `/` separators. */
  path: string;
  content: string;
}

export type Emitter = (ctx: GenerateContext) => GeneratedFile[] | Promise<GeneratedFile[]>;

export const EMITTERS: Emitter[] = [
  grafanaDatasources,
  grafanaPlugins,
  grafanaDashboard,
  grafanaAlerting,
  prometheusFiles,
  eventsSql,
  wakeSql,
];

/** Every emitter's files, sorted by path; two emitters claiming one path, or a path leaving the output directory, is a bug. */
export async function renderAll(ctx: GenerateContext, emitters: Emitter[] = EMITTERS): Promise<GeneratedFile[]> {
  const files = (await Promise.all(emitters.map(async (emit) => emit(ctx)))).flat();
  const seen = new Set<string>();
  for (const f of files) {
    if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*(\/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$/.test(f.path) || f.path.split("/").includes("..")) throw new Error(`an emitter produced an unsafe path: "${f.path}"`);
    if (seen.has(f.path)) throw new Error(`two emitters produced "${f.path}"`);
    seen.add(f.path);
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
