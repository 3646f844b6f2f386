/** The embedded database: PGlite (PostgreSQL compiled to WebAssembly), in memory or in a data directory. */
import { PGlite, types } from "@electric-sql/pglite";
import { identifier, query } from "@electric-sql/pglite/template";
import type { Doorbells } from "./doorbell.ts";
import { pgliteDoorbells } from "./pg-doorbells.ts";
import { PgFamilyDialect } from "./pg-family.ts";

export class PgliteDialect extends PgFamilyDialect {
  readonly name = "pglite" as const;

  private constructor(readonly db: PGlite) {
    super();
  }

  static async open(dataDir?: string): Promise<PgliteDialect> {
    const db = await PGlite.create(dataDir, {
      parsers: {
        [types.INT8]: (x: string) => x,
        [types.NUMERIC]: (x: string) => x,
        [types.DATE]: (x: string) => x,
        [types.TIMESTAMP]: (x: string) => new Date(`${x.replace(" ", "T")}Z`),
      },
    });
    return new PgliteDialect(db);
  }

  private bells: Doorbells | undefined;
  get doorbells(): Doorbells {
    return (this.bells ??= pgliteDoorbells(this.db, (t, p) => this.run(t, p), (n) => this.quote(n)));
  }

  protected async run(text: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
    return (await this.db.query<Record<string, unknown>>(text, params)).rows;
  }

  protected quoteIdent(part: string): string {
    return query`${identifier`${part}`}`.query;
  }

  async execute(text: string): Promise<void> {
    await this.db.exec(text);
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
