/** An expanded row: every column of it, name and value, or the row as JSON (exact values). */
import { css } from "@emotion/css";
import { useState } from "react";
import type { GrafanaTheme2 } from "@grafana/data";
import { Button, useStyles2 } from "@grafana/ui";
import type { EntityView, ViewRow } from "./model.ts";

export function RowDetails({ view, row }: { view: EntityView; row: ViewRow }) {
  const styles = useStyles2(getStyles);
  const [json, setJson] = useState(false);
  return (
    <div className={styles.details}>
      {json ? (
        <pre className={styles.json} tabIndex={0} aria-label={`${view.name} row as JSON`}>
          {JSON.stringify(view.json(row), null, 2)}
        </pre>
      ) : (
        <dl className={styles.list}>
          {view.columns.map((c) => (
            <div key={c.name} className={styles.item}>
              <dt>{c.name}</dt>
              <dd className={c.numeric ? styles.number : undefined}>{view.text(row, c.name) || "—"}</dd>
            </div>
          ))}
        </dl>
      )}
      <Button size="sm" variant="secondary" fill="text" icon={json ? "list-ul" : "brackets-curly"} onClick={() => setJson(!json)}>
        {json ? "Show as fields" : "Show as JSON"}
      </Button>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  details: css({ padding: theme.spacing(0.5, 1, 1), whiteSpace: "normal" }),
  list: css({ display: "grid", gridTemplateColumns: "repeat(auto-fill, minmax(180px, 1fr))", gap: theme.spacing(0.5, 2), margin: 0 }),
  item: css({ minWidth: 0, dt: { color: theme.colors.text.secondary, fontWeight: theme.typography.fontWeightRegular }, dd: { margin: 0, overflowWrap: "anywhere" } }),
  number: css({ fontVariantNumeric: "tabular-nums" }),
  // A system monospace font: the preview, unlike Grafana, serves no Roboto Mono.
  json: css({ fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace", margin: 0, maxHeight: 240, overflow: "auto", fontSize: theme.typography.bodySmall.fontSize, whiteSpace: "pre-wrap", overflowWrap: "anywhere" }),
});
