/**
 * The Entity stream panel rendered as Grafana renders it, for the panel's render tests: in a theme, at a
 * width, with options, its frames passed through Grafana's applyFieldOverrides with a field config (as a
 * dashboard does), and frames built by the datasource's own frame builders with any meta a test needs.
 */
import { render } from "@testing-library/react";
import { applyFieldOverrides, createTheme, EventBusSrv, ThemeContext, type DataFrame, type FieldConfigSource, type PanelData } from "@grafana/data";
import type { EntityInfo, EntityStats } from "../../../contract/index.ts";
import { entityMeta, rowsFrame, selectedFields } from "../../../src/datasource/frames.ts";
import { installStandardOptions } from "../../../preview/src/standard-options.ts";
import { EntityPanel } from "../../../src/panel/EntityPanel.tsx";
import { plugin } from "../../../src/panel/module.tsx";
import type { PanelOptions } from "../../../src/panel/types.ts";
import type { NomnomFrameMeta } from "../../../src/shared/types.ts";
import { CONNECTED, stats } from "./fixtures.ts";

installStandardOptions();

export interface RenderOptions {
  options?: Partial<PanelOptions>;
  fieldConfig?: FieldConfigSource;
  mode?: "dark" | "light";
  width?: number;
  height?: number;
}

export function renderPanel(data: PanelData, { options = {}, fieldConfig = { defaults: {}, overrides: [] }, mode = "dark", width = 1200, height = 800 }: RenderOptions = {}) {
  const theme = createTheme({ colors: { mode } });
  const element = (d: PanelData) => {
    const series = applyFieldOverrides({ data: d.series, fieldConfig, fieldConfigRegistry: plugin.fieldConfigRegistry, replaceVariables: (s: string) => s, theme, timeZone: "utc" });
    return (
      <ThemeContext.Provider value={theme}>
        <EntityPanel
          id={1}
          data={{ ...d, series }}
          timeRange={d.timeRange}
          timeZone="utc"
          options={{ entities: [], showStats: true, ...options }}
          fieldConfig={fieldConfig}
          transparent={false}
          width={width}
          height={height}
          renderCounter={0}
          title="Entity stream"
          eventBus={new EventBusSrv()}
          onOptionsChange={() => {}}
          onFieldConfigChange={() => {}}
          replaceVariables={(s: string) => s}
          onChangeTimeRange={() => {}}
        />
      </ThemeContext.Provider>
    );
  };
  const ui = render(element(data));
  return { ...ui, update: (d: PanelData) => ui.rerender(element(d)) };
}

export interface EntityRowsOptions {
  /** Row data, oldest first; the key column is `id`. */
  rows: Array<Record<string, unknown>>;
  stats?: Partial<EntityStats> | null;
  meta?: Partial<NomnomFrameMeta>;
  position?: number;
  refId?: string;
}

/** A live rows frame of `info` as the datasource makes it, with the meta a test asks for. */
export function entityFrame(info: EntityInfo, { rows, stats: s, meta = {}, position, refId = "A" }: EntityRowsOptions): DataFrame {
  const stored = rows.map((data) => ({ id: data.id as number, data: data as never }));
  const fullStats = s === null ? null : { ...stats(rows.length), ...(s ?? {}) };
  return rowsFrame(info, stored, refId, selectedFields(info), { kind: "live", entity: entityMeta(info, position), stats: fullStats, connection: CONNECTED, received: rows.length, ...meta });
}

/** An entity of the given name on a table of its own: an id, a name, a number and a time. */
export function entity(name: string, extra: Partial<EntityInfo> = {}): EntityInfo {
  return {
    name,
    table: name.toLowerCase(),
    color: "#10b981",
    icon: "table",
    key: "id",
    timestamp: "created_at",
    max_records: 100,
    fields: [
      { name: "id", type: "integer", display: false },
      { name: "label", type: "string", display: true },
      { name: "amount", type: "float", display: true },
      { name: "created_at", type: "datetime", display: false },
    ],
    ...extra,
  };
}

/** Rows of `entity()` with ids from..to, `created_at` ms apart ending at `newest`. */
export function rowsOf(from: number, to: number, newest = Date.now(), apartMs = 1000): Array<Record<string, unknown>> {
  return Array.from({ length: to - from + 1 }, (_, i) => ({
    id: from + i,
    label: `L-${from + i}`,
    amount: (from + i) * 1000.5,
    created_at: new Date(newest - (to - from - i) * apartMs).toISOString(),
  }));
}
