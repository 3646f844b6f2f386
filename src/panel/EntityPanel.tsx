/**
 * The Entity stream panel: the toolbar (status, search, entity toggles, pause), what is wrong (the
 * connection, the database), and one card per entity in a stable order, busy entities given more room.
 * Pausing freezes what is shown while the datasource keeps receiving; resuming shows the latest rows
 * again (nothing is lost: the datasource holds every row up to the cap).
 */
import { css } from "@emotion/css";
import { useMemo, useState } from "react";
import type { GrafanaTheme2, PanelProps } from "@grafana/data";
import { useStyles2, useTheme2 } from "@grafana/ui";
import { TEST_IDS } from "../constants.ts";
import { Banners } from "./Banners.tsx";
import { EntityCard } from "./EntityCard.tsx";
import { cardLayouts, GAP, gridColumns } from "./layout.ts";
import { arrivedSincePause, connectionOf, databaseOf, entityViews, shownRows, type EntityView } from "./model.ts";
import { orderViews } from "./order.ts";
import { PanelToolbar } from "./PanelToolbar.tsx";
import { withDefaults, type PanelOptions } from "./types.ts";

export function EntityPanel({ data, options: raw, width, height, timeZone }: PanelProps<PanelOptions>) {
  const styles = useStyles2(getStyles);
  const theme = useTheme2();
  const options = withDefaults(raw);
  const [search, setSearch] = useState("");
  const [hidden, setHidden] = useState<Set<string>>(new Set());
  const [frozen, setFrozen] = useState<EntityView[] | null>(null);
  const [chosen, setChosen] = useState<Map<string, string[]>>(new Map());

  const live = useMemo(() => {
    const views = orderViews(entityViews(data.series, timeZone, theme), options.order);
    const wanted = options.entities;
    return wanted.length > 0 ? views.filter((v) => wanted.includes(v.name)) : views;
  }, [data.series, options.entities, options.order, timeZone, theme]);
  const connection = connectionOf(data);
  const database = databaseOf(data);
  const views = frozen ?? live;
  const pendingWhilePaused = frozen ? arrivedSincePause(frozen, live) : 0;
  const visible = views.filter((v) => !hidden.has(v.name));
  const searchText = options.showFilters ? search : "";

  // Colours stay with their entity whatever is hidden: from the configuration, else the palette by position.
  const colors = new Map(
    views.map((v, i) => [v.name, v.color ?? theme.visualization.getColorByName(theme.visualization.palette[i % theme.visualization.palette.length]!)]),
  );
  const columns = gridColumns(width, visible.length);
  const layouts = cardLayouts(visible, columns, height);

  const toggle = (name: string) =>
    setHidden((prev) => {
      const next = new Set(prev);
      if (next.has(name)) next.delete(name);
      else next.add(name);
      return next;
    });
  const columnsOf = (v: EntityView) => {
    const present = new Set(v.columns.map((c) => c.name));
    const picked = (chosen.get(v.name) ?? []).filter((c) => present.has(c));
    return picked.length > 0 ? picked : v.display;
  };

  return (
    <div className={styles.panel} style={{ width, height }} data-testid={TEST_IDS.panel.root} data-paused={frozen ? "true" : "false"}>
      <PanelToolbar
        connection={connection}
        views={views}
        colors={colors}
        hidden={hidden}
        onToggle={toggle}
        search={search}
        onSearch={setSearch}
        showFilters={options.showFilters}
        paused={frozen !== null}
        pending={pendingWhilePaused}
        onPause={() => setFrozen(frozen ? null : live)}
      />
      <Banners connection={connection} database={database} paused={frozen !== null} pending={pendingWhilePaused} />
      {views.length === 0 ? (
        <div className={styles.empty} data-testid={TEST_IDS.panel.empty}>
          {data.series.length === 0
            ? "No data yet. Add a query of the nomnom-live datasource (Live rows) — one per entity, or one with no entity for all of them."
            : "None of the queries returns entity rows. Use the Live rows or History query type."}
        </div>
      ) : (
        <div className={styles.cards} style={{ gridTemplateColumns: `repeat(${columns}, minmax(0, 1fr))` }}>
          {visible.map((v) => {
            const layout = layouts.get(v.name)!;
            const shown = columnsOf(v);
            return (
              <div key={v.name} className={styles.cell} style={{ gridColumn: `span ${layout.span}` }} data-busy={layout.busy ? "true" : "false"}>
                <EntityCard
                  view={v}
                  rows={shownRows(v, shown, searchText, options.maxRecords)}
                  columns={shown}
                  onColumnsChange={(next) => setChosen((prev) => new Map(prev).set(v.name, next))}
                  options={options}
                  searching={searchText !== ""}
                  color={colors.get(v.name)!}
                  timeZone={timeZone}
                  tableMaxHeight={layout.tableMaxHeight}
                />
              </div>
            );
          })}
          {visible.length === 0 && <div className={styles.empty}>Every entity is hidden: pick one above.</div>}
        </div>
      )}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  panel: css({ display: "flex", flexDirection: "column", gap: theme.spacing(1), overflow: "auto", color: theme.colors.text.primary }),
  empty: css({ padding: theme.spacing(2), color: theme.colors.text.secondary }),
  cards: css({ display: "grid", gap: GAP, alignItems: "start", gridAutoFlow: "row dense" }),
  cell: css({ minWidth: 0, display: "flex", flexDirection: "column" }),
});
