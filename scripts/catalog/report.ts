/**
 * What a catalog rule found, in the terms of Grafana's plugin-validator: the analyzer (its pass), the
 * rule's name and severity, and a title. Errors keep a plugin out of the catalog; warnings and
 * recommendations are shown to the reviewer.
 */
export type Severity = "error" | "warning" | "recommendation";

export interface Diagnostic {
  analyzer: string;
  rule: string;
  severity: Severity;
  title: string;
}

export class Report {
  readonly diagnostics: Diagnostic[] = [];

  add(analyzer: string, rule: string, severity: Severity, title: string): void {
    this.diagnostics.push({ analyzer, rule, severity, title });
  }

  get errors(): Diagnostic[] {
    return this.diagnostics.filter((d) => d.severity === "error");
  }
}

/** One line per diagnostic, `error  license/license-not-provided: LICENSE file not found`. */
export function formatDiagnostics(diagnostics: Diagnostic[]): string {
  return diagnostics.map((d) => `${d.severity.padEnd(14)} ${d.analyzer}/${d.rule}: ${d.title}`).join("\n");
}
