/**
 * The Entity stream panel: connection status, search, entity filter, pause/resume, and one card per
 * entity. Pausing freezes what is shown while the datasource keeps receiving; resuming shows the latest
 * rows again (nothing is lost: the datasource holds every row up to the cap).
 */
import { css } from "@emotion/css";
import { useMemo, useState } from "react";
import type { GrafanaTheme2, PanelProps } from "@grafana/data";
import { Button, Input, useStyles2, useTheme2 } from "@grafana/ui";
import { TEST_IDS } from "../constants.ts";
import { arrivedSincePause, connectionOf, entityViews, shownRows, type EntityView } from "./model.ts";
import { EntityCard } from "./EntityCard.tsx";
import { StatusIndicator } from "./StatusIndicator.tsx";
import type { PanelOptions } from "./types.ts";

const CARD_MIN_WIDTH = 420;

export function EntityPanel({ data, options, width, height, timeZone }: PanelProps<PanelOptions>) {
  const styles = useStyles2(getStyles);
  const theme = useTheme2();
  const [search, setSearch] = useState("");
  const [hidden, setHidden] = useState<Set<string>>(new Set());
  const [frozen, setFrozen] = useState<EntityView[] | null>(null);

  const live = useMemo(() => {
    const views = entityViews(data.series, timeZone);
    const wanted = options.entities ?? [];
    return wanted.length > 0 ? views.filter((v) => wanted.includes(v.name)) : views;
  }, [data.series, options.entities, timeZone]);
  const connection = connectionOf(data);
  const views = frozen ?? live;
  const pendingWhilePaused = frozen ? arrivedSincePause(frozen, live) : 0;
  const visible = views.filter((v) => !hidden.has(v.name));
  const cap = options.maxRecords && options.maxRecords > 0 ? options.maxRecords : undefined;
  // Cards share the panel's height: as many rows of cards as the grid needs, each table scrolling inside.
  const columns = Math.max(1, Math.floor((width + 8) / (CARD_MIN_WIDTH + 8)));
  const cardRows = Math.max(1, Math.ceil(visible.length / columns));
  const tableHeight = Math.max(120, Math.floor((height - 110) / cardRows) - 60);

  const toggle = (name: string) =>
    setHidden((prev) => {
      const next = new Set(prev);
      if (next.has(name)) next.delete(name);
      else next.add(name);
      return next;
    });

  return (
    <div className={styles.panel} style={{ width, height }} data-testid={TEST_IDS.panel.root} data-paused={frozen ? "true" : "false"}>
      <div className={styles.toolbar}>
        <StatusIndicator state={connection} />
        <div className={styles.search}>
          <Input
          width={30}
          value={search}
          placeholder="Search rows…"
          aria-label="Search rows"
          data-testid={TEST_IDS.panel.search}
          prefix={<span aria-hidden>⌕</span>}
          onChange={(e) => setSearch(e.currentTarget.value)}
          />
        </div>
        <div className={styles.chips} role="group" aria-label="Entities shown">
          {views.map((v) => (
            <button
              key={v.name}
              type="button"
              className={styles.chip}
              aria-pressed={!hidden.has(v.name)}
              data-testid={TEST_IDS.panel.toggle(v.name)}
              style={hidden.has(v.name) ? undefined : { borderColor: v.color ?? theme.colors.primary.main }}
              onClick={() => toggle(v.name)}
            >
              {v.icon} {v.name}
            </button>
          ))}
        </div>
        <Button
          size="sm"
          variant={frozen ? "primary" : "secondary"}
          icon={frozen ? "play" : "pause"}
          data-testid={TEST_IDS.panel.pause}
          onClick={() => setFrozen(frozen ? null : live)}
        >
          {frozen ? `Resume${pendingWhilePaused > 0 ? ` (${pendingWhilePaused} new)` : ""}` : "Pause"}
        </Button>
      </div>
      {connection && connection.status !== "connected" && connection.status !== "connecting" && (
        <div className={connection.status === "error" ? styles.bannerError : styles.bannerWarning} role="alert" data-testid={TEST_IDS.panel.banner}>
          {connection.status === "error" ? "Disconnected from nomnom-live: " : "Connection lost, reconnecting: "}
          {connection.message ?? "no details"}
        </div>
      )}
      {frozen && (
        <div className={styles.bannerInfo} data-testid={TEST_IDS.panel.pausedBanner}>
          Paused — {pendingWhilePaused} new {pendingWhilePaused === 1 ? "row" : "rows"} arrived since. Resume to see them.
        </div>
      )}
      {views.length === 0 ? (
        <div className={styles.empty} data-testid={TEST_IDS.panel.empty}>
          {data.series.length === 0
            ? "No data yet. Add a query of the nomnom-live datasource (Live rows) — one per entity, or one with no entity for all of them."
            : "None of the queries returns entity rows. Use the Live rows or History query type."}
        </div>
      ) : (
        <div className={styles.cards}>
          {visible.map((v, i) => (
            <EntityCard
              key={v.name}
              view={v}
              rows={shownRows(v, search, cap)}
              showStats={options.showStats !== false}
              searching={search !== ""}
              tableHeight={tableHeight}
              fallbackColor={theme.visualization.getColorByName(theme.visualization.palette[i % theme.visualization.palette.length]!)}
            />
          ))}
          {visible.length === 0 && <div className={styles.empty}>Every entity is hidden: pick one above.</div>}
        </div>
      )}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => {
  const banner = { padding: theme.spacing(0.5, 1), borderRadius: theme.shape.radius.default, fontSize: theme.typography.bodySmall.fontSize };
  return {
    panel: css({ display: "flex", flexDirection: "column", gap: theme.spacing(1), overflow: "auto", color: theme.colors.text.primary }),
    toolbar: css({ display: "flex", alignItems: "center", gap: theme.spacing(1), flexWrap: "wrap" }),
    search: css({ flex: "0 0 auto" }),
    chips: css({ display: "flex", gap: theme.spacing(0.5), flexWrap: "wrap", flex: 1 }),
    chip: css({
      border: `1px solid ${theme.colors.border.medium}`,
      background: theme.colors.background.secondary,
      color: theme.colors.text.primary,
      borderRadius: theme.shape.radius.pill,
      padding: theme.spacing(0.25, 1),
      fontSize: theme.typography.bodySmall.fontSize,
      cursor: "pointer",
      '&[aria-pressed="false"]': { opacity: 0.5, textDecoration: "line-through" },
    }),
    bannerWarning: css({ ...banner, background: theme.colors.warning.transparent, color: theme.colors.warning.text }),
    bannerError: css({ ...banner, background: theme.colors.error.transparent, color: theme.colors.error.text }),
    bannerInfo: css({ ...banner, background: theme.colors.info.transparent, color: theme.colors.info.text }),
    empty: css({ padding: theme.spacing(2), color: theme.colors.text.secondary }),
    cards: css({ display: "grid", gridTemplateColumns: `repeat(auto-fit, minmax(${CARD_MIN_WIDTH}px, 1fr))`, gap: theme.spacing(1), alignItems: "start" }),
  };
};
