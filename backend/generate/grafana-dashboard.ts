/**
 * `dashboards/nomnom-live.yaml` (the provider) and `dashboards/nomnom-live/nomnom-live.json` (the
 * dashboard): a stats row, a live panel per entity, and each entity's insert rate from Prometheus with
 * its alert thresholds drawn in. The configuration's `features:` (seed 001) become the live panels'
 * options — those it names; the panel's defaults are the features' (all on) — and, for `dark_mode`,
 * the dashboard's links to its dark and light theme.
 */
import type { QueryModel } from "../../contract/index.ts";
import { defaultColor, defaultIcon } from "../config/appearance.ts";
import type { Config, EntityConfig } from "../config/schema.ts";
import type { GenerateContext } from "./context.ts";
import type { GeneratedFile } from "./index.ts";
import { NAME, PLUGIN, UID, perMinuteRate } from "./names.ts";
import { durationSeconds, formatSeconds } from "./options.ts";
import { GENERATED_BY, toJson, toYaml, yamlHeader } from "./render.ts";

const DASHBOARD_DIR = "dashboards/nomnom-live";
const NOMNOM = { type: PLUGIN.datasource, uid: UID.datasource };
const PROMETHEUS = { type: "prometheus", uid: UID.prometheus };

/** A panel target of the nomnom-live datasource: the contract's query model, as the plugin reads it. */
function nomnomTarget(query: Omit<QueryModel, "refId">): QueryModel & { datasource: typeof NOMNOM } {
  return { refId: "A", datasource: NOMNOM, ...query };
}

type Panel = Record<string, unknown> & { id: number; gridPos: { h: number; w: number; x: number; y: number } };

interface Layout {
  panels: Panel[];
  /** The insert-rate panel of each entity, which its alert rules link to. */
  ratePanelId: Map<string, number>;
}

function look(e: EntityConfig) {
  return { color: e.color ?? defaultColor(e.name), icon: e.icon ?? defaultIcon(e.name) };
}

/** A panel title: an emoji icon before the name; one of Grafana's icon names (the default) is drawn by the panel, not spelled in titles. */
function titled(e: EntityConfig, suffix = ""): string {
  const { icon } = look(e);
  return `${/^[a-z0-9-]+$/.test(icon) ? "" : `${icon} `}${e.name}${suffix}`;
}

type Features = NonNullable<Config["features"]>;

/** The Entity stream panel's options that the configuration's features name (option name ← feature). */
const FEATURE_OPTIONS: Array<[option: string, feature: keyof Features]> = [
  ["autoScroll", "auto_scroll"],
  ["exportCsv", "export_csv"],
  ["showFilters", "filters"],
];

/** Grafana shows any page in the theme its `theme` parameter names: the dashboard's theme switch. */
function themeLinks(features: Features): Array<Record<string, unknown>> {
  if (features.dark_mode === false) return [];
  return (["dark", "light"] as const).map((theme) => ({
    title: `${theme === "dark" ? "Dark" : "Light"} theme`,
    type: "link",
    url: `?theme=${theme}`,
    icon: "bolt",
    tooltip: `This dashboard in Grafana's ${theme} theme`,
    targetBlank: false,
    keepTime: true,
    includeVars: true,
    asDropdown: false,
    tags: [],
  }));
}

/** Panels laid out left to right, wrapping at Grafana's 24 columns. */
function grid(count: number, width: number, height: number, top: number): { pos: (i: number) => Panel["gridPos"]; bottom: number } {
  const perLine = Math.max(1, Math.floor(24 / width));
  return {
    pos: (i) => ({ h: height, w: width, x: (i % perLine) * width, y: top + Math.floor(i / perLine) * height }),
    bottom: top + Math.ceil(count / perLine) * height,
  };
}

function row(id: number, title: string, y: number): Panel {
  return { id, type: "row", title, collapsed: false, panels: [], gridPos: { h: 1, w: 24, x: 0, y } };
}

function statsPanel(id: number, e: EntityConfig, gridPos: Panel["gridPos"]): Panel {
  const { color } = look(e);
  return {
    id,
    type: "stat",
    title: titled(e),
    datasource: NOMNOM,
    targets: [nomnomTarget({ queryType: "stats", entity: e.name })],
    gridPos,
    // The stats frame's numeric fields (total, inserts in the last 1 and 5 minutes, rate per second), with the
    // datasource's own names and units; no field filter, as Grafana matches filters against display names.
    fieldConfig: { defaults: { color: { mode: "fixed", fixedColor: color }, unit: "short" }, overrides: [] },
    options: {
      reduceOptions: { calcs: ["lastNotNull"], fields: "", values: false },
      textMode: "value_and_name",
      colorMode: "value",
      graphMode: "none",
      justifyMode: "auto",
      orientation: "horizontal",
      wideLayout: true,
      showPercentChange: false,
    },
  };
}

function livePanel(id: number, e: EntityConfig, features: Features, gridPos: Panel["gridPos"]): Panel {
  const named = Object.fromEntries(FEATURE_OPTIONS.filter(([, f]) => features[f] !== undefined).map(([option, f]) => [option, features[f]]));
  return {
    id,
    type: PLUGIN.panel,
    title: titled(e),
    datasource: NOMNOM,
    targets: [nomnomTarget({ queryType: "live", entity: e.name })],
    gridPos,
    options: { entities: [e.name], showStats: features.statistics !== false, maxRecords: e.max_records, ...named },
  };
}

function ratePanel(id: number, e: EntityConfig, window: string, gridPos: Panel["gridPos"]): Panel {
  const { color } = look(e);
  const min = e.alerts?.min_per_minute;
  const max = e.alerts?.max_per_minute;
  const steps: { color: string; value: number | null }[] = [{ color: min !== undefined && min > 0 ? "red" : "green", value: null }];
  if (min !== undefined && min > 0) steps.push({ color: "green", value: min });
  if (max !== undefined) steps.push({ color: "red", value: max });
  const limits = [min !== undefined && min > 0 ? `below ${min}` : "", max !== undefined ? `above ${max}` : ""].filter(Boolean).join(" or ");
  return {
    id,
    type: "timeseries",
    title: titled(e, " inserts per minute"),
    description: limits ? `Alerts fire when the rate stays ${limits} rows a minute (dashed lines).` : "No alert thresholds are configured for this entity.",
    datasource: PROMETHEUS,
    targets: [{ refId: "A", datasource: PROMETHEUS, expr: perMinuteRate(e.name, window), legendFormat: "{{instance}}", range: true, editorMode: "code" }],
    gridPos,
    fieldConfig: {
      defaults: {
        unit: "suffix: rows/min",
        min: 0,
        color: { mode: "fixed", fixedColor: color },
        thresholds: { mode: "absolute", steps },
        custom: { drawStyle: "line", lineWidth: 2, fillOpacity: 10, showPoints: "never", spanNulls: false, thresholdsStyle: { mode: steps.length > 1 ? "dashed" : "off" } },
      },
      overrides: [],
    },
    options: { legend: { displayMode: "list", placement: "bottom", showLegend: true }, tooltip: { mode: "multi", sort: "none" } },
  };
}

export function dashboardLayout(ctx: GenerateContext): Layout {
  const { entities, options } = ctx;
  // The graph's window: a minute, or four scrapes when scrapes are rarer, so rate() always has samples.
  const window = formatSeconds(Math.max(60, 4 * durationSeconds(options.scrapeInterval)!));
  const panels: Panel[] = [];
  const ratePanelId = new Map<string, number>();
  let id = 0;
  let y = 0;

  panels.push(row(++id, "Statistics", y++));
  const stats = grid(entities.length, Math.max(4, Math.floor(24 / entities.length)), 5, y);
  entities.forEach((e, i) => panels.push(statsPanel(++id, e, stats.pos(i))));
  y = stats.bottom;

  panels.push(row(++id, "Live rows", y++));
  const live = grid(entities.length, entities.length === 1 ? 24 : 12, 14, y);
  entities.forEach((e, i) => panels.push(livePanel(++id, e, ctx.config.features ?? {}, live.pos(i))));
  y = live.bottom;

  panels.push(row(++id, "Insert rate (Prometheus)", y++));
  const rates = grid(entities.length, entities.length === 1 ? 24 : 12, 8, y);
  entities.forEach((e, i) => {
    panels.push(ratePanel(++id, e, window, rates.pos(i)));
    ratePanelId.set(e.name, id);
  });
  return { panels, ratePanelId };
}

export function grafanaDashboard(ctx: GenerateContext): GeneratedFile[] {
  const provider = {
    apiVersion: 1,
    providers: [
      {
        name: NAME.dashboard,
        orgId: 1,
        folder: NAME.dashboardFolder,
        folderUid: UID.dashboardFolder,
        type: "file",
        disableDeletion: false,
        allowUiUpdates: false,
        updateIntervalSeconds: 30,
        options: { path: `${ctx.options.grafanaProvisioningDir}/${DASHBOARD_DIR}`, foldersFromFilesStructure: false },
      },
    ],
  };
  const dashboard = {
    uid: UID.dashboard,
    title: NAME.dashboard,
    description: `Generated by \`${GENERATED_BY}\` from ${ctx.source}; change the configuration and generate again rather than editing here.`,
    tags: ["nomnom-live"],
    editable: false,
    graphTooltip: 1,
    // Live panels stream on their own; the refresh moves the Prometheus graphs.
    refresh: "30s",
    time: { from: "now-30m", to: "now" },
    timepicker: {},
    timezone: "browser",
    schemaVersion: 41,
    version: 1,
    links: themeLinks(ctx.config.features ?? {}),
    templating: { list: [] },
    annotations: {
      list: [
        {
          builtIn: 1,
          datasource: { type: "grafana", uid: "-- Grafana --" },
          enable: true,
          hide: true,
          iconColor: "rgba(0, 211, 255, 1)",
          name: "Annotations & Alerts",
          type: "dashboard",
        },
      ],
    },
    panels: dashboardLayout(ctx).panels,
  };
  return [
    { path: "dashboards/nomnom-live.yaml", content: toYaml(provider, yamlHeader(ctx.source, ["Grafana loads the dashboard JSON files of options.path (inside the Grafana server)."])) },
    { path: `${DASHBOARD_DIR}/nomnom-live.json`, content: toJson(dashboard) },
  ];
}
