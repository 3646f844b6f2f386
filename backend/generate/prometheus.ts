/**
 * `prometheus/`: the scrape configuration for the backend's /metrics, the alerting rules on each
 * entity's insert rate, and a promtool unit test of those rules with synthetic series
 * (`promtool test rules prometheus/nomnom-live.rules.test.yml`).
 */
import { METRIC } from "../metrics.ts";
import { TOKEN_ENV } from "./grafana-datasources.ts";
import type { GenerateContext } from "./context.ts";
import { alertSpecs, description, summary, type AlertSpec } from "./alerts.ts";
import type { GeneratedFile } from "./index.ts";
import { ALERT, NAME, perMinuteRate, rowsSelector } from "./names.ts";
import { durationSeconds, formatSeconds } from "./options.ts";
import { toYaml, yamlHeader } from "./render.ts";

export const RULES_FILE = "nomnom-live.rules.yml";
const TOKEN_FILE = "nomnom-live.token";
const LABELS = { severity: "warning", nomnom_live: "true" };

/** The rule's own labels; `entity` keeps the rules of different entities distinct (promtool rejects duplicates). */
function ruleLabels(s: AlertSpec) {
  return { ...LABELS, entity: s.entity.name };
}

function scrapeConfig(ctx: GenerateContext) {
  const { options, config } = ctx;
  const url = new URL(options.backendUrl);
  const scrape = durationSeconds(options.scrapeInterval)!;
  return {
    global: {
      scrape_interval: options.scrapeInterval,
      // Prometheus refuses a timeout longer than the interval.
      scrape_timeout: scrape < 10 ? options.scrapeInterval : "10s",
      evaluation_interval: options.evaluationInterval,
    },
    rule_files: [RULES_FILE],
    scrape_configs: [
      {
        job_name: NAME.scrapeJob,
        scheme: url.protocol.replace(":", ""),
        metrics_path: `${url.pathname.replace(/\/+$/, "")}/metrics`,
        ...(config.server.auth_tokens.length > 0 ? { authorization: { type: "Bearer", credentials_file: TOKEN_FILE } } : {}),
        static_configs: [{ targets: [url.host || `${url.hostname}:${url.protocol === "https:" ? 443 : 80}`] }],
      },
    ],
  };
}

function alertRule(s: AlertSpec, window: string) {
  return {
    alert: s.alertname,
    expr: `${perMinuteRate(s.entity.name, window)} ${s.kind === "high" ? ">" : "<"} ${s.threshold}`,
    for: s.for,
    labels: ruleLabels(s),
    annotations: { summary: summary(s), description: description(s, window) },
  };
}

function absentRule(s: AlertSpec) {
  return {
    alert: ALERT.absent,
    expr: `absent(${rowsSelector(s.entity.name)})`,
    for: s.for,
    labels: ruleLabels(s),
    annotations: {
      summary: `${s.entity.name}: the backend reports no insert counter`,
      description: `Prometheus has no ${METRIC.rowsSeen} series for ${s.entity.name}: the backend is down, not scraped, or no longer watches the entity, so a low insert rate would go unnoticed.`,
    },
  };
}

function rules(ctx: GenerateContext, specs: AlertSpec[]) {
  const out: object[] = [];
  for (const s of specs) {
    out.push(alertRule(s, ctx.options.rateWindow));
    // A rate that is not reported cannot be below its minimum; this says so instead of staying silent.
    if (s.kind === "low") out.push(absentRule(s));
  }
  return { groups: out.length > 0 ? [{ name: "nomnom-live-insert-rate", rules: out }] : [] };
}

/** A rate between an entity's limits, at which none of its alerts may fire. */
function withinLimits(specs: AlertSpec[]): number {
  const min = specs.find((s) => s.kind === "low")?.threshold;
  const max = specs.find((s) => s.kind === "high")?.threshold;
  return min !== undefined && max !== undefined ? (min + max) / 2 : max !== undefined ? max / 2 : min! * 2;
}

/**
 * One test per entity and situation — rate above the maximum, between the limits, below the minimum,
 * counter absent — each asserting every alert, firing or not. The other entities run within their
 * limits meanwhile, so each test isolates one entity's rules.
 */
function unitTests(ctx: GenerateContext, specs: AlertSpec[]) {
  const { options } = ctx;
  const step = durationSeconds(options.scrapeInterval)!;
  const evaluation = durationSeconds(options.evaluationInterval)!;
  const window = durationSeconds(options.rateWindow)!;
  const instance = new URL(options.backendUrl).host;
  const alerting = ctx.entities.map((entity) => ({ entity, mine: specs.filter((s) => s.entity === entity) })).filter((a) => a.mine.length > 0);
  const longestFor = Math.max(...specs.map((s) => durationSeconds(s.for)!));
  // Late enough for a full rate window and the pending period, on an evaluation tick.
  const at = Math.ceil((window + longestFor + 2 * step + evaluation) / evaluation) * evaluation;
  const samples = Math.ceil(at / step) + 1;
  const seriesOf = (name: string, perMinute: number) => ({
    series: `${METRIC.rowsSeen}{entity=${JSON.stringify(name)},instance=${JSON.stringify(instance)},job=${JSON.stringify(NAME.scrapeJob)}}`,
    values: `0+${(perMinute * step) / 60}x${samples}`,
  });
  const alertnames = [...new Set(specs.flatMap((s) => (s.kind === "low" ? [s.alertname, ALERT.absent] : [s.alertname])))];
  const tests: object[] = [];
  for (const { entity, mine } of alerting) {
    const others = alerting.filter((a) => a.entity !== entity).map((a) => seriesOf(a.entity.name, withinLimits(a.mine)));
    const high = mine.find((s) => s.kind === "high");
    const low = mine.find((s) => s.kind === "low");
    const expect = (firing: AlertSpec | "absent" | null) =>
      alertnames.map((alertname) => {
        const exp: object[] = [];
        if (firing === "absent" && alertname === ALERT.absent) {
          const a = absentRule(low!);
          exp.push({ exp_labels: a.labels, exp_annotations: a.annotations });
        } else if (firing && firing !== "absent" && firing.alertname === alertname) {
          exp.push({ exp_labels: { ...ruleLabels(firing), instance, job: NAME.scrapeJob }, exp_annotations: { summary: summary(firing), description: description(firing, options.rateWindow) } });
        }
        return { eval_time: formatSeconds(at), alertname, exp_alerts: exp };
      });
    const scenario = (name: string, input: object[], firing: AlertSpec | "absent" | null) => ({ name: `${entity.name}: ${name}`, interval: options.scrapeInterval, input_series: [...input, ...others], alert_rule_test: expect(firing) });
    if (high) tests.push(scenario(`${high.threshold * 2} rows/min is above the maximum of ${high.threshold}`, [seriesOf(entity.name, high.threshold * 2)], high));
    const between = withinLimits(mine);
    tests.push(scenario(`${between} rows/min is within the limits`, [seriesOf(entity.name, between)], null));
    if (low) {
      tests.push(scenario(`${low.threshold / 2} rows/min is below the minimum of ${low.threshold}`, [seriesOf(entity.name, low.threshold / 2)], low));
      tests.push(scenario("no counter at all", [], "absent"));
    }
  }
  return { rule_files: [RULES_FILE], evaluation_interval: options.evaluationInterval, tests };
}

export function prometheusFiles(ctx: GenerateContext): GeneratedFile[] {
  const specs = alertSpecs(ctx);
  const secured = ctx.config.server.auth_tokens.length > 0;
  const files: GeneratedFile[] = [
    {
      path: "prometheus/prometheus.yml",
      content: toYaml(
        scrapeConfig(ctx),
        yamlHeader(ctx.source, [
          "Prometheus scrapes the backend's /metrics; rule paths are relative to this file.",
          ...(secured ? [`server.auth_tokens is set: put one of the tokens into ${TOKEN_FILE} next to this file (as for ${TOKEN_ENV} in Grafana).`] : []),
        ]),
      ),
    },
    {
      path: `prometheus/${RULES_FILE}`,
      content: toYaml(
        rules(ctx, specs),
        yamlHeader(ctx.source, [
          `Insert-rate alerts: rows per minute = rate(${METRIC.rowsSeen}[${ctx.options.rateWindow}]) * 60, compared with the`,
          "per-minute thresholds of the configuration. Each counter exists from the backend's start with value 0, so a",
          `missing series means the backend is not reporting (${ALERT.absent}), never just "no inserts yet".`,
        ]),
      ),
    },
  ];
  if (specs.length > 0) {
    files.push({ path: "prometheus/nomnom-live.rules.test.yml", content: toYaml(unitTests(ctx, specs), yamlHeader(ctx.source, ["`promtool test rules nomnom-live.rules.test.yml`: every alert on synthetic series, firing and quiet."])) });
  }
  return files;
}
