/**
 * The generator's options: where each service reaches the others, and the timing of scrapes and alerts.
 * Defaults fit a stack on one machine; `docker-compose.yaml`'s service names are passed explicitly
 * (see the `provision` script in package.json).
 */
import { ConfigError } from "../config/errors.ts";

export interface GenerateOptions {
  /** The backend as Grafana's server and Prometheus reach it (datasource `jsonData.url`, scrape target). */
  backendUrl: string;
  /** The backend as browsers reach it, for the WebSocket (datasource `jsonData.browserUrl`). */
  browserUrl: string;
  /** Prometheus as Grafana's server reaches it. */
  prometheusUrl: string;
  /** Where Grafana reads the provisioning directory (the dashboard provider's path is inside it). */
  grafanaProvisioningDir: string;
  scrapeInterval: string;
  evaluationInterval: string;
  /** Window of `rate()` in alert rules. */
  rateWindow: string;
  /** How long a threshold must be crossed before its alert fires, unless the entity's `alerts.for` says otherwise. */
  alertFor: string;
  /** The contact point: a webhook when given, else e-mail to `alertEmail`. */
  alertWebhook?: string;
  alertEmail: string;
}

export const DEFAULTS = {
  prometheusUrl: "http://localhost:9090",
  grafanaProvisioningDir: "/etc/grafana/provisioning",
  scrapeInterval: "15s",
  evaluationInterval: "30s",
  rateWindow: "5m",
  alertFor: "2m",
  alertEmail: "alerts@example.com",
} as const;

const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };

/** Seconds in a duration like `15s`, `5m`, `1h`, `500ms`; null when it is not one. */
export function durationSeconds(text: string): number | null {
  const m = /^(\d+)(ms|s|m|h)$/.exec(text);
  return m ? Number(m[1]) * UNIT_SECONDS[m[2]!]! : null;
}

/** The shortest exact way to write a whole number of seconds (`90` → `90s`, `120` → `2m`). */
export function formatSeconds(seconds: number): string {
  if (seconds > 0 && seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds > 0 && seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

function checkUrl(name: string, value: string, problems: { path: string; message: string }[]): string {
  try {
    const u = new URL(value);
    if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error("not http");
    return value.replace(/\/+$/, "");
  } catch {
    problems.push({ path: `--${name}`, message: `must be an http:// or https:// URL, got "${value}"` });
    return value;
  }
}

export interface OptionInput {
  backendUrl?: string;
  browserUrl?: string;
  prometheusUrl?: string;
  grafanaProvisioningDir?: string;
  scrapeInterval?: string;
  evaluationInterval?: string;
  rateWindow?: string;
  alertFor?: string;
  alertWebhook?: string;
  alertEmail?: string;
}

/** Fills defaults (the backend URL from the configuration's port) and checks every value, naming the option at fault. */
export function resolveOptions(input: OptionInput, serverPort: number): GenerateOptions {
  const problems: { path: string; message: string }[] = [];
  const backendUrl = checkUrl("backend-url", input.backendUrl ?? `http://localhost:${serverPort}`, problems);
  const options: GenerateOptions = {
    backendUrl,
    browserUrl: checkUrl("browser-url", input.browserUrl ?? backendUrl, problems),
    prometheusUrl: checkUrl("prometheus-url", input.prometheusUrl ?? DEFAULTS.prometheusUrl, problems),
    grafanaProvisioningDir: (input.grafanaProvisioningDir ?? DEFAULTS.grafanaProvisioningDir).replace(/\/+$/, ""),
    scrapeInterval: input.scrapeInterval ?? DEFAULTS.scrapeInterval,
    evaluationInterval: input.evaluationInterval ?? DEFAULTS.evaluationInterval,
    rateWindow: input.rateWindow ?? DEFAULTS.rateWindow,
    alertFor: input.alertFor ?? DEFAULTS.alertFor,
    alertEmail: input.alertEmail ?? DEFAULTS.alertEmail,
    ...(input.alertWebhook !== undefined ? { alertWebhook: checkUrl("alert-webhook", input.alertWebhook, problems) } : {}),
  };
  if (!options.grafanaProvisioningDir.startsWith("/")) problems.push({ path: "--grafana-dir", message: `must be an absolute path inside the Grafana server, got "${options.grafanaProvisioningDir}"` });
  const durations: [string, string][] = [
    ["scrape-interval", options.scrapeInterval],
    ["evaluation-interval", options.evaluationInterval],
    ["rate-window", options.rateWindow],
    ["for", options.alertFor],
  ];
  for (const [name, value] of durations) {
    const s = durationSeconds(value);
    if (s === null) problems.push({ path: `--${name}`, message: `must be a duration like 15s, 5m or 1h, got "${value}"` });
    else if (s < 1 && name !== "for") problems.push({ path: `--${name}`, message: `must be at least 1s, got "${value}"` });
  }
  const scrape = durationSeconds(options.scrapeInterval);
  const window = durationSeconds(options.rateWindow);
  // rate() needs two samples inside its window; fewer and the alert expression returns nothing at all.
  if (scrape && window && window < 2 * scrape) {
    problems.push({ path: "--rate-window", message: `must be at least twice --scrape-interval (${options.scrapeInterval}), got "${options.rateWindow}"` });
  }
  if (!/^[^\s@]+@[^\s@]+$/.test(options.alertEmail)) problems.push({ path: "--alert-email", message: `must be an e-mail address, got "${options.alertEmail}"` });
  if (problems.length > 0) throw new ConfigError("nomnom-live generate", problems);
  return options;
}
