/**
 * PostgreSQL through postgres.js. Every statement has a deadline (deadline.ts): server-side as the
 * session's `statement_timeout`, client-side by destroying the connections that stayed silent past it
 * (pg-sockets.ts); every socket has TCP keepalive.
 */
import postgres from "postgres";
import { clientDeadlineMs, DEFAULT_QUERY_TIMEOUT_MS, withDeadline } from "./deadline.ts";
import type { Doorbells } from "./doorbell.ts";
import { postgresDoorbells } from "./pg-doorbells.ts";
import { PgFamilyDialect } from "./pg-family.ts";
import { KEEPALIVE_MS, PgSockets } from "./pg-sockets.ts";

export interface PostgresOptions {
  max?: number;
  /** The server-side deadline of every statement; the client gives up a little later (deadline.ts). */
  queryTimeoutMs?: number;
}

export class PostgresDialect extends PgFamilyDialect {
  readonly name = "postgres" as const;
  readonly sql: postgres.Sql;
  private readonly sockets = new PgSockets();
  private readonly clientDeadlineMs: number;

  constructor(url: string, options: PostgresOptions = {}) {
    super();
    const timeoutMs = options.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
    this.clientDeadlineMs = clientDeadlineMs(timeoutMs);
    this.sql = postgres(url, {
      max: options.max ?? 4,
      onnotice: () => {},
      connect_timeout: 5,
      keep_alive: KEEPALIVE_MS / 1000,
      // postgres.js's (untyped) socket factory option.
      ...({ socket: this.sockets.create } as object),
      // A statement_timeout in the URL (?statement_timeout=…) takes precedence.
      connection: { statement_timeout: timeoutMs },
      // JSON-safe values straight from the driver: int8 and numeric stay strings (postgres.js default),
      // dates stay 'YYYY-MM-DD', timestamps without zone are read as UTC.
      types: {
        date: { to: 1184, from: [1184], serialize: (x: Date | string) => (x instanceof Date ? x : new Date(x)).toISOString(), parse: (x: string) => new Date(x) },
        plainDate: { to: 1082, from: [1082], serialize: (x: string) => x, parse: (x: string) => x },
        plainTimestamp: { to: 1114, from: [1114], serialize: (x: string) => x, parse: (x: string) => new Date(`${x.replace(" ", "T")}Z`) },
      },
    });
  }

  /** Runs `work`; past the client deadline, the connections silent since it began are destroyed and it rejects. */
  private deadline<T>(work: () => Promise<T>): Promise<T> {
    const mark = this.sockets.mark();
    return withDeadline(work(), this.clientDeadlineMs, () => {
      if (this.sockets.destroySilent(mark) === 0) this.sockets.destroyAll();
    });
  }

  private bells: Doorbells | undefined;
  get doorbells(): Doorbells {
    return (this.bells ??= postgresDoorbells(this.sql, (t, p) => this.run(t, p), (n) => this.quote(n)));
  }

  protected async run(text: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
    return await this.deadline(() => this.sql.unsafe(text, params as postgres.ParameterOrJSON<never>[], { prepare: true }).then((rows) => rows));
  }

  protected quoteIdent(part: string): string {
    // postgres.js's own identifier escaping (the value of its identifier fragment).
    return (this.sql(part) as unknown as { value: string }).value;
  }

  async execute(text: string): Promise<void> {
    await this.deadline(() => this.sql.unsafe(text).then(() => undefined));
  }

  async close(): Promise<void> {
    await this.sql.end({ timeout: 2 });
  }
}
