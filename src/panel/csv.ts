/**
 * CSV (RFC 4180) of the rows a card shows, and the browser download of it: of the columns shown, as
 * shown (what the eye sees, byte for byte), or of every column — the key and the time among them — with
 * exact values (ISO-8601 times, numbers with the database's scale), for reading back elsewhere.
 */
import type { EntityView, ViewRow } from "./model.ts";

export type CsvColumns = "shown" | "all";

function cell(value: string): string {
  return /[",\r\n]/.test(value) || /^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function toCsv(columns: string[], rows: Array<Record<string, string>>): string {
  const lines = [columns.map(cell).join(",")];
  for (const r of rows) lines.push(columns.map((c) => cell(r[c] ?? "")).join(","));
  return lines.join("\r\n") + "\r\n";
}

/** The CSV of `rows` of a view: its `shown` columns as shown, or every column exactly. */
export function viewCsv(view: EntityView, rows: ViewRow[], shown: string[], which: CsvColumns): string {
  if (which === "shown") return toCsv(shown, rows.map((r) => Object.fromEntries(shown.map((c) => [c, view.text(r, c)]))));
  const all = view.columns.map((c) => c.name);
  return toCsv(all, rows.map((r) => Object.fromEntries(all.map((c) => [c, view.exact(r, c)]))));
}

export function csvFileName(entity: string, now = new Date(), suffix = ""): string {
  const stamp = now.toISOString().replace(/[:]/g, "-").replace(/\.\d+Z$/, "Z");
  return `${entity.replace(/[^A-Za-z0-9_-]+/g, "_")}${suffix}-${stamp}.csv`;
}

export function downloadCsv(fileName: string, csv: string): void {
  const blob = new Blob([csv], { type: "text/csv;charset=utf-8" });
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = fileName;
  a.style.display = "none";
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
