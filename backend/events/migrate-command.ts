/** `nomnom-live migrate [--config FILE]`: opens the configured database, applies the changelog (or wake) SQL, says what it did. */
import type { Config } from "../config/schema.ts";
import { openDatabase } from "../db/open.ts";
import { EVENTS_TABLE } from "./changelog.ts";
import { migrate } from "./migrate.ts";

export async function runMigrate(config: Config, source: string, out: (text: string) => void = (t) => process.stdout.write(t)): Promise<number> {
  const dialect = await openDatabase(config.database.url, { dataDir: config.database.data_dir });
  try {
    const result = await migrate(dialect, config.entities, source, config.polling);
    const list = result.entities.map((e) => `${e.info.name} (${e.ref.table})`).join(", ") || "no entities";
    if (result.installed === "wake") {
      out(`the wake triggers of ${list} are in place on ${dialect.name}: each insert statement notifies, and a poll runs right after its commit.\n`);
      return 0;
    }
    out(`${EVENTS_TABLE} and the insert/update/delete triggers of ${list} are in place on ${dialect.name}.\n`);
    if (config.polling.mode !== "events") out(`polling.mode is ${config.polling.mode}: set polling.mode: events to stream from ${EVENTS_TABLE}.\n`);
    return 0;
  } finally {
    await dialect.close().catch(() => {});
  }
}
