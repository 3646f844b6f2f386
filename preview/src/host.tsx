/**
 * The live preview page: stands in for Grafana. It loads the built plugin modules from dist/ the way
 * Grafana does (AMD, with the real @grafana/* packages as their externals), sets up the runtime services
 * the datasource uses (BackendSrv, TemplateSrv), creates the datasource with this backend as its URL, and
 * shows the Entity stream panel fed by one Live rows query per watched entity — its frames passed through
 * Grafana's applyFieldOverrides with the panel's field config, as a dashboard does.
 *
 * The page's address can set what a dashboard would: `?theme=light|dark`, `?options={…}` (panel options,
 * JSON) and `?fieldConfig={…}` (standard field options and overrides, JSON).
 */
import "./boot.ts";
import { css } from "@emotion/css";
import {
  applyFieldOverrides,
  createTheme,
  dateTime,
  EventBusSrv,
  ThemeContext,
  type FieldConfigSource,
  type AppPlugin,
  type DataSourceApi,
  type DataSourceInstanceSettings,
  type DataSourcePlugin,
  type PanelData,
  type PanelPlugin,
  type TimeRange,
  LoadingState,
} from "@grafana/data";
import { setBackendSrv, setTemplateSrv } from "@grafana/runtime";
import { GlobalStyles } from "@grafana/ui";
import { useEffect, useMemo, useState } from "react";
import { createRoot } from "react-dom/client";
import { TEST_IDS } from "../../src/constants.ts";
import { DEFAULT_OPTIONS, type PanelOptions } from "../../src/panel/types.ts";
import { installDefine, load, provided } from "./amd.ts";
import { PreviewBackendSrv } from "./backend-srv.ts";
import { PLUGIN_BASE } from "./paths.ts";
import { runPanelQuery } from "./run-request.ts";
import { installStandardOptions } from "./standard-options.ts";
import { previewTemplateSrv } from "./template-srv.ts";
import { registerGrafanaModules } from "./vendor.ts";

interface EntityLike {
  name: string;
}
interface NomnomDs extends DataSourceApi {
  getEntities(): Promise<EntityLike[]>;
}

type Mode = "dark" | "light";

function initialMode(): Mode {
  const p = new URLSearchParams(location.search).get("theme");
  if (p === "light" || p === "dark") return p;
  return window.matchMedia?.("(prefers-color-scheme: light)").matches ? "light" : "dark";
}

/** A JSON object from the page's address, or `fallback` when absent or not an object. */
function fromAddress<T extends object>(name: string, fallback: T): T {
  const raw = new URLSearchParams(location.search).get(name);
  if (!raw) return fallback;
  try {
    const parsed = JSON.parse(raw) as unknown;
    return typeof parsed === "object" && parsed !== null ? { ...fallback, ...parsed } : fallback;
  } catch {
    return fallback;
  }
}

function lastMinutes(n: number): TimeRange {
  const to = dateTime();
  const from = dateTime(to.valueOf() - n * 60_000);
  return { from, to, raw: { from: `now-${n}m`, to: "now" } };
}

function useWindowSize() {
  const [size, setSize] = useState({ w: window.innerWidth, h: window.innerHeight });
  useEffect(() => {
    const onResize = () => setSize({ w: window.innerWidth, h: window.innerHeight });
    window.addEventListener("resize", onResize);
    return () => window.removeEventListener("resize", onResize);
  }, []);
  return size;
}

function Preview({ panel, ds, entities, version }: { panel: PanelPlugin; ds: NomnomDs; entities: EntityLike[]; version: string }) {
  const [mode, setMode] = useState<Mode>(initialMode);
  const theme = useMemo(() => createTheme({ colors: { mode } }), [mode]);
  const [data, setData] = useState<PanelData>({ state: LoadingState.Loading, series: [], timeRange: lastMinutes(15) });
  const eventBus = useMemo(() => new EventBusSrv(), []);
  const { w, h } = useWindowSize();
  const options = useMemo(() => fromAddress<PanelOptions>("options", DEFAULT_OPTIONS), []);
  const fieldConfig = useMemo(() => fromAddress<FieldConfigSource>("fieldConfig", { defaults: {}, overrides: [] }), []);
  // What Grafana's panel state does with a panel's frames before the panel sees them.
  const shown = useMemo(
    () => ({ ...data, series: applyFieldOverrides({ data: data.series, fieldConfig, fieldConfigRegistry: panel.fieldConfigRegistry, replaceVariables: (s: string) => s, theme, timeZone: "browser" }) }),
    [data, fieldConfig, panel, theme],
  );

  useEffect(() => {
    const targets = entities.map((e, i) => ({ refId: String.fromCharCode(65 + (i % 26)) + (i >= 26 ? String(i) : ""), entity: e.name, queryType: "live" as const }));
    const sub = runPanelQuery(ds, targets, lastMinutes(15)).subscribe(setData);
    return () => sub.unsubscribe();
  }, [ds, entities]);

  useEffect(() => {
    // Inline on <body> (not a global stylesheet), so switching back and forth always takes effect.
    Object.assign(document.body.style, { margin: "0", background: theme.colors.background.canvas, color: theme.colors.text.primary, fontFamily: theme.typography.fontFamily, fontSize: `${theme.typography.body.fontSize}` });
    document.documentElement.dataset.theme = mode;
  }, [theme, mode]);

  const Panel = panel.panel!;
  const headerHeight = 48;
  const styles = {
    header: css({ height: headerHeight, display: "flex", alignItems: "center", gap: 12, padding: "0 16px", borderBottom: `1px solid ${theme.colors.border.weak}`, background: theme.colors.background.primary, overflow: "hidden" }),
    title: css({ fontSize: 16, fontWeight: 500, margin: 0, whiteSpace: "nowrap", overflow: "hidden", textOverflow: "ellipsis" }),
    sub: css({ color: theme.colors.text.secondary, fontSize: 12, minWidth: 0, overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap", "@media (max-width: 900px)": { display: "none" } }),
    toggle: css({ marginLeft: "auto", flex: "0 0 auto", background: "none", border: `1px solid ${theme.colors.border.medium}`, color: theme.colors.text.primary, borderRadius: 4, padding: "4px 10px", cursor: "pointer" }),
    body: css({ padding: 16 }),
  };
  return (
    <ThemeContext.Provider value={theme}>
      {/* Grafana's own global styles (box sizing, typography, scrollbars), as every Grafana page has them. */}
      <GlobalStyles />
      <header className={styles.header}>
        <img src={`${PLUGIN_BASE}/img/logo.svg`} width={28} height={28} alt="" />
        <h1 className={styles.title}>nomnom-live — live preview</h1>
        <span className={styles.sub}>
          the Entity stream panel and the nomnom-live datasource (plugin {version}), loaded from dist/ as Grafana loads them
        </span>
        <button type="button" className={styles.toggle} data-testid={TEST_IDS.preview.theme} onClick={() => setMode(mode === "dark" ? "light" : "dark")}>
          {mode === "dark" ? "Light theme" : "Dark theme"}
        </button>
      </header>
      <main className={styles.body} aria-label="Entity stream panel">
        <Panel
          id={1}
          title="Entity stream"
          data={shown}
          timeRange={data.timeRange}
          timeZone="browser"
          options={options}
          fieldConfig={fieldConfig}
          transparent={false}
          width={w - 32}
          height={h - headerHeight - 32}
          renderCounter={0}
          eventBus={eventBus}
          onOptionsChange={() => {}}
          onFieldConfigChange={() => {}}
          replaceVariables={(s: string) => s}
          onChangeTimeRange={() => {}}
        />
      </main>
    </ThemeContext.Provider>
  );
}

function fail(root: HTMLElement, message: string) {
  root.textContent = `The preview could not start: ${message}`;
  root.setAttribute("data-testid", TEST_IDS.preview.error);
}

async function main() {
  const root = document.getElementById("root")!;
  try {
    setBackendSrv(new PreviewBackendSrv().asBackendSrv());
    setTemplateSrv(previewTemplateSrv());
    registerGrafanaModules();
    installStandardOptions();
    installDefine();
    // All at once (the page's HTML preloads them too): each is a round trip the page would otherwise wait for in turn.
    const [appJson, dsJson, app, dsModule, panelModule] = (await Promise.all([
      fetch(`${PLUGIN_BASE}/plugin.json`).then((r) => r.json()),
      fetch(`${PLUGIN_BASE}/datasource/plugin.json`).then((r) => r.json()),
      load(`${PLUGIN_BASE}/module.js`),
      load(`${PLUGIN_BASE}/datasource/module.js`),
      load(`${PLUGIN_BASE}/panel/module.js`),
    ])) as [{ info: { version: string } }, DataSourceInstanceSettings["meta"], { plugin: AppPlugin }, { plugin: DataSourcePlugin<DataSourceApi> }, { plugin: PanelPlugin }];
    if (!app.plugin || !dsModule.plugin?.DataSourceClass || !panelModule.plugin?.panel) throw new Error("the plugin modules do not export `plugin`");
    const settings = {
      id: 1,
      uid: "nomnom-preview",
      type: dsJson.id,
      name: "nomnom-live (preview)",
      meta: dsJson,
      url: location.origin,
      access: "proxy",
      readOnly: true,
      jsonData: { url: location.origin },
    } as unknown as DataSourceInstanceSettings;
    const ds = new dsModule.plugin.DataSourceClass(settings) as unknown as NomnomDs;
    const entities = await ds.getEntities();
    (window as unknown as { nomnomPreview: unknown }).nomnomPreview = { provided: provided(), entities: entities.map((e) => e.name) };
    createRoot(root).render(<Preview panel={panelModule.plugin} ds={ds} entities={entities} version={appJson.info.version} />);
  } catch (e) {
    fail(root, e instanceof Error ? e.message : String(e));
  }
}

void main();
