/**
 * Chooses the dialect from the database URL and opens it. A database that cannot be opened (the server
 * unreachable, no such database or role, the login refused) is a DatabaseUnavailableError saying what
 * is wrong and what to do, never a driver's stack trace.
 */
import type { Dialect } from "./dialect.ts";
import { DatabaseAccessError, explainOpenError } from "./errors.ts";

export class DatabaseUrlError extends Error {}

/** `queryTimeoutMs`: every statement's deadline on a database server (deadline.ts); the embedded PGlite has none. */
export async function openDatabase(url: string | undefined, options: { dataDir?: string; queryTimeoutMs?: number } = {}): Promise<Dialect> {
  if (!url) {
    const { PgliteDialect } = await import("./pglite.ts");
    return PgliteDialect.open(options.dataDir);
  }
  const scheme = /^([a-z]+):\/\//i.exec(url)?.[1]?.toLowerCase();
  switch (scheme) {
    case "postgres":
    case "postgresql": {
      const { PostgresDialect } = await import("./postgres.ts");
      const dialect = new PostgresDialect(url, { queryTimeoutMs: options.queryTimeoutMs });
      try {
        // postgres.js connects on the first query: make it here, so a bad URL fails at start, clearly.
        await dialect.ping();
      } catch (e) {
        await dialect.close().catch(() => {});
        throw explainOpenError(e, url, "PostgreSQL");
      }
      return dialect;
    }
    case "mysql":
    case "mariadb": {
      // Loaded on demand, so PostgreSQL and PGlite users never load mysql2.
      const { MysqlDialect } = await import("./mysql.ts");
      try {
        return await MysqlDialect.open(url, { queryTimeoutMs: options.queryTimeoutMs });
      } catch (e) {
        if (e instanceof DatabaseAccessError) throw e;
        throw explainOpenError(e, url, scheme === "mariadb" ? "MariaDB" : "MySQL/MariaDB");
      }
    }
    default:
      throw new DatabaseUrlError(`database.url must start with postgres://, postgresql://, mysql:// or mariadb:// (got "${url.replace(/\/\/[^@/]*@/, "//…@")}")`);
  }
}
