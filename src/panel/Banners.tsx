/**
 * What the panel says above the cards: the connection to the backend failing, the database behind it
 * failing (the backend answers but cannot read: rows come again once the database answers), and a
 * paused panel. Each a live region, so a screen reader hears it once when it appears.
 */
import { css } from "@emotion/css";
import type { GrafanaTheme2 } from "@grafana/data";
import { Icon, useStyles2 } from "@grafana/ui";
import { TEST_IDS } from "../constants.ts";
import type { ConnectionState, DatabaseState } from "../shared/types.ts";

export function Banners({ connection, database, paused, pending }: { connection: ConnectionState | null; database: DatabaseState | null; paused: boolean; pending: number }) {
  const styles = useStyles2(getStyles);
  const disconnected = connection && connection.status !== "connected" && connection.status !== "connecting";
  return (
    <>
      {disconnected && (
        <div className={connection.status === "error" ? styles.error : styles.warning} role="alert" data-testid={TEST_IDS.panel.banner}>
          <Icon name="exclamation-triangle" aria-hidden="true" />
          <span>
            {connection.status === "error" ? "Disconnected from nomnom-live: " : "Connection lost, reconnecting: "}
            {connection.message ?? "no details"}
          </span>
        </div>
      )}
      {/* While the backend is out of reach its database's state is unknown: the connection's banner says enough. */}
      {!disconnected && database && database.status !== "ok" && (
        <div className={database.status === "unavailable" ? styles.error : styles.warning} role="alert" data-testid={TEST_IDS.panel.databaseBanner} data-status={database.status}>
          <Icon name="database" aria-hidden="true" />
          <span>
            {database.status === "unavailable" ? "The database does not answer; new rows will follow once it does: " : "The backend reports a problem: "}
            {database.message ?? "no details"}
          </span>
        </div>
      )}
      {paused && (
        <div className={styles.info} role="status" data-testid={TEST_IDS.panel.pausedBanner}>
          <Icon name="pause" aria-hidden="true" />
          <span>
            Paused — {pending} new {pending === 1 ? "row" : "rows"} arrived since. Resume to see them.
          </span>
        </div>
      )}
    </>
  );
}

const getStyles = (theme: GrafanaTheme2) => {
  const banner = {
    display: "flex",
    alignItems: "flex-start",
    gap: theme.spacing(1),
    padding: theme.spacing(0.5, 1),
    borderRadius: theme.shape.radius.default,
    fontSize: theme.typography.bodySmall.fontSize,
    overflowWrap: "anywhere" as const,
    svg: { flex: "0 0 auto", marginTop: 1 },
  };
  return {
    warning: css({ ...banner, background: theme.colors.warning.transparent, color: theme.colors.warning.text }),
    error: css({ ...banner, background: theme.colors.error.transparent, color: theme.colors.error.text }),
    info: css({ ...banner, background: theme.colors.info.transparent, color: theme.colors.info.text }),
  };
};
