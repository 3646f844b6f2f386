/**
 * `${NAME}` and `${NAME:-default}` in the configuration. Substituted on the parsed YAML tree, never on
 * its text, so a variable's value is always one value and can never add YAML of its own.
 *
 * - `${NAME}` with NAME unset is an error naming the variable and the setting: a forgotten export must
 *   not quietly become an empty password or a default port. `${NAME:-}` makes it optional on purpose.
 * - `${NAME:-default}` takes the default when NAME is unset or empty, as the shell does.
 * - A setting that is exactly one `${…}` and comes out empty is left out, so the setting's own default
 *   applies. Such a setting is a string in YAML; `coerceSubstituted` turns it into the number or boolean
 *   the schema expects (only there: a token of digits stays a string where a string is expected).
 */
import { isMap, isScalar, isSeq, type Node } from "yaml";
import { formatPath } from "./errors.ts";

export type Env = Record<string, string | undefined>;

type Path = (string | number)[];

/** A variable name, then an optional `:-default` that ends at the first `}` (never greedy across references). */
const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;
const WHOLE = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}$/;

export interface Substituted {
  /** The settings that were exactly one `${…}` and got a value, with the variable: the schema may coerce them. */
  whole: { path: Path; name: string; value: string }[];
  /** References to unset variables without a default. */
  unset: { path: string; name: string }[];
}

function lookup(env: Env, name: string, fallback: string | undefined): string | undefined {
  const value = env[name];
  if (fallback !== undefined && (value === undefined || value === "")) return fallback;
  return value;
}

/** Replaces every reference in the tree below `node`, in place. */
export function substituteEnv(node: Node | null, env: Env): Substituted {
  const out: Substituted = { whole: [], unset: [] };
  const walk = (n: Node | null, path: Path): void => {
    if (!n) return;
    if (isMap(n)) {
      for (const pair of n.items) walk(pair.value as Node | null, [...path, String(isScalar(pair.key) ? pair.key.value : pair.key)]);
    } else if (isSeq(n)) {
      n.items.forEach((item, i) => walk(item as Node | null, [...path, i]));
    } else if (isScalar(n) && typeof n.value === "string") {
      const whole = WHOLE.exec(n.value);
      if (whole) {
        const [, name, fallback] = whole as unknown as [string, string, string | undefined];
        const value = lookup(env, name, fallback);
        if (value === undefined) out.unset.push({ path: formatPath(path), name });
        else if (value !== "") out.whole.push({ path, name, value });
        n.value = value === undefined || value === "" ? null : value;
      } else {
        n.value = n.value.replace(REFERENCE, (_, name: string, fallback?: string) => {
          const value = lookup(env, name, fallback);
          if (value === undefined) out.unset.push({ path: formatPath(path), name });
          return value ?? "";
        });
      }
    }
  };
  walk(node, []);
  return out;
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function coerce(value: string, expected: string): unknown {
  if (expected === "number" && NUMBER.test(value.trim())) return Number(value.trim());
  if (expected === "boolean" && /^(true|false)$/i.test(value.trim())) return value.trim().toLowerCase() === "true";
  return undefined;
}

function at(tree: unknown, path: PropertyKey[]): { parent: Record<PropertyKey, unknown>; key: PropertyKey } | null {
  let parent = tree as Record<PropertyKey, unknown>;
  for (const part of path.slice(0, -1)) {
    const next = parent?.[part];
    if (!next || typeof next !== "object") return null;
    parent = next as Record<PropertyKey, unknown>;
  }
  return path.length > 0 ? { parent, key: path[path.length - 1]! } : null;
}

export interface TypeIssue {
  code: string;
  path: PropertyKey[];
  expected?: unknown;
  message: string;
}

/**
 * Turns the substituted strings the schema refused as "expected number/boolean" into numbers and
 * booleans, in `tree` (the YAML as JS values). Returns whether anything changed, so the caller parses again.
 */
export function coerceSubstituted(tree: unknown, issues: readonly TypeIssue[], substituted: Substituted): boolean {
  let changed = false;
  for (const issue of issues) {
    if (issue.code !== "invalid_type" || typeof issue.expected !== "string") continue;
    const from = substituted.whole.find((w) => formatPath(w.path) === formatPath(issue.path));
    const slot = from && at(tree, issue.path);
    if (!from || !slot || typeof slot.parent[slot.key] !== "string") continue;
    const value = coerce(slot.parent[slot.key] as string, issue.expected);
    if (value === undefined) continue;
    slot.parent[slot.key] = value;
    changed = true;
  }
  return changed;
}

/** The message of an issue at a substituted setting, saying which variable gave which value. */
export function explainIssue(issue: TypeIssue, substituted: Substituted): string {
  const from = substituted.whole.find((w) => formatPath(w.path) === formatPath(issue.path));
  if (!from) return issue.message;
  if (issue.code === "invalid_type" && typeof issue.expected === "string") return `expected a ${issue.expected}, but \${${from.name}} is "${from.value}"`;
  return `${issue.message} (from \${${from.name}} = "${from.value}")`;
}
