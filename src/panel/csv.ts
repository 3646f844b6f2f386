/** CSV (RFC 4180) of the rows a card shows, and the browser download of it. */

function cell(value: string): string {
  return /[",\r\n]/.test(value) || /^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function toCsv(columns: string[], rows: Array<Record<string, string>>): string {
  const lines = [columns.map(cell).join(",")];
  for (const r of rows) lines.push(columns.map((c) => cell(r[c] ?? "")).join(","));
  return lines.join("\r\n") + "\r\n";
}

export function csvFileName(entity: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[:]/g, "-").replace(/\.\d+Z$/, "Z");
  return `${entity.replace(/[^A-Za-z0-9_-]+/g, "_")}-${stamp}.csv`;
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
