/**
 * `alerting/`: Grafana-managed alert rules on the insert rate (from the provisioned Prometheus), the
 * contact point they notify and the notification policy that routes to it. Written only when some
 * entity declares `alerts`.
 */
import type { GenerateContext } from "./context.ts";
import { alertSpecs, description, summary, type AlertSpec } from "./alerts.ts";
import { dashboardLayout } from "./grafana-dashboard.ts";
import type { GeneratedFile } from "./index.ts";
import { NAME, UID, entityUid, perMinuteRate } from "./names.ts";
import { durationSeconds, formatSeconds } from "./options.ts";
import { toYaml, yamlHeader } from "./render.ts";

const EXPR = { type: "__expr__", uid: "__expr__" };

/** Grafana evaluates rule groups on multiples of 10 s (unified_alerting.min_interval). */
function grafanaInterval(evaluationInterval: string): number {
  return Math.max(10, Math.ceil(durationSeconds(evaluationInterval)! / 10) * 10);
}

function rule(ctx: GenerateContext, s: AlertSpec, panelId: number | undefined, intervalSeconds: number) {
  const { options } = ctx;
  const scrapeMs = Math.round(durationSeconds(options.scrapeInterval)! * 1000);
  const windowSeconds = durationSeconds(options.rateWindow)!;
  const forSeconds = durationSeconds(s.for)!;
  return {
    uid: entityUid("nnl", s.entity.name, s.kind === "high" ? "max" : "min"),
    title: `${s.entity.name} insert rate ${s.kind === "high" ? "above" : "below"} ${s.threshold}/min`,
    condition: "C",
    data: [
      {
        refId: "A",
        relativeTimeRange: { from: Math.max(600, 2 * windowSeconds), to: 0 },
        datasourceUid: UID.prometheus,
        model: {
          refId: "A",
          datasource: { type: "prometheus", uid: UID.prometheus },
          editorMode: "code",
          expr: perMinuteRate(s.entity.name, options.rateWindow),
          instant: false,
          range: true,
          intervalMs: scrapeMs,
          maxDataPoints: 43200,
          legendFormat: "{{instance}}",
        },
      },
      {
        refId: "B",
        datasourceUid: EXPR.uid,
        model: { refId: "B", datasource: EXPR, type: "reduce", expression: "A", reducer: "last", settings: { mode: "dropNN" } },
      },
      {
        refId: "C",
        datasourceUid: EXPR.uid,
        model: { refId: "C", datasource: EXPR, type: "threshold", expression: "B", conditions: [{ evaluator: { type: s.kind === "high" ? "gt" : "lt", params: [s.threshold] } }] },
      },
    ],
    ...(panelId !== undefined ? { dashboardUid: UID.dashboard, panelId } : {}),
    noDataState: s.kind === "high" ? "OK" : "NoData",
    execErrState: "Error",
    // Grafana's editor refuses a pending period shorter than the group's interval.
    for: forSeconds === 0 ? "0s" : formatSeconds(Math.max(Math.ceil(forSeconds), intervalSeconds)),
    isPaused: false,
    annotations: { summary: summary(s), description: description(s, options.rateWindow) },
    labels: { severity: "warning", nomnom_live: "true", entity: s.entity.name },
  };
}

function contactPoint(ctx: GenerateContext) {
  const { alertWebhook, alertEmail } = ctx.options;
  const receiver = alertWebhook
    ? { uid: "nomnom-live-webhook", type: "webhook", settings: { url: alertWebhook, httpMethod: "POST" }, disableResolveMessage: false }
    : { uid: "nomnom-live-email", type: "email", settings: { addresses: alertEmail, singleEmail: false }, disableResolveMessage: false };
  return { apiVersion: 1, contactPoints: [{ orgId: 1, name: NAME.contactPoint, receivers: [receiver] }] };
}

function policies() {
  return {
    apiVersion: 1,
    policies: [
      {
        orgId: 1,
        receiver: NAME.contactPoint,
        group_by: ["grafana_folder", "alertname"],
        routes: [{ receiver: NAME.contactPoint, object_matchers: [["nomnom_live", "=", "true"]], group_by: ["alertname", "entity"], group_wait: "30s", group_interval: "5m", repeat_interval: "4h" }],
      },
    ],
  };
}

export function grafanaAlerting(ctx: GenerateContext): GeneratedFile[] {
  const specs = alertSpecs(ctx);
  if (specs.length === 0) return [];
  const { ratePanelId } = dashboardLayout(ctx);
  const interval = grafanaInterval(ctx.options.evaluationInterval);
  const rules = {
    apiVersion: 1,
    groups: [{ orgId: 1, name: NAME.alertGroup, folder: NAME.alertFolder, interval: formatSeconds(interval), rules: specs.map((s) => rule(ctx, s, ratePanelId.get(s.entity.name), interval)) }],
  };
  const rulesHeader = yamlHeader(ctx.source, [
    "Grafana-managed alert rules on each entity's insert rate, from the provisioned Prometheus:",
    `A = rows per minute (the counter's rate over ${ctx.options.rateWindow}, times 60), B = its last value, C = the threshold.`,
    "",
    "No data and errors, deliberately:",
    "- above-max rules: noDataState OK. No samples cannot mean too many inserts, and the below-min rule of the",
    "  same entity already reports the silence; a second alert would only repeat it.",
    "- below-min rules: noDataState NoData. The backend exports every entity's counter from its start (value 0),",
    "  so no data means Prometheus is not scraping the backend, not \"no inserts\": Grafana raises a separate",
    "  DatasourceNoData alert for that instead of claiming the application stopped writing.",
    "- execErrState Error everywhere: a Prometheus that cannot be queried shows as an error, never as a rate.",
  ]);
  const cpHeader = yamlHeader(ctx.source, [
    ctx.options.alertWebhook
      ? "The contact point posts to the webhook given with --alert-webhook."
      : "The contact point e-mails --alert-email; Grafana needs SMTP ([smtp] / GF_SMTP_*) to send it. Use --alert-webhook for a webhook.",
  ]);
  const policyHeader = yamlHeader(ctx.source, [
    "Provisioning a policy tree REPLACES the organisation's notification policies. In a Grafana with policies of",
    "its own, leave this file out and add the nomnom_live=\"true\" route below to your tree instead.",
  ]);
  return [
    { path: "alerting/nomnom-live-rules.yaml", content: toYaml(rules, rulesHeader) },
    { path: "alerting/nomnom-live-contact-points.yaml", content: toYaml(contactPoint(ctx), cpHeader) },
    { path: "alerting/nomnom-live-policies.yaml", content: toYaml(policies(), policyHeader) },
  ];
}
