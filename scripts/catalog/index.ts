/**
 * Grafana's plugin-validator rules that run offline, on a plugin zip: the structure, manifest, content
 * and module passes, in the validator's order. `npm run package` runs them on every zip it writes and
 * fails on an error; tests/package runs them too, and proves each one catches what it is for.
 */
import { contentRules } from "./content-rules.ts";
import { manifestRules, type ManifestRuleOptions } from "./manifest-rules.ts";
import { moduleRules, type ModuleRuleOptions } from "./module-rules.ts";
import { unpackZip } from "./plugin-tree.ts";
import { Report, type Diagnostic } from "./report.ts";
import { structureRules } from "./structure-rules.ts";

export type CatalogRuleOptions = ManifestRuleOptions & ModuleRuleOptions;
export { formatDiagnostics, type Diagnostic } from "./report.ts";

/** The diagnostics of every offline rule for the folder a plugin zip unpacked into. */
export function checkUnpacked(unpacked: string, options: CatalogRuleOptions = {}): Diagnostic[] {
  const report = new Report();
  const tree = structureRules(unpacked, report);
  if (tree) {
    manifestRules(tree, report, options);
    contentRules(tree, report);
    moduleRules(tree, report, options);
  }
  return report.diagnostics;
}

export function checkPluginZip(zip: string, options: CatalogRuleOptions = {}): Diagnostic[] {
  const unpacked = unpackZip(zip);
  try {
    return checkUnpacked(unpacked.dir, options);
  } finally {
    unpacked.remove();
  }
}
