/**
 * nomnom-style entity files: one YAML per entity with `name`, `source_type` (root, derived, reference),
 * `abstract`, `persistence.database.conformant_table` and `field_overrides`. Persistent root and derived
 * entities are watched; abstract, reference and non-persistent ones are skipped.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { parse } from "yaml";
import { z } from "zod";
import { entitySchema, type EntityConfig } from "./schema.ts";
import { ConfigError, formatPath } from "./errors.ts";

const entityFileSchema = z.looseObject({
  name: z.string().min(1),
  source_type: z.enum(["root", "derived", "reference"]).default("root"),
  abstract: z.boolean().default(false),
  persistence: z
    .looseObject({
      database: z
        .looseObject({
          conformant_table: z.string().optional(),
          primary_key: z.string().optional(),
          timestamp: z.string().optional(),
        })
        .optional(),
    })
    .optional(),
  field_overrides: z.array(z.looseObject({ name: z.string() })).default([]),
  dashboard: z
    .looseObject({
      color: z.string().optional(),
      icon: z.string().optional(),
      display_fields: z.array(z.string()).optional(),
      max_records: z.number().optional(),
      alerts: z.unknown().optional(),
    })
    .optional(),
});

export async function readEntityDirectory(dir: string): Promise<EntityConfig[]> {
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => /\.ya?ml$/.test(f)).sort();
  } catch (e) {
    throw new ConfigError(dir, [{ path: "", message: `cannot read the entity directory (${(e as NodeJS.ErrnoException).code ?? String(e)})` }]);
  }
  const entities: EntityConfig[] = [];
  for (const f of files) {
    const file = join(dir, f);
    let doc: unknown;
    try {
      doc = parse(await readFile(file, "utf8"));
    } catch (e) {
      throw new ConfigError(file, [{ path: "", message: (e as Error).message.split("\n")[0]! }]);
    }
    const parsed = entityFileSchema.safeParse(doc);
    if (!parsed.success) throw new ConfigError(file, parsed.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })));
    const e = parsed.data;
    const table = e.persistence?.database?.conformant_table;
    if (e.abstract || e.source_type === "reference" || !table) continue;
    const fields = e.field_overrides.map((f) => f.name);
    const candidate = {
      name: e.name,
      table,
      key: e.persistence?.database?.primary_key,
      timestamp: e.persistence?.database?.timestamp,
      color: e.dashboard?.color,
      icon: e.dashboard?.icon,
      display_fields: e.dashboard?.display_fields ?? (fields.length > 0 ? fields.slice(0, 5) : undefined),
      max_records: e.dashboard?.max_records,
      alerts: e.dashboard?.alerts,
    };
    const checked = entitySchema.safeParse(JSON.parse(JSON.stringify(candidate)));
    if (!checked.success) throw new ConfigError(file, checked.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })));
    entities.push(checked.data);
  }
  return entities;
}
