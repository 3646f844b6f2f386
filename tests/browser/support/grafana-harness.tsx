/**
 * The compatibility harness: a page built, like the preview host, against one Grafana version's packages
 * (preview/webpack.config.ts `--env grafana=<line>`), that loads the built dist/ modules the way Grafana
 * does (AMD, that version's registry) and shows what Grafana's own pages would: the app's root page, the
 * datasource's config editor with a "Save & test" that does what Grafana's does (keep the secrets as
 * configured flags, test the saved settings), and the query editor. tests/browser/grafana-compat.test.ts
 * drives it through `window.harness`.
 */
import "../../../preview/src/boot.ts";
import {
  availableIconsIndex,
  createTheme,
  dateTime,
  ThemeContext,
  type AppPlugin,
  type DataFrame,
  type DataQueryRequest,
  type DataSourceApi,
  type DataSourceInstanceSettings,
  type DataSourcePlugin,
  type DataSourcePluginMeta,
  type DataSourceSettings,
} from "@grafana/data";
import { setBackendSrv, setTemplateSrv } from "@grafana/runtime";
import { GlobalStyles } from "@grafana/ui";
import { useState, type ComponentType } from "react";
import { createRoot } from "react-dom/client";
import { installDefine, load, provided } from "../../../preview/src/amd.ts";
import { PreviewBackendSrv } from "../../../preview/src/backend-srv.ts";
import { PLUGIN_BASE } from "../../../preview/src/paths.ts";
import { previewTemplateSrv } from "../../../preview/src/template-srv.ts";
import { GRAFANA_VERSION, registerGrafanaModules, sharedModules } from "../../../preview/src/vendor.ts";

type Query = { refId: string; queryType?: string; entity?: string; fields?: string[]; limit?: number };
type Settings = DataSourceSettings<Record<string, unknown>, Record<string, string>>;

/** A frame as the test compares it. */
export interface FrameSummary {
  refId?: string;
  kind?: string;
  entity?: string;
  fields: Array<{ name: string; type: string }>;
  length: number;
  /** Each field's first values. */
  values: Record<string, unknown[]>;
}

export interface Harness {
  version: string;
  provided: string[];
  /** The names each shared @grafana package exports. */
  exports: Record<string, string[]>;
  /** The icon names this version's @grafana/data knows (availableIconsIndex), whose SVGs Grafana serves. */
  iconNames: string[];
  /** Each query the query editor reported through onChange, in order. */
  queries: Query[];
  runs: number;
  saved?: Settings;
  health?: { status: string; message: string };
  /** Runs `query` through the datasource for `ms` and returns the frames of its last response. */
  collect(query: Query, ms: number): Promise<FrameSummary[]>;
}

const harness: Harness = { version: GRAFANA_VERSION, provided: [], exports: {}, iconNames: Object.keys(availableIconsIndex), queries: [], runs: 0, collect: () => Promise.reject(new Error("not loaded")) };
(window as unknown as { harness: Harness }).harness = harness;

function summary(frame: DataFrame): FrameSummary {
  const custom = frame.meta?.custom as { nomnom?: { kind?: string; entity?: { name?: string } } } | undefined;
  return {
    refId: frame.refId,
    kind: custom?.nomnom?.kind,
    entity: custom?.nomnom?.entity?.name,
    fields: frame.fields.map((f) => ({ name: f.name, type: String(f.type) })),
    length: frame.length ?? frame.fields[0]?.values.length ?? 0,
    values: Object.fromEntries(frame.fields.map((f) => [f.name, Array.from(f.values as ArrayLike<unknown>).slice(0, 50)])),
  };
}

function instanceSettings(meta: DataSourcePluginMeta, jsonData: Record<string, unknown>): DataSourceInstanceSettings {
  // The datasource's url is Grafana's proxy in Grafana; here, as in the preview, the backend itself.
  return { id: 1, uid: "nomnom-harness", type: meta.id, name: "nomnom-live", meta, url: location.origin, access: "proxy", readOnly: false, jsonData } as unknown as DataSourceInstanceSettings;
}

function request(query: Query): DataQueryRequest {
  const to = dateTime();
  const from = dateTime(to.valueOf() - 60 * 60_000);
  return { requestId: `harness-${Date.now()}`, interval: "1s", intervalMs: 1000, range: { from, to, raw: { from: "now-1h", to: "now" } }, scopedVars: {}, targets: [query], timezone: "browser", app: "dashboard", startTime: Date.now() };
}

interface Editors {
  App: ComponentType<Record<string, unknown>>;
  Config: ComponentType<{ options: Settings; onOptionsChange: (o: Settings) => void }>;
  Query: ComponentType<{ query: Query; datasource: DataSourceApi; onChange: (q: Query) => void; onRunQuery: () => void }>;
  meta: DataSourcePluginMeta;
  appMeta: Record<string, unknown>;
  datasource: DataSourceApi;
  create: (jsonData: Record<string, unknown>) => DataSourceApi;
}

function Page({ editors }: { editors: Editors }) {
  const [options, setOptions] = useState<Settings>({ id: 1, uid: "nomnom-harness", name: "nomnom-live", type: editors.meta.id, jsonData: {}, secureJsonFields: {}, access: "proxy" } as unknown as Settings);
  const [query, setQuery] = useState<Query>({ refId: "A", queryType: "live" });
  const { App, Config, Query: QueryEditor } = editors;

  const save = async () => {
    // As Grafana's server does on save: secrets are stored, and come back only as "configured" flags.
    const secrets = Object.entries(options.secureJsonData ?? {}).filter(([, v]) => v !== "");
    const saved = { ...options, secureJsonFields: { ...options.secureJsonFields, ...Object.fromEntries(secrets.map(([k]) => [k, true])) }, secureJsonData: undefined } as Settings;
    harness.saved = saved;
    setOptions(saved);
    const result = (await editors.create(saved.jsonData).testDatasource()) as { status?: string; message?: string };
    harness.health = { status: String(result.status), message: String(result.message) };
  };

  return (
    <>
      <section data-testid="harness-app">
        <App meta={editors.appMeta} basename="/a/nomnom-live-app" path="/a/nomnom-live-app" query={{}} onNavChanged={() => {}} />
      </section>
      <section data-testid="harness-config">
        <Config options={options} onOptionsChange={setOptions} />
        <button type="button" data-testid="harness-save" onClick={() => void save()}>
          Save &amp; test
        </button>
      </section>
      <section data-testid="harness-query">
        <QueryEditor
          query={query}
          datasource={editors.datasource}
          onChange={(q) => {
            harness.queries.push(q);
            setQuery(q);
          }}
          onRunQuery={() => harness.runs++}
        />
      </section>
    </>
  );
}

async function main() {
  const root = document.getElementById("root")!;
  try {
    setBackendSrv(new PreviewBackendSrv().asBackendSrv());
    setTemplateSrv(previewTemplateSrv());
    registerGrafanaModules();
    installDefine();
    harness.provided = provided();
    harness.exports = Object.fromEntries(Object.entries(sharedModules(GRAFANA_VERSION)).filter(([name]) => name.startsWith("@grafana/")).map(([name, m]) => [name, Object.keys(m as object)]));
    const meta = (await (await fetch(`${PLUGIN_BASE}/datasource/plugin.json`)).json()) as DataSourcePluginMeta;
    const appMeta = (await (await fetch(`${PLUGIN_BASE}/plugin.json`)).json()) as Record<string, unknown>;
    const [app, ds] = (await Promise.all([load(`${PLUGIN_BASE}/module.js`), load(`${PLUGIN_BASE}/datasource/module.js`)])) as [{ plugin: AppPlugin }, { plugin: DataSourcePlugin<DataSourceApi> }];
    const components = ds.plugin.components as { ConfigEditor?: unknown; QueryEditor?: unknown };
    if (!app.plugin.root || !components.ConfigEditor || !components.QueryEditor) throw new Error("the plugin modules lack the app page or the editors");
    const create = (jsonData: Record<string, unknown>) => new ds.plugin.DataSourceClass(instanceSettings(meta, jsonData));
    const datasource = create({ url: location.origin });
    harness.collect = (query, ms) =>
      new Promise((resolve, reject) => {
        let last: FrameSummary[] = [];
        const sub = datasource.query(request(query)) as unknown as { subscribe: (o: object) => { unsubscribe(): void } };
        const s = sub.subscribe({ next: (r: { data: DataFrame[] }) => (last = r.data.map(summary)), error: (e: unknown) => reject(e instanceof Error ? e : new Error(JSON.stringify(e))) });
        setTimeout(() => {
          s.unsubscribe();
          resolve(last);
        }, ms);
      });
    const editors: Editors = { App: app.plugin.root as unknown as Editors["App"], Config: components.ConfigEditor as Editors["Config"], Query: components.QueryEditor as Editors["Query"], meta, appMeta, datasource, create };
    createRoot(root).render(
      <ThemeContext.Provider value={createTheme({ colors: { mode: "dark" } })}>
        <GlobalStyles />
        <Page editors={editors} />
      </ThemeContext.Provider>,
    );
    root.setAttribute("data-testid", "harness-ready");
  } catch (e) {
    root.textContent = `The harness could not start: ${e instanceof Error ? e.message : String(e)}`;
    root.setAttribute("data-testid", "harness-error");
  }
}

void main();
