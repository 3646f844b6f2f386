/** Chooses the dialect from the database URL. */
import type { Dialect } from "./dialect.ts";

export class DatabaseUrlError extends Error {}

export async function openDatabase(url: string | undefined, options: { dataDir?: string } = {}): Promise<Dialect> {
  if (!url) {
    const { PgliteDialect } = await import("./pglite.ts");
    return PgliteDialect.open(options.dataDir);
  }
  const scheme = /^([a-z]+):\/\//i.exec(url)?.[1]?.toLowerCase();
  switch (scheme) {
    case "postgres":
    case "postgresql": {
      const { PostgresDialect } = await import("./postgres.ts");
      return new PostgresDialect(url);
    }
    case "mysql":
    case "mariadb": {
      // Loaded on demand, so PostgreSQL and PGlite users never load mysql2.
      const { MysqlDialect } = await import("./mysql.ts");
      return MysqlDialect.open(url);
    }
    default:
      throw new DatabaseUrlError(`database.url must start with postgres://, postgresql://, mysql:// or mariadb:// (got "${url.replace(/\/\/[^@/]*@/, "//…@")}")`);
  }
}
