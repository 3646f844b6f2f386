/** One entity: its colour and icon, total and rate, and a table of the latest rows (newest first). */
import { css } from "@emotion/css";
import type { GrafanaTheme2 } from "@grafana/data";
import { IconButton, useStyles2 } from "@grafana/ui";
import { TEST_IDS } from "../constants.ts";
import { csvFileName, downloadCsv, toCsv } from "./csv.ts";
import type { EntityView } from "./model.ts";

export interface EntityCardProps {
  view: EntityView;
  rows: Array<Record<string, string>>;
  showStats: boolean;
  searching: boolean;
  fallbackColor: string;
  /** Height of the rows' scroll area. */
  tableHeight?: number;
}

const number = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });

export function EntityCard({ view, rows, showStats, searching, fallbackColor, tableHeight = 320 }: EntityCardProps) {
  const styles = useStyles2(getStyles);
  const color = view.color ?? fallbackColor;
  const stats = view.stats;
  return (
    <section className={styles.card} style={{ borderLeftColor: color }} data-testid={TEST_IDS.panel.card(view.name)} aria-label={`${view.name} rows`}>
      <header className={styles.header}>
        <span className={styles.icon} style={{ background: color }} aria-hidden>
          {view.icon}
        </span>
        <h3 className={styles.title}>{view.name}</h3>
        {showStats && stats && (
          <span className={styles.stats} data-testid={TEST_IDS.panel.stats(view.name)}>
            <span title={stats.total_estimated ? "estimated from the table statistics, then counted live" : undefined}>
              {stats.total_estimated ? "≈" : ""}
              {number.format(stats.total)} rows
            </span>
            <span>{number.format(stats.rate_per_second)}/s</span>
            <span title="inserts in the last minute">{number.format(stats.inserts_last_minute)}/min</span>
          </span>
        )}
        <span className={styles.count}>
          {rows.length} shown{searching ? " (filtered)" : ""}
        </span>
        <IconButton
          name="download-alt"
          tooltip={`Export the ${rows.length} rows shown as CSV`}
          aria-label={`Export ${view.name} as CSV`}
          data-testid={TEST_IDS.panel.exportCsv(view.name)}
          onClick={() => downloadCsv(csvFileName(view.name), toCsv(view.columns, rows))}
        />
      </header>
      {rows.length === 0 ? (
        <div className={styles.empty}>{searching ? "No row matches the search." : "No rows yet — waiting for inserts."}</div>
      ) : (
        <div className={styles.scroll} style={{ maxHeight: tableHeight }}>
          <table className={styles.table}>
            <thead>
              <tr>
                {view.columns.map((c) => (
                  <th key={c} scope="col">
                    {c}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((r, i) => (
                <tr key={i} data-testid={TEST_IDS.panel.row}>
                  {view.columns.map((c) => (
                    <td key={c}>{r[c]}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  card: css({
    display: "flex",
    flexDirection: "column",
    minHeight: 0,
    background: theme.colors.background.primary,
    border: `1px solid ${theme.colors.border.weak}`,
    borderLeft: "4px solid",
    borderRadius: theme.shape.radius.default,
    overflow: "hidden",
  }),
  header: css({ display: "flex", alignItems: "center", gap: theme.spacing(1), padding: theme.spacing(0.75, 1), borderBottom: `1px solid ${theme.colors.border.weak}`, flexWrap: "wrap" }),
  icon: css({ width: 26, height: 26, borderRadius: theme.shape.radius.default, display: "inline-flex", alignItems: "center", justifyContent: "center", fontSize: 15, color: "#fff" }),
  title: css({ margin: 0, fontSize: theme.typography.h5.fontSize, fontWeight: theme.typography.fontWeightMedium }),
  stats: css({ display: "inline-flex", gap: theme.spacing(1.5), color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize, fontVariantNumeric: "tabular-nums" }),
  count: css({ marginLeft: "auto", color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
  empty: css({ padding: theme.spacing(2), color: theme.colors.text.secondary, fontStyle: "italic" }),
  scroll: css({ overflow: "auto" }),
  table: css({
    width: "100%",
    borderCollapse: "collapse",
    fontSize: theme.typography.bodySmall.fontSize,
    fontVariantNumeric: "tabular-nums",
    "th, td": { padding: theme.spacing(0.5, 1), textAlign: "left", whiteSpace: "nowrap", borderBottom: `1px solid ${theme.colors.border.weak}` },
    th: { position: "sticky", top: 0, background: theme.colors.background.secondary, color: theme.colors.text.secondary, fontWeight: theme.typography.fontWeightMedium },
    "tbody tr:hover": { background: theme.colors.action.hover },
  }),
});
