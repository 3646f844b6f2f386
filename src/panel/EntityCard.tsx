/**
 * One entity: its colour and icon, its statistics and trend, the columns chooser, the CSV downloads
 * and a table of the latest rows (newest first). The header keeps to two lines at any width: name,
 * count and actions; then the statistics, wrapping as they need.
 */
import { css } from "@emotion/css";
import { useState } from "react";
import type { GrafanaTheme2 } from "@grafana/data";
import { IconButton, useStyles2 } from "@grafana/ui";
import { TEST_IDS } from "../constants.ts";
import { CardStats } from "./CardStats.tsx";
import { ColumnChooser } from "./ColumnChooser.tsx";
import { csvFileName, downloadCsv, viewCsv } from "./csv.ts";
import { EntityIcon } from "./EntityIcon.tsx";
import type { EntityView, ViewRow } from "./model.ts";
import { RowsTable } from "./RowsTable.tsx";
import type { ResolvedOptions } from "./types.ts";

export interface EntityCardProps {
  view: EntityView;
  /** The rows to show (searched and capped), and the columns they are searched in. */
  rows: ViewRow[];
  columns: string[];
  onColumnsChange: (columns: string[]) => void;
  options: ResolvedOptions;
  searching: boolean;
  color: string;
  timeZone: string;
  /** Height of the rows' scroll area at most. */
  tableMaxHeight: number;
}

export function EntityCard({ view, rows, columns, onColumnsChange, options, searching, color, timeZone, tableMaxHeight }: EntityCardProps) {
  const styles = useStyles2(getStyles);
  const [choosing, setChoosing] = useState(false);
  const chooserId = `nomnom-columns-${view.name.replace(/[^A-Za-z0-9_-]/g, "_")}`;
  const shown = `${rows.length} shown${searching ? " (filtered)" : ""}`;
  return (
    <section className={styles.card} style={{ borderLeftColor: color }} data-testid={TEST_IDS.panel.card(view.name)} aria-label={`${view.name} rows`}>
      <header className={styles.header}>
        <div className={styles.titleLine}>
          <span className={styles.icon} style={{ background: color }}>
            <EntityIcon icon={view.icon} />
          </span>
          <h3 className={styles.title} title={view.name}>
            {view.name}
          </h3>
          <span className={styles.count}>{shown}</span>
          <span className={styles.actions}>
            <IconButton
              name="columns"
              tooltip={`Choose the columns of ${view.name}`}
              aria-expanded={choosing}
              aria-controls={choosing ? chooserId : undefined}
              data-testid={TEST_IDS.panel.columns(view.name)}
              onClick={() => setChoosing(!choosing)}
            />
            {options.exportCsv && (
              <>
                <IconButton
                  name="download-alt"
                  tooltip={`Export ${view.name} as CSV, the columns shown`}
                  data-testid={TEST_IDS.panel.exportCsv(view.name)}
                  onClick={() => downloadCsv(csvFileName(view.name), viewCsv(view, rows, columns, "shown"))}
                />
                <IconButton
                  name="file-alt"
                  tooltip={`Export ${view.name} as CSV, every column (with the key and the time)`}
                  data-testid={TEST_IDS.panel.exportCsvAll(view.name)}
                  onClick={() => downloadCsv(csvFileName(view.name, new Date(), "-all-columns"), viewCsv(view, rows, columns, "all"))}
                />
              </>
            )}
          </span>
        </div>
        {options.showStats && <CardStats view={view} color={color} quietAfterSeconds={options.quietAfterSeconds} />}
      </header>
      {choosing && <ColumnChooser view={view} id={chooserId} shown={columns} onChange={onColumnsChange} />}
      {rows.length === 0 ? (
        <div className={styles.empty}>{searching ? "No row matches the search." : "No rows yet — waiting for inserts."}</div>
      ) : (
        <RowsTable
          view={view}
          rows={rows}
          columns={columns}
          maxHeight={tableMaxHeight}
          timeDisplay={options.timeDisplay}
          timeZone={timeZone}
          highlightNew={options.highlightNew}
          autoScroll={options.autoScroll}
        />
      )}
    </section>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  card: css({
    display: "flex",
    flexDirection: "column",
    minWidth: 0,
    background: theme.colors.background.primary,
    border: `1px solid ${theme.colors.border.weak}`,
    borderLeft: "4px solid",
    borderRadius: theme.shape.radius.default,
    overflow: "hidden",
  }),
  header: css({ display: "flex", flexDirection: "column", gap: theme.spacing(0.5), padding: theme.spacing(0.75, 1), borderBottom: `1px solid ${theme.colors.border.weak}` }),
  titleLine: css({ display: "flex", alignItems: "center", gap: theme.spacing(1), minWidth: 0 }),
  icon: css({ flex: "0 0 auto", width: 24, height: 24, borderRadius: theme.shape.radius.default, display: "inline-flex", alignItems: "center", justifyContent: "center", fontSize: 14, color: "#fff" }),
  title: css({ margin: 0, minWidth: 0, overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap", fontSize: theme.typography.h5.fontSize, fontWeight: theme.typography.fontWeightMedium }),
  count: css({ marginLeft: "auto", flex: "0 0 auto", color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize, whiteSpace: "nowrap" }),
  actions: css({ flex: "0 0 auto", display: "inline-flex", alignItems: "center", gap: theme.spacing(0.5) }),
  empty: css({ padding: theme.spacing(2), color: theme.colors.text.secondary, fontStyle: "italic" }),
});
