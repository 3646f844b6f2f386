/** Reads the YAML configuration: `${ENV}` substitution, YAML parsing, zod validation, entity directories. */
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { parseDocument } from "yaml";
import { configSchema, type Config } from "./schema.ts";
import { ConfigError, formatPath } from "./errors.ts";
import { readEntityDirectory } from "./entity-files.ts";
import { coerceSubstituted, explainIssue, substituteEnv, type Env } from "./env.ts";

export type { Env } from "./env.ts";

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
  const substituted = substituteEnv(doc.contents, env);
  if (substituted.unset.length > 0) {
    throw new ConfigError(
      file,
      substituted.unset.map(({ path, name }) => ({ path, message: `the environment variable ${name} is not set: set it, or write \${${name}:-default} (\${${name}:-} for none)` })),
    );
  }
  const raw = dropNulls(doc.toJS() ?? {});
  let parsed = configSchema.safeParse(raw);
  // A number or boolean that came from a variable is a string in YAML: coerce it where the schema says so.
  if (!parsed.success && coerceSubstituted(raw, parsed.error.issues, substituted)) parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(file, parsed.error.issues.map((i) => ({ path: formatPath(i.path), message: explainIssue(i, substituted) })));
  }
  const config = parsed.data;
  if (env.PORT !== undefined && env.PORT !== "") {
    const port = Number(env.PORT);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError("PORT", [{ path: "PORT", message: `must be a port number, got "${env.PORT}"` }]);
    config.server.port = port;
  }
  if (!config.database.url && env.DATABASE_URL) config.database.url = env.DATABASE_URL;
  // Replicas take their shared settings from the environment (a Kubernetes Secret), like the database URL.
  if (!config.server.ticket_secret && env.NOMNOM_TICKET_SECRET) {
    if (env.NOMNOM_TICKET_SECRET.length < 16) throw new ConfigError("NOMNOM_TICKET_SECRET", [{ path: "NOMNOM_TICKET_SECRET", message: "must be at least 16 characters" }]);
    config.server.ticket_secret = env.NOMNOM_TICKET_SECRET;
  }
  if (!config.cluster.bus && env.NOMNOM_CLUSTER_BUS) {
    if (!/^(nats|tls):\/\/\S+$/.test(env.NOMNOM_CLUSTER_BUS)) throw new ConfigError("NOMNOM_CLUSTER_BUS", [{ path: "NOMNOM_CLUSTER_BUS", message: `must be a NATS URL like nats://127.0.0.1:4222, got "${env.NOMNOM_CLUSTER_BUS}"` }]);
    config.cluster.bus = env.NOMNOM_CLUSTER_BUS;
  }
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
