/**
 * A cell as shown and as exported. Shown: numbers, text and booleans through Grafana's display processor
 * (the field's own, which Grafana builds from the panel's standard options — unit, decimals, value
 * mappings, overrides by field name — or one made here where the host applied none), times in the
 * dashboard's time zone. Exported: the value itself — ISO times, numbers with the scale the database
 * holds — so a CSV of every column reads back exactly.
 */
import { dateTimeFormat, FieldType, formattedValueToString, getDisplayProcessor, type Field, type GrafanaTheme2 } from "@grafana/data";

export const TIME_FORMAT = "YYYY-MM-DD HH:mm:ss";

/** A date-only column carries a `time:` unit; its values are midnight UTC, shown as the date they are. */
function dateUnit(field: Field): string | null {
  const unit = field.config.unit;
  return field.type === FieldType.time && unit?.startsWith("time:") ? unit.slice(5) : null;
}

export function isNumeric(field: Field): boolean {
  return field.type === FieldType.number;
}

/** The text of value `i` of `field` as the panel shows it. */
export function makeCellText(field: Field, theme: GrafanaTheme2, timeZone: string): (i: number) => string {
  if (field.type === FieldType.time) {
    const date = dateUnit(field);
    return (i) => {
      const v: unknown = field.values[i];
      if (typeof v !== "number") return v === null || v === undefined ? "" : String(v);
      return date ? dateTimeFormat(v, { timeZone: "utc", format: date }) : dateTimeFormat(v, { timeZone, format: TIME_FORMAT });
    };
  }
  if (field.type === FieldType.other) return (i) => exportValue(field, i);
  const display = field.display ?? getDisplayProcessor({ field, theme, timeZone });
  return (i) => {
    const v: unknown = field.values[i];
    if (v === null || v === undefined) return field.config.noValue ?? "";
    return formattedValueToString(display(v));
  };
}

/** The exact value `i` of `field` as text, for CSV of every column and the row's JSON. */
export function exportValue(field: Field, i: number): string {
  const v = exportJson(field, i);
  if (v === null) return "";
  return typeof v === "string" ? v : JSON.stringify(v);
}

/** The exact value `i` of `field` as JSON: times as ISO-8601 (dates as YYYY-MM-DD), decimals as their digits. */
export function exportJson(field: Field, i: number): unknown {
  const v: unknown = field.values[i];
  if (v === null || v === undefined) return null;
  if (field.type === FieldType.time && typeof v === "number") {
    const iso = new Date(v).toISOString();
    return dateUnit(field) ? iso.slice(0, 10) : iso;
  }
  const decimals = field.config.decimals;
  if (typeof v === "number" && decimals !== undefined && decimals !== null) return v.toFixed(decimals);
  return v;
}
