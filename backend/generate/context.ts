/**
 * What every emitter gets: the validated configuration, the entities to generate for and the options.
 * Entities come from the configuration (inline or `entities_dir`); without either, from the database
 * named by `database.url` / DATABASE_URL, discovered as the backend would.
 */
import { basename } from "node:path";
import { ConfigError } from "../config/errors.ts";
import { loadConfig, type Env } from "../config/load.ts";
import type { Config, EntityConfig } from "../config/schema.ts";
import { openDatabase } from "../db/open.ts";
import { resolveEntities } from "../entities.ts";
import { resolveOptions, type GenerateOptions, type OptionInput } from "./options.ts";

export interface GenerateContext {
  config: Config;
  /** In configuration order; each with the schema's defaults applied. */
  entities: EntityConfig[];
  /** The configuration's file name, named in the header of every generated file. */
  source: string;
  options: GenerateOptions;
}

async function discover(config: Config, file: string): Promise<EntityConfig[]> {
  if (!config.database.url) {
    throw new ConfigError(file, [
      {
        path: "entities",
        message:
          "the configuration lists no entities (neither `entities` nor `entities_dir`) and names no database to discover them from; add entities, or set database.url / DATABASE_URL so the generator can read the tables",
      },
    ]);
  }
  const dialect = await openDatabase(config.database.url, { dataDir: config.database.data_dir });
  try {
    const found = await resolveEntities(dialect, undefined, file);
    return found.map((e) => ({ name: e.info.name, table: e.info.table, key: e.info.key, max_records: e.info.max_records, ...(e.info.timestamp ? { timestamp: e.info.timestamp } : {}) }));
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new ConfigError(file, [{ path: "database.url", message: `cannot discover the entities, the database did not answer: ${(e as Error).message}` }]);
  } finally {
    await dialect.close().catch(() => {});
  }
}

export async function createContext(configFile: string, input: OptionInput, env: Env = process.env): Promise<GenerateContext> {
  const config = await loadConfig(configFile, env);
  const entities = config.entities ?? (await discover(config, configFile));
  if (entities.length === 0) {
    throw new ConfigError(configFile, [{ path: "entities", message: config.entities ? "is empty: there is nothing to generate panels and alerts for" : "the database has no table with a single-column integer primary key to watch" }]);
  }
  return { config, entities, source: basename(configFile), options: resolveOptions(input, config.server.port) };
}
