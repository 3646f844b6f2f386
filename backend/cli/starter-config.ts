/**
 * The starter `nomnom-live.yaml` that `nomnom-live init` writes: every setting with its default and what
 * it does, as comments to uncomment; with discovered tables, an `entities` list to edit, and a comment
 * for each table left out and why. It is always a configuration that loads as written.
 */
import type { Entity } from "../entities.ts";
import { IDENTIFIER } from "../config/schema.ts";

export interface StarterInput {
  /** Where the tables were discovered (without credentials); absent for the template. */
  discoveredIn?: string;
  entities?: Entity[];
  /** Tables not listed, with the reason. */
  skipped?: { table: string; reason: string }[];
}

/** A YAML scalar for a name: quoted where YAML would read it as something else. */
function scalar(name: string): string {
  return /^(true|false|null|yes|no|on|off|~)$/i.test(name) ? JSON.stringify(name) : name;
}

const HEADER = `# nomnom-live configuration, written by \`nomnom-live init\`. Commented settings show their defaults:
# uncomment and change what you need. \${NAME} and \${NAME:-default} are read from the environment
# (an unset \${NAME} without a default is an error). Start with:
#   nomnom-live serve --config nomnom-live.yaml
`;

const SETTINGS = `
polling:
  interval_ms: 500             # 100–5000: how often each entity's table is polled
  # max_events_per_poll: 100   # rows per entity per poll; a full batch is followed at once by another
  # mode: table                # table (no triggers) | events (db_events changelog + triggers: nomnom-live migrate)
  # gap_timeout_ms: 60000      # last resort against a transaction that never ends

server:
  # host: 0.0.0.0
  port: 8080                   # the PORT environment variable overrides it
  cors_origins: ["http://localhost:3000"]   # browser origins allowed: your Grafana's
  auth_tokens: []              # bearer tokens (16+ characters); empty: open to anyone, with a warning in the log
  # max_connections: 10000     # and max_connections_per_ip: 1000; beyond them a new WebSocket gets 503
`;

const DISCOVERY = `
# Without \`entities\`, every table with a single-column integer primary key is watched, and tables
# created later are picked up every discovery.interval_ms (0: only at start).
# discovery:
#   interval_ms: 60000
`;

const ENTITY_EXAMPLE = `
# entities:
#   - name: Order              # what clients subscribe to
#     table: orders            # schema.table outside the default schema
#     key: id                  # an integer key assigned in increasing order (serial, identity, auto-increment)
#     timestamp: created_at    # optional: history by time range
#     display_fields: [order_key, total_price]   # shown in panels (default: the first 5 columns)
#     max_records: 500         # rows a client keeps
#     alerts: { min_per_minute: 1, max_per_minute: 5000 }
`;

/** The commented template, for when there is no database to discover. */
export function templateConfig(): string {
  return `${HEADER}
database:
  # postgres://user:password@host:5432/db, mysql://…, mariadb://…; empty: the embedded PGlite (in memory)
  url: \${DATABASE_URL:-}
  # data_dir: ./nomnom-data    # keeps the embedded PGlite's data in this directory
${SETTINGS}${DISCOVERY}${ENTITY_EXAMPLE}`;
}

/** Only what configuration accepts: names outside plain identifiers are left to discovery. */
export function configurable(entity: Entity): boolean {
  return IDENTIFIER.test(entity.info.table) && IDENTIFIER.test(entity.info.key);
}

function entityYaml(e: Entity): string {
  const { info } = e;
  const display = info.fields.filter((f) => f.display && IDENTIFIER.test(f.name)).map((f) => scalar(f.name));
  const lines = [`  - name: ${scalar(info.name)}`, `    table: ${scalar(info.table)}`, `    key: ${scalar(info.key)}`];
  if (info.timestamp && IDENTIFIER.test(info.timestamp)) lines.push(`    timestamp: ${scalar(info.timestamp)}   # history by time range`);
  else lines.push("    # timestamp: none found    # a timestamp column (e.g. created_at) enables history by time range");
  if (display.length > 0) lines.push(`    display_fields: [${display.join(", ")}]`);
  lines.push(`    max_records: ${info.max_records}`);
  return lines.join("\n");
}

/** The configuration for discovered tables. */
export function discoveredConfig(input: StarterInput): string {
  const entities = (input.entities ?? []).filter(configurable);
  const skipped = [
    ...(input.skipped ?? []),
    ...(input.entities ?? []).filter((e) => !configurable(e)).map((e) => ({ table: e.info.table, reason: "its name or its key's is not a plain SQL identifier, which `entities` requires (discovery, without `entities`, watches it)" })),
  ];
  const left = skipped.length === 0 ? "" : `\n# Not listed:\n${skipped.map((s) => `#   ${s.table}: ${s.reason}`).join("\n")}\n`;
  const list =
    entities.length === 0
      ? `\n# No table of this database can be watched yet (it needs a single-column integer primary key).${DISCOVERY}${ENTITY_EXAMPLE}`
      : `\n# The tables found in the database. Delete the list to watch every table instead, new ones included.\nentities:\n${entities.map(entityYaml).join("\n")}\n`;
  return `${HEADER}
database:
  # The entities below were discovered in ${input.discoveredIn ?? "the database"} (no password is stored here).
  url: \${DATABASE_URL}
${SETTINGS}${list}${left}`;
}
