/** The insert-rate alerts the configuration asks for, shared by the Prometheus and the Grafana rule files. */
import type { EntityConfig } from "../config/schema.ts";
import type { GenerateContext } from "./context.ts";
import { ALERT } from "./names.ts";

export interface AlertSpec {
  entity: EntityConfig;
  kind: "high" | "low";
  /** Rows per minute, as written in the YAML. */
  threshold: number;
  /** How long the threshold must stay crossed (the entity's `alerts.for`, else `--for`). */
  for: string;
  alertname: string;
}

/** In configuration order, the high alert before the low one. A minimum of 0 asks for nothing (no rate is below 0). */
export function alertSpecs(ctx: GenerateContext): AlertSpec[] {
  const specs: AlertSpec[] = [];
  for (const entity of ctx.entities) {
    const a = entity.alerts;
    if (!a) continue;
    const duration = a.for ?? ctx.options.alertFor;
    if (a.max_per_minute !== undefined) specs.push({ entity, kind: "high", threshold: a.max_per_minute, for: duration, alertname: ALERT.high });
    if (a.min_per_minute !== undefined && a.min_per_minute > 0) specs.push({ entity, kind: "low", threshold: a.min_per_minute, for: duration, alertname: ALERT.low });
  }
  return specs;
}

export function summary(s: AlertSpec): string {
  return s.kind === "high"
    ? `${s.entity.name}: more than ${s.threshold} rows a minute inserted into ${s.entity.table}`
    : `${s.entity.name}: fewer than ${s.threshold} rows a minute inserted into ${s.entity.table}`;
}

export function description(s: AlertSpec, window: string): string {
  return `The insert rate of ${s.entity.name} (table ${s.entity.table}), averaged over ${window}, has stayed ${s.kind === "high" ? "above" : "below"} ${s.threshold} rows/min for ${s.for} (alerts.${s.kind === "high" ? "max" : "min"}_per_minute in the nomnom-live configuration).`;
}
