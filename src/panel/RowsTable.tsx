/**
 * A card's rows, newest first. Each row is headed by its time (the entity's timestamp column, "3 s ago"
 * or the date and time) and a button that opens every column of it; the chosen columns follow, numbers
 * right-aligned. Rows that just arrived are marked (a flash, or a still mark under reduced motion). With
 * auto-scroll the table stays at the newest row; without, the browser keeps what one reads in place.
 */
import { css, cx, keyframes } from "@emotion/css";
import { Fragment, memo, useLayoutEffect, useMemo, useRef, useState } from "react";
import { dateTimeFormat, type GrafanaTheme2 } from "@grafana/data";
import { IconButton, useStyles2 } from "@grafana/ui";
import { TEST_IDS } from "../constants.ts";
import { TIME_FORMAT } from "./cells.ts";
import { ago, useClock } from "./clock.ts";
import { useFreshRows } from "./fresh.ts";
import { ROW_HEIGHT } from "./layout.ts";
import type { EntityView, ViewRow } from "./model.ts";
import { RowDetails } from "./RowDetails.tsx";
import type { TimeDisplay } from "./types.ts";

export interface RowsTableProps {
  view: EntityView;
  rows: ViewRow[];
  columns: string[];
  maxHeight: number;
  timeDisplay: TimeDisplay;
  timeZone: string;
  highlightNew: boolean;
  autoScroll: boolean;
}

function RelativeTime({ time }: { time: number }) {
  const text = useClock((now) => ago(now - time));
  return <>{text}</>;
}

const TimeText = memo(function TimeText({ time, display, timeZone, column }: { time: number | null; display: TimeDisplay; timeZone: string; column: string }) {
  if (time === null) return null;
  const absolute = dateTimeFormat(time, { timeZone, format: TIME_FORMAT });
  return (
    <time dateTime={new Date(time).toISOString()} title={`${column}: ${absolute}`}>
      {display === "relative" ? <RelativeTime time={time} /> : absolute}
    </time>
  );
});

export function RowsTable({ view, rows, columns, maxHeight, timeDisplay, timeZone, highlightNew, autoScroll }: RowsTableProps) {
  const styles = useStyles2(getStyles);
  const [open, setOpen] = useState<Set<string>>(new Set());
  const scroller = useRef<HTMLDivElement>(null);
  const ids = useMemo(() => rows.map((r) => r.id), [rows]);
  const fresh = useFreshRows(ids, highlightNew);
  const newest = rows[0]?.id;
  useLayoutEffect(() => {
    if (autoScroll && scroller.current) scroller.current.scrollTop = 0;
  }, [newest, autoScroll]);
  const numeric = new Set(view.columns.filter((c) => c.numeric).map((c) => c.name));
  const toggle = (id: string) =>
    setOpen((prev) => {
      const next = new Set(prev);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  return (
    <div ref={scroller} className={cx(styles.scroll, !autoScroll && styles.anchored)} style={{ maxHeight }}>
      <table className={styles.table} aria-label={`Latest rows of ${view.name}, newest first`}>
        <thead>
          <tr>
            {/* The row headers' column (time and the expand button): its cells name each row. */}
            <td className={styles.corner} />
            {columns.map((c) => (
              <th key={c} scope="col" className={numeric.has(c) ? styles.number : undefined}>
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => {
            const expanded = open.has(r.id);
            const detailsId = `nomnom-details-${view.name}-${r.id}`.replace(/[^A-Za-z0-9_-]/g, "_");
            return (
              <Fragment key={r.id}>
                <tr data-testid={TEST_IDS.panel.row} data-fresh={fresh.has(r.id) ? "true" : undefined} className={fresh.has(r.id) ? styles.fresh : undefined}>
                  <th scope="row" className={styles.rowHead}>
                    <IconButton
                      name={expanded ? "angle-down" : "angle-right"}
                      size="sm"
                      aria-expanded={expanded}
                      aria-controls={expanded ? detailsId : undefined}
                      aria-label={`${expanded ? "Hide" : "Show"} every column of ${view.name} ${view.key ?? "row"} ${view.key ? view.text(r, view.key) : r.id}`}
                      data-testid={TEST_IDS.panel.expand}
                      onClick={() => toggle(r.id)}
                    />
                    <TimeText time={view.time(r)} display={timeDisplay} timeZone={timeZone} column={view.timestamp ?? ""} />
                  </th>
                  {columns.map((c) => (
                    <td key={c} className={numeric.has(c) ? styles.number : undefined}>
                      {view.text(r, c)}
                    </td>
                  ))}
                </tr>
                {expanded && (
                  <tr id={detailsId} data-testid={TEST_IDS.panel.rowDetails}>
                    <td colSpan={columns.length + 1}>
                      <RowDetails view={view} row={r} />
                    </td>
                  </tr>
                )}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  ...freshStyles(theme),
  scroll: css({ overflow: "auto", overflowAnchor: "none" }),
  anchored: css({ overflowAnchor: "auto" }),
  table: css({
    width: "100%",
    borderCollapse: "collapse",
    fontSize: theme.typography.bodySmall.fontSize,
    fontVariantNumeric: "tabular-nums",
    "th, td": { height: ROW_HEIGHT, padding: theme.spacing(0.25, 1), textAlign: "left", whiteSpace: "nowrap", borderBottom: `1px solid ${theme.colors.border.weak}` },
    "thead th, thead td": { position: "sticky", top: 0, zIndex: 1, background: theme.colors.background.secondary, color: theme.colors.text.secondary, fontWeight: theme.typography.fontWeightMedium },
    "tbody tr:hover": { background: theme.colors.action.hover },
  }),
  corner: css({ width: 1 }),
  rowHead: css({
    width: 1,
    fontWeight: theme.typography.fontWeightRegular,
    color: theme.colors.text.secondary,
    "& > *": { verticalAlign: "middle" },
    button: { marginRight: theme.spacing(0.5) },
  }),
  number: css({ "&&": { textAlign: "right" } }),
});

/** A new row: a mark at its left edge, and a fading background unless reduced motion is asked for. */
function freshStyles(theme: GrafanaTheme2) {
  const flash = keyframes({ from: { background: theme.colors.primary.transparent }, to: { background: "transparent" } });
  return {
    fresh: css({
      // On the row header: table rows draw no shadow of their own.
      "& > th": { boxShadow: `inset 3px 0 0 ${theme.colors.primary.main}` },
      "@media (prefers-reduced-motion: no-preference)": { animation: `${flash} 2.5s ease-out` },
    }),
  };
}
