/**
 * Test databases. Every test gets its own: a fresh in-memory PGlite, its own schema on the real
 * PostgreSQL (127.0.0.1:5432, database `test`), or its own database on the real MariaDB (127.0.0.1:3306,
 * root). With CI=true a missing server is a failure, not a skip.
 */
import { randomBytes } from "node:crypto";
import mysql from "mysql2/promise";
import postgres from "postgres";
import type { Dialect } from "../../backend/db/dialect.ts";
import { MysqlDialect } from "../../backend/db/mysql.ts";
import { PgliteDialect } from "../../backend/db/pglite.ts";
import { PostgresDialect } from "../../backend/db/postgres.ts";

export type DbKind = "pglite" | "postgres" | "mariadb";

export const POSTGRES_URL = process.env.NOMNOM_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";
/** The server, without a database: each test creates its own. */
export const MARIADB_URL = process.env.NOMNOM_TEST_MARIADB_URL ?? "mysql://root@127.0.0.1:3306/";
export const IN_CI = process.env.CI === "true";

export interface TestDatabase {
  kind: DbKind;
  /** URL a backend can open (PostgreSQL: with its own search_path); undefined for PGlite. */
  url?: string;
  /** For setup and writes from the test itself. With PGlite it is the one instance the backend shares. */
  dialect: Dialect;
  /** Runs `fn` inside a transaction on a connection of its own (PGlite: the shared instance). */
  transaction(fn: (exec: (sql: string) => Promise<unknown[]>) => Promise<void>): Promise<void>;
  /** The dialect to give the backend: its own for PostgreSQL, the shared instance for PGlite. */
  backendDialect(): Promise<{ dialect: Dialect; owned: boolean }>;
  drop(): Promise<void>;
}

const reachable = new Map<string, Promise<string | null>>();

async function probeMariadb(url: string): Promise<string | null> {
  try {
    const conn = await mysql.createConnection({ uri: url, connectTimeout: 3000 });
    await conn.query("SELECT 1");
    await conn.end();
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

async function probe(url: string): Promise<string | null> {
  const sql = postgres(url, { max: 1, connect_timeout: 3, onnotice: () => {} });
  try {
    await sql`select 1`;
    return null;
  } catch (e) {
    return (e as Error).message;
  } finally {
    await sql.end({ timeout: 1 }).catch(() => {});
  }
}

/** Why a suite on `kind` is skipped here, or undefined to run it. Never skips in CI. */
export async function skipReason(kind: DbKind): Promise<string | undefined> {
  if (kind === "pglite" || IN_CI) return undefined;
  if (kind === "mariadb") {
    if (!reachable.has(kind)) reachable.set(kind, probeMariadb(MARIADB_URL));
    const error = await reachable.get(kind)!;
    return error ? `MariaDB not reachable at ${MARIADB_URL} (${error}); skipped outside CI` : undefined;
  }
  if (!reachable.has(kind)) reachable.set(kind, probe(POSTGRES_URL));
  const error = await reachable.get(kind)!;
  return error ? `PostgreSQL not reachable at ${POSTGRES_URL} (${error}); skipped outside CI` : undefined;
}

export function uniqueName(prefix = "nn"): string {
  return `${prefix}_${randomBytes(5).toString("hex")}`;
}

/** `server`: another MariaDB server's URL (without a database) than MARIADB_URL, e.g. a private one. */
export async function createTestDatabase(kind: DbKind, options: { server?: string } = {}): Promise<TestDatabase> {
  if (kind === "pglite") {
    const dialect = await PgliteDialect.open();
    return {
      kind,
      dialect,
      async transaction(fn) {
        await dialect.db.transaction(async (tx) => {
          await fn(async (sql) => (await tx.query(sql)).rows);
        });
      },
      backendDialect: async () => ({ dialect, owned: false }),
      drop: () => dialect.close(),
    };
  }
  if (kind === "mariadb") return createMariadbDatabase(options.server ?? MARIADB_URL);
  const schema = uniqueName("nn_test");
  const admin = postgres(POSTGRES_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const url = `${POSTGRES_URL}${POSTGRES_URL.includes("?") ? "&" : "?"}search_path=${schema}`;
  const dialect = new PostgresDialect(url, { max: 24 });
  return {
    kind,
    url,
    dialect,
    async transaction(fn) {
      await dialect.sql.begin(async (tx) => {
        await fn(async (sql) => await tx.unsafe(sql));
      });
    },
    backendDialect: async () => ({ dialect: new PostgresDialect(url), owned: true }),
    async drop() {
      await dialect.close();
      const a = postgres(POSTGRES_URL, { max: 1, onnotice: () => {} });
      await a.unsafe(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await a.end();
    },
  };
}

/** A MariaDB URL for `database` on the test server (the same user and host as MARIADB_URL). */
export function mariadbUrl(database: string, server = MARIADB_URL): string {
  const u = new URL(server);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Runs one statement as the server's administrator (CREATE/DROP DATABASE, users). */
export async function mariadbAdmin(sql: string, server = MARIADB_URL): Promise<void> {
  const conn = await mysql.createConnection({ uri: server, connectTimeout: 3000 });
  try {
    await conn.query(sql);
  } finally {
    await conn.end();
  }
}

async function createMariadbDatabase(server: string): Promise<TestDatabase> {
  const database = uniqueName("nn_test");
  await mariadbAdmin(`CREATE DATABASE ${database}`, server);
  const url = mariadbUrl(database, server);
  const dialect = await MysqlDialect.open(url, { max: 24 });
  return {
    kind: "mariadb",
    url,
    dialect,
    async transaction(fn) {
      // A dedicated connection: the transaction's statements must not interleave with others on the pool.
      const conn = await dialect.pool.getConnection();
      try {
        await conn.query("START TRANSACTION");
        try {
          await fn(async (sql) => {
            const [rows] = await conn.query(sql);
            return Array.isArray(rows) ? (rows) : [];
          });
          await conn.query("COMMIT");
        } catch (e) {
          await conn.query("ROLLBACK").catch(() => {});
          throw e;
        }
      } finally {
        conn.release();
      }
    },
    backendDialect: async () => ({ dialect: await MysqlDialect.open(url), owned: true }),
    async drop() {
      await dialect.close();
      await mariadbAdmin(`DROP DATABASE IF EXISTS ${database}`, server);
    },
  };
}

export const ALL_KINDS: DbKind[] = ["pglite", "postgres", "mariadb"];
