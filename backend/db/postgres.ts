/** PostgreSQL through postgres.js. */
import postgres from "postgres";
import { PgFamilyDialect } from "./pg-family.ts";

export class PostgresDialect extends PgFamilyDialect {
  readonly name = "postgres" as const;
  readonly sql: postgres.Sql;

  constructor(url: string, options: { max?: number } = {}) {
    super();
    this.sql = postgres(url, {
      max: options.max ?? 4,
      onnotice: () => {},
      connect_timeout: 5,
      // JSON-safe values straight from the driver: int8 and numeric stay strings (postgres.js default),
      // dates stay 'YYYY-MM-DD', timestamps without zone are read as UTC.
      types: {
        date: { to: 1184, from: [1184], serialize: (x: Date | string) => (x instanceof Date ? x : new Date(x)).toISOString(), parse: (x: string) => new Date(x) },
        plainDate: { to: 1082, from: [1082], serialize: (x: string) => x, parse: (x: string) => x },
        plainTimestamp: { to: 1114, from: [1114], serialize: (x: string) => x, parse: (x: string) => new Date(`${x.replace(" ", "T")}Z`) },
      },
    });
  }

  protected async run(text: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
    return await this.sql.unsafe(text, params as postgres.ParameterOrJSON<never>[], { prepare: true });
  }

  protected quoteIdent(part: string): string {
    // postgres.js's own identifier escaping (the value of its identifier fragment).
    return (this.sql(part) as unknown as { value: string }).value;
  }

  async execute(text: string): Promise<void> {
    await this.sql.unsafe(text);
  }

  async close(): Promise<void> {
    await this.sql.end({ timeout: 2 });
  }
}
