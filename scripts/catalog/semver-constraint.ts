/**
 * Whether a `dependencies.grafanaDependency` parses as a version constraint the way the plugin-validator
 * parses it (Masterminds semver v3's NewConstraint): `||`-separated groups of comparisons joined by
 * commas or spaces, each an optional operator and a version with optional `x`/`*` wildcards, pre-release
 * and build parts (`>=10.4.0`, `^11 || >=12.1.x`, `1.2 - 1.4.5`). An empty constraint does not parse.
 */
const OPS = String.raw`=|!=|>|<|>=|=>|<=|=<|~|~>|\^`;
const VERSION = String.raw`v?[0-9xX*]+(?:\.[0-9xX*]+)?(?:\.[0-9xX*]+)?(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?`;
const COMPARISON = String.raw`\s*(?:${OPS})?\s*${VERSION}\s*,?`;
const GROUP = new RegExp(String.raw`^${COMPARISON}(?:(?:\s+|,\s*)${COMPARISON})*$`);
const RANGE = new RegExp(String.raw`\s*(${VERSION})\s+-\s+(${VERSION})\s*`, "g");

export function isVersionConstraint(constraint: string): boolean {
  return constraint.split("||").every((group) => GROUP.test(group.replace(RANGE, " >= $1, <= $2 ")));
}

/** Whether `version` is a version the validator's version pass accepts (hashicorp go-version): `1.2.3`, `v1.2`, `1.2.3-beta.1+build`. */
export function isVersion(version: string): boolean {
  return /^v?[0-9]+(\.[0-9]+)*(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$/.test(version);
}
