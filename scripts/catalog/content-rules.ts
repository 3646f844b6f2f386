/**
 * The plugin-validator's passes over the files the catalog shows: license (an accepted LICENSE at the top
 * of the archive), readme (README.md exists and is not empty; a comment in it draws a warning),
 * templatereadme (not create-plugin's template), brokenlinks (its links are absolute: a relative one does
 * not work on the catalog page; whether each URL answers needs the network, so it is not checked here)
 * and changelog (CHANGELOG.md exists and is not empty).
 */
import { join } from "node:path";
import { acceptedLicense, hasTemplatePlaceholders } from "./license-text.ts";
import { readTextIfExists, type PluginTree } from "./plugin-tree.ts";
import type { Report } from "./report.ts";

const MARKDOWN_LINK = /\[.+?\]\((.+?)\)/g;

function license(tree: PluginTree, report: Report): void {
  const text = readTextIfExists(join(tree.dir, "LICENSE"));
  if (!text?.trim()) return report.add("license", "license-not-provided", "error", "LICENSE file not found");
  if (!acceptedLicense(text)) return report.add("license", "license-not-valid", "error", "Valid license not found");
  if (hasTemplatePlaceholders(text)) report.add("license", "license-with-generic-text", "warning", "License file contains generic text");
}

function readme(tree: PluginTree, report: Report): void {
  const text = readTextIfExists(join(tree.dir, "README.md"));
  if (text === undefined) return report.add("readme", "missing-readme", "error", "missing README.md");
  if (!text.trim()) return report.add("readme", "missing-readme", "error", "README.md is empty");
  if (/<!--(.*?)-->/.test(text)) report.add("readme", "readme-comment", "warning", "README.md contains comment(s).");
  if (/Grafana (Panel|Data Source|Datasource|App|Data Source Backend) Plugin Template/i.test(text)) {
    report.add("templatereadme", "template-readme", "error", "README.md: uses README from template");
  }
  for (const [, target] of text.matchAll(MARKDOWN_LINK)) {
    const path = target!.split(/\s+/)[0]!;
    if (path.startsWith("#") || path.startsWith("mailto:") || /^https?:\/\//.test(path)) continue;
    report.add("brokenlinks", "relative-link", "error", `README.md: convert relative link to absolute: ${path}`);
  }
}

function changelog(tree: PluginTree, report: Report): void {
  const text = readTextIfExists(join(tree.dir, "CHANGELOG.md"));
  if (text === undefined) report.add("changelog", "missing-changelog", "warning", "missing CHANGELOG.md");
  else if (!text.trim()) report.add("changelog", "missing-changelog", "warning", "CHANGELOG.md is empty");
}

export function contentRules(tree: PluginTree, report: Report): void {
  license(tree, report);
  readme(tree, report);
  changelog(tree, report);
}
