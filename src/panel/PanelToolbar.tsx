/**
 * The panel's toolbar: the connection's status, the search, one toggle per entity (its icon and name)
 * and pause/resume. It wraps rather than overflows: at a phone's width the search takes a line of its
 * own and the toggles scroll sideways.
 */
import { css } from "@emotion/css";
import type { GrafanaTheme2 } from "@grafana/data";
import { Button, Icon, Input, useStyles2 } from "@grafana/ui";
import { TEST_IDS } from "../constants.ts";
import type { ConnectionState } from "../shared/types.ts";
import { EntityIcon } from "./EntityIcon.tsx";
import type { EntityView } from "./model.ts";
import { StatusIndicator } from "./StatusIndicator.tsx";

export interface PanelToolbarProps {
  connection: ConnectionState | null;
  views: EntityView[];
  colors: Map<string, string>;
  hidden: Set<string>;
  onToggle: (name: string) => void;
  search: string;
  onSearch: (text: string) => void;
  showFilters: boolean;
  paused: boolean;
  pending: number;
  onPause: () => void;
}

export function PanelToolbar({ connection, views, colors, hidden, onToggle, search, onSearch, showFilters, paused, pending, onPause }: PanelToolbarProps) {
  const styles = useStyles2(getStyles);
  return (
    <div className={styles.toolbar}>
      <StatusIndicator state={connection} />
      {showFilters && (
        <div className={styles.search}>
          <Input
            value={search}
            placeholder="Search rows…"
            aria-label="Search rows"
            data-testid={TEST_IDS.panel.search}
            prefix={<Icon name="search" aria-hidden="true" />}
            onChange={(e) => onSearch(e.currentTarget.value)}
          />
        </div>
      )}
      {showFilters && (
        <div className={styles.chips} role="group" aria-label="Entities shown">
          {views.map((v) => (
            <button
              key={v.name}
              type="button"
              className={styles.chip}
              aria-pressed={!hidden.has(v.name)}
              data-testid={TEST_IDS.panel.toggle(v.name)}
              style={hidden.has(v.name) ? undefined : { borderColor: colors.get(v.name) }}
              onClick={() => onToggle(v.name)}
            >
              <EntityIcon icon={v.icon} size="sm" /> {v.name}
            </button>
          ))}
        </div>
      )}
      <Button size="sm" variant={paused ? "primary" : "secondary"} icon={paused ? "play" : "pause"} data-testid={TEST_IDS.panel.pause} onClick={onPause} className={styles.pause}>
        {paused ? `Resume${pending > 0 ? ` (${pending} new)` : ""}` : "Pause"}
      </Button>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  toolbar: css({ display: "flex", alignItems: "center", gap: theme.spacing(1), flexWrap: "wrap" }),
  search: css({ flex: "1 1 180px", maxWidth: 280, minWidth: 0 }),
  chips: css({
    display: "flex",
    gap: theme.spacing(0.5),
    flex: "1 1 240px",
    minWidth: 0,
    overflowX: "auto",
    // Room for the focus ring of a chip.
    padding: 2,
  }),
  chip: css({
    display: "inline-flex",
    alignItems: "center",
    gap: theme.spacing(0.5),
    flex: "0 0 auto",
    border: `1px solid ${theme.colors.border.medium}`,
    background: theme.colors.background.secondary,
    color: theme.colors.text.primary,
    borderRadius: theme.shape.radius.pill,
    padding: theme.spacing(0.25, 1),
    fontSize: theme.typography.bodySmall.fontSize,
    cursor: "pointer",
    whiteSpace: "nowrap",
    "&:focus-visible": { outline: `2px solid ${theme.colors.primary.main}`, outlineOffset: 1 },
    '&[aria-pressed="false"]': { color: theme.colors.text.secondary, textDecoration: "line-through" },
  }),
  pause: css({ marginLeft: "auto" }),
});
