/** Reads the YAML configuration: `${ENV}` substitution, YAML parsing, zod validation, entity directories. */
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { isMap, isScalar, isSeq, parseDocument, type Node } from "yaml";
import { configSchema, type Config } from "./schema.ts";
import { ConfigError, formatPath } from "./errors.ts";
import { readEntityDirectory } from "./entity-files.ts";

export type Env = Record<string, string | undefined>;

/** `${NAME}` and `${NAME:-default}`; an unset variable without default becomes empty, which zod then judges. */
function substituteEnv(node: Node | null, env: Env): void {
  if (!node) return;
  if (isMap(node) || isSeq(node)) {
    for (const item of node.items as unknown[]) {
      if (isMap(node)) substituteEnv((item as { value: Node | null }).value, env);
      else substituteEnv(item as Node, env);
    }
  } else if (isScalar(node) && typeof node.value === "string") {
    const whole = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?\}$/.exec(node.value);
    if (whole) {
      // A value that is only `${VAR}` disappears when VAR is unset, so optional settings stay optional.
      const value = env[whole[1]!] ?? whole[2];
      node.value = value === undefined || value === "" ? null : value;
    } else {
      node.value = node.value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_, name: string, fallback?: string) => env[name] ?? fallback ?? "");
    }
  }
}

function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNulls);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null).map(([k, v]) => [k, dropNulls(v)]));
  }
  return value;
}

/** Parses configuration text; `file` is only used to name the source in errors and to resolve `entities_dir`. */
export async function parseConfig(text: string, file: string, env: Env = process.env): Promise<Config> {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => ({ path: e.linePos ? `line ${e.linePos[0].line}, column ${e.linePos[0].col}` : "", message: e.message.split("\n")[0]! })),
    );
  }
  substituteEnv(doc.contents, env);
  const raw = dropNulls(doc.toJS() ?? {});
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(file, parsed.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })));
  }
  const config = parsed.data;
  if (env.PORT !== undefined && env.PORT !== "") {
    const port = Number(env.PORT);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError("PORT", [{ path: "PORT", message: `must be a port number, got "${env.PORT}"` }]);
    config.server.port = port;
  }
  if (!config.database.url && env.DATABASE_URL) config.database.url = env.DATABASE_URL;
  if (!config.entities && config.entities_dir) {
    config.entities = await readEntityDirectory(resolve(dirname(file), config.entities_dir));
  }
  const names = new Set<string>();
  for (const [i, e] of (config.entities ?? []).entries()) {
    if (names.has(e.name)) throw new ConfigError(file, [{ path: `entities[${i}].name`, message: `duplicate entity name "${e.name}"` }]);
    names.add(e.name);
  }
  return config;
}

export async function loadConfig(file: string, env: Env = process.env): Promise<Config> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    throw new ConfigError(file, [{ path: "", message: `cannot read the file (${(e as NodeJS.ErrnoException).code ?? String(e)})` }]);
  }
  return parseConfig(text, resolve(file), env);
}

/** The configuration used when none is given: discovery on the database of `DATABASE_URL`, or embedded PGlite. */
export function defaultConfig(env: Env = process.env): Promise<Config> {
  return parseConfig("{}", "(defaults)", env);
}
