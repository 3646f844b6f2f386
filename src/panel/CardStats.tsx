/**
 * A card's statistics, straight from the backend's: the total ("1 row", "≈1,204 rows" while it counts
 * from the planner's estimate), the insert rate over the backend's one window (the last 10 seconds, per
 * second — one rate, one unit, so a restart never shows "1.5/s" beside "17/min"), the time since the last
 * insert (in the warning colour once the entity is quieter than expected) and the trend per minute.
 * Numbers go through Grafana's value formatting.
 */
import { css, cx } from "@emotion/css";
import { formattedValueToString, getValueFormat, type GrafanaTheme2 } from "@grafana/data";
import { Icon, useStyles2 } from "@grafana/ui";
import { TEST_IDS } from "../constants.ts";
import { activityOf } from "./activity.ts";
import { ago, shortDuration, useClock } from "./clock.ts";
import type { EntityView } from "./model.ts";
import { TrendSparkline } from "./TrendSparkline.tsx";

const locale = getValueFormat("locale");

export function formatCount(n: number, one: string, many: string): string {
  return `${formattedValueToString(locale(n, 0))} ${n === 1 ? one : many}`;
}

export function formatRate(perSecond: number): string {
  return `${formattedValueToString(locale(perSecond, perSecond > 0 && perSecond < 10 ? 2 : 1))}/s`;
}

function LastInsert({ view, quietAfterSeconds }: { view: EntityView; quietAfterSeconds?: number }) {
  const styles = useStyles2(getStyles);
  const now = useClock((t) => t);
  const a = activityOf(view, now, quietAfterSeconds);
  const quiet = a.quiet;
  const limit = a.quietAfterMs === null ? "" : ` (expected within ${shortDuration(a.quietAfterMs)})`;
  const text = a.ageMs === null ? "no insert seen" : `last insert ${ago(a.ageMs)}`;
  const title = a.at === null ? "The backend has seen no insert since it started, and the rows carry no time." : `${new Date(a.at).toISOString()}${a.source === "row" ? ", from the newest row's time" : ""}${limit}`;
  return (
    <span className={cx(styles.last, quiet && styles.quiet)} data-testid={TEST_IDS.panel.lastInsert(view.name)} data-quiet={quiet ? "true" : "false"} title={title}>
      {quiet && <Icon name="exclamation-triangle" size="sm" aria-hidden="true" />}
      {text}
      {quiet && <span className={styles.srOnly}>, quieter than expected{limit}</span>}
    </span>
  );
}

export function CardStats({ view, color, quietAfterSeconds }: { view: EntityView; color: string; quietAfterSeconds?: number }) {
  const styles = useStyles2(getStyles);
  const stats = view.stats;
  return (
    <div className={styles.stats} data-testid={TEST_IDS.panel.stats(view.name)}>
      {stats && (
        <>
          <span title={stats.total_estimated ? "estimated from the table statistics, then counted live" : "rows in the table"}>
            {stats.total_estimated ? "≈" : ""}
            {formatCount(stats.total, "row", "rows")}
          </span>
          <span title="inserts per second over the last 10 seconds">{formatRate(stats.rate_per_second)}</span>
        </>
      )}
      <LastInsert view={view} quietAfterSeconds={quietAfterSeconds} />
      {view.trend.length > 1 && <TrendSparkline entity={view.name} points={view.trend} color={color} width={96} height={22} />}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  stats: css({
    display: "flex",
    flexWrap: "wrap",
    alignItems: "center",
    columnGap: theme.spacing(1.5),
    rowGap: theme.spacing(0.25),
    color: theme.colors.text.secondary,
    fontSize: theme.typography.bodySmall.fontSize,
    fontVariantNumeric: "tabular-nums",
  }),
  last: css({ display: "inline-flex", alignItems: "center", gap: theme.spacing(0.5) }),
  quiet: css({ color: theme.colors.warning.text, fontWeight: theme.typography.fontWeightMedium }),
  srOnly: css({ position: "absolute", width: 1, height: 1, overflow: "hidden", clip: "rect(0 0 0 0)", whiteSpace: "nowrap" }),
});
