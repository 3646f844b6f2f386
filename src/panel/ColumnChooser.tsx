/**
 * Which columns a card's table shows: every column of the entity's frames with a checkbox, the
 * configuration's display fields checked at first. Inline under the card's header rather than in a
 * popover, so it fits a phone's width and the keyboard reaches it in reading order.
 */
import { css } from "@emotion/css";
import type { GrafanaTheme2 } from "@grafana/data";
import { Button, Checkbox, useStyles2 } from "@grafana/ui";
import { TEST_IDS } from "../constants.ts";
import type { EntityView } from "./model.ts";

export interface ColumnChooserProps {
  view: EntityView;
  id: string;
  shown: string[];
  onChange: (columns: string[]) => void;
}

export function ColumnChooser({ view, id, shown, onChange }: ColumnChooserProps) {
  const styles = useStyles2(getStyles);
  const all = view.columns.map((c) => c.name);
  const toggle = (name: string) => {
    const next = shown.includes(name) ? shown.filter((c) => c !== name) : all.filter((c) => c === name || shown.includes(c));
    if (next.length > 0) onChange(next);
  };
  return (
    <fieldset className={styles.chooser} id={id} data-testid={TEST_IDS.panel.columnChooser(view.name)}>
      <legend className={styles.legend}>Columns of {view.name}</legend>
      <div className={styles.list}>
        {all.map((name) => (
          <Checkbox key={name} label={name} value={shown.includes(name)} disabled={shown.length === 1 && shown.includes(name)} onChange={() => toggle(name)} />
        ))}
      </div>
      <div className={styles.actions}>
        <Button size="sm" variant="secondary" fill="text" onClick={() => onChange(all)}>
          All
        </Button>
        <Button size="sm" variant="secondary" fill="text" onClick={() => onChange(view.display)}>
          Configured
        </Button>
      </div>
    </fieldset>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  chooser: css({ margin: 0, padding: theme.spacing(1), border: 0, borderBottom: `1px solid ${theme.colors.border.weak}`, background: theme.colors.background.secondary }),
  legend: css({ fontSize: theme.typography.bodySmall.fontSize, color: theme.colors.text.secondary, padding: 0, marginBottom: theme.spacing(0.5), float: "left", width: "100%" }),
  list: css({ display: "flex", flexWrap: "wrap", gap: theme.spacing(0.5, 2), clear: "both" }),
  actions: css({ display: "flex", gap: theme.spacing(1), marginTop: theme.spacing(0.5) }),
});
