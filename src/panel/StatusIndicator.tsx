/** The connection status: a coloured dot and a word (connected / reconnecting / error), the reason on hover. */
import { css } from "@emotion/css";
import type { GrafanaTheme2 } from "@grafana/data";
import { useStyles2 } from "@grafana/ui";
import { TEST_IDS } from "../constants.ts";
import type { ConnectionState } from "../shared/types.ts";

const LABEL: Record<ConnectionState["status"], string> = {
  connecting: "connecting",
  connected: "connected",
  reconnecting: "reconnecting",
  error: "error",
};

export function StatusIndicator({ state }: { state: ConnectionState | null }) {
  const styles = useStyles2(getStyles);
  const status = state?.status ?? "connecting";
  const title = state?.message ?? (status === "connected" ? "Receiving new rows live" : undefined);
  return (
    <span className={styles.wrap} data-testid={TEST_IDS.panel.status} data-status={status} title={title} role="status" aria-live="polite">
      <span className={`${styles.dot} ${styles[status]}`} aria-hidden />
      {LABEL[status]}
      {status === "reconnecting" && state && state.attempt > 0 ? ` (attempt ${state.attempt})` : ""}
    </span>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  wrap: css({ display: "inline-flex", alignItems: "center", gap: theme.spacing(0.75), fontSize: theme.typography.bodySmall.fontSize, color: theme.colors.text.secondary, whiteSpace: "nowrap" }),
  dot: css({ width: 10, height: 10, borderRadius: "50%", display: "inline-block" }),
  connected: css({ background: theme.colors.success.main, boxShadow: `0 0 0 3px ${theme.colors.success.transparent}` }),
  connecting: css({ background: theme.colors.text.disabled }),
  reconnecting: css({ background: theme.colors.warning.main }),
  error: css({ background: theme.colors.error.main }),
});
