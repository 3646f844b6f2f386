/**
 * `nomnom-live init`: writes a starter configuration — from the tables of a database when given one
 * (--database-url or DATABASE_URL), else a commented template — so that `serve --config` has a file to
 * read. An existing file is never overwritten without --force.
 */
import { access, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { databaseAddress } from "../db/errors.ts";
import { openDatabase } from "../db/open.ts";
import { skipReason } from "../db/table-listing.ts";
import { discoverEntities } from "../entities.ts";
import { OutputExistsError } from "./failure.ts";
import { configurable, discoveredConfig, templateConfig } from "./starter-config.ts";

export interface InitOptions {
  databaseUrl?: string;
  out: string;
  force: boolean;
}

async function write(file: string, text: string, force: boolean): Promise<void> {
  try {
    // "wx": the check and the write are one step, so a file created meanwhile is not overwritten either.
    await writeFile(file, text, { flag: force ? "w" : "wx" });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") throw new OutputExistsError(file);
    throw e;
  }
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

export async function runInit(options: InitOptions, out: (text: string) => void): Promise<number> {
  const file = resolve(options.out);
  // Refused before reading any database; write() checks again as it writes.
  if (!options.force && (await exists(file))) throw new OutputExistsError(file);
  if (!options.databaseUrl) {
    await write(file, templateConfig(), options.force);
    out(`wrote ${file}: a commented template (no database given: pass --database-url or set DATABASE_URL to list its tables).\n`);
    out(`Next: fill in database.url, then run  nomnom-live serve --config ${options.out}\n`);
    return 0;
  }
  const url = options.databaseUrl;
  const dialect = await openDatabase(url);
  let text: string;
  let summary: string;
  try {
    const entities = await discoverEntities(dialect);
    const skipped = (await dialect.listTables()).flatMap((t) => {
      const reason = skipReason(t);
      return reason ? [{ table: t.table, reason }] : [];
    });
    const where = `${dialect.name === "postgres" ? "PostgreSQL" : dialect.name === "mariadb" ? "MariaDB" : dialect.name === "mysql" ? "MySQL" : dialect.name} ${databaseAddress(url)}`;
    text = discoveredConfig({ discoveredIn: where, entities, skipped });
    const listed = entities.filter(configurable).map((e) => e.info.name);
    const left = skipped.length + entities.length - listed.length;
    summary = `${listed.length} entit${listed.length === 1 ? "y" : "ies"}${listed.length ? ` (${listed.join(", ")})` : ""} from ${where}${left ? `; ${left} table${left === 1 ? "" : "s"} left out, with the reason in the file` : ""}`;
  } finally {
    await dialect.close().catch(() => {});
  }
  await write(file, text, options.force);
  out(`wrote ${file}: ${summary}.\n`);
  out(`Next: review it, then run  DATABASE_URL=… nomnom-live serve --config ${options.out}\n`);
  return 0;
}
