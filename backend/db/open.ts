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
      const specifier = "./mysql.ts";
      const mod = (await import(specifier).catch(() => null)) as { MysqlDialect: new (url: string) => Dialect } | null;
      if (!mod) throw new DatabaseUrlError("MySQL/MariaDB support is not available in this build");
      return new mod.MysqlDialect(url);
    }
    default:
      throw new DatabaseUrlError(`database.url must start with postgres://, postgresql://, mysql:// or mariadb:// (got "${url.replace(/\/\/[^@/]*@/, "//…@")}")`);
  }
}
