/**
 * Idle queries: a nomnom-live server in one `polling.wake` setting, with a client and no writes, and
 * the queries it sends per second as the proxy counts them — against one poll per interval, what it
 * sent before adaptive polling and doorbells (which must not raise it). Then what the quiet costs the
 * first row that comes: single rows after quiet spells, timed from COMMIT to a WebSocket client.
 */
import postgres from "postgres";
import WebSocket from "ws";
import { controlKind, rowIds } from "./frames.ts";
import { wallNow } from "./ipc.ts";
import { startQueryCounter, type QueryCounter } from "./pg-proxy.ts";
import type { IdleResult, TargetKey } from "./results.ts";
import { TABLE, tableSql, withSearchPath } from "./schema.ts";
import { TARGETS, type Started } from "./targets.ts";

/** After start, discovery, counts and the doorbell's setup are done by then. */
const WARM_UP_MS = 1500;
/** Single rows timed after quiet spells. */
const AFTER_QUIET_ROWS = 8;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Inserts `rows` single rows, each after a quiet spell of one and a half to two and a half intervals
 * (so the row falls at a random moment of the poller's interval), and returns each one's time from
 * COMMIT to its arrival at a WebSocket client, in ms.
 */
export async function afterQuiet(o: { url: string; admin: postgres.Sql; table: string; intervalMs: number; rows: number }): Promise<number[]> {
  const ws = new WebSocket(o.url, { perMessageDeflate: false });
  const arrived = new Map<number, number>();
  let subscribed!: () => void;
  const ready = new Promise<void>((resolve, reject) => {
    subscribed = resolve;
    ws.once("error", reject);
    setTimeout(() => reject(new Error("the after-quiet client was not subscribed in 10 s")), 10_000).unref();
  });
  ws.on("message", (data: Buffer) => {
    const t = wallNow();
    const ids: number[] = [];
    if (rowIds(data, ids) > 0) for (const id of ids) arrived.set(id, t);
    else if (controlKind(data) === "subscribed") subscribed();
  });
  try {
    await ready;
    const out: number[] = [];
    for (let i = 0; i < o.rows; i++) {
      await sleep(o.intervalMs * (1.5 + Math.random()));
      const [row] = await o.admin.unsafe<{ id: string }[]>(
        `INSERT INTO ${o.table} (order_key, customer_key, total_price, order_date, order_priority) VALUES ('QUIET-${i}', 'CUST-0000', 1, current_date, '5-LOW') RETURNING id`,
      );
      const committed = wallNow();
      const id = Number(row!.id);
      const until = committed + o.intervalMs * 3 + 2_000;
      while (!arrived.has(id) && wallNow() < until) await sleep(1);
      const at = arrived.get(id);
      if (at === undefined) throw new Error(`a row inserted after a quiet spell did not arrive in ${Math.round(until - committed)} ms`);
      out.push(Math.round(Math.max(0, at - committed) * 10) / 10);
    }
    return out;
  } finally {
    ws.terminate();
  }
}

export async function runIdle(o: { dbUrl: string; schema: string; tmpDir: string; target: TargetKey; intervalMs: number; durationMs: number; afterQuietRows?: number }): Promise<IdleResult> {
  const def = TARGETS[o.target];
  const base: IdleResult = { target: o.target, intervalMs: o.intervalMs, duration_s: o.durationMs / 1000, queries: 0, queries_per_s: 0, interval_per_s: Math.round((1000 / o.intervalMs) * 10) / 10, status: "failed" };
  const admin = postgres(o.dbUrl, { max: 1, onnotice: () => {} });
  let proxy: QueryCounter | null = null;
  let started: Started | null = null;
  try {
    await admin.unsafe(tableSql(o.schema) + (def.setupSql?.(o.schema) ?? ""));
    const url = new URL(o.dbUrl);
    proxy = await startQueryCounter({ host: url.hostname, port: Number(url.port || 5432) });
    const proxied = new URL(o.dbUrl);
    proxied.hostname = "127.0.0.1";
    proxied.port = String(proxy.port);
    const workload = { rate: 0, clients: 0, intervalMs: o.intervalMs, durationMs: o.durationMs, writers: 0, tickMs: 0, maxRowsPerTx: 0 };
    started = await def.start({ schema: o.schema, workload, serverDbUrl: withSearchPath(proxied.toString(), o.schema), directDbUrl: withSearchPath(o.dbUrl, o.schema), admin, tmpDir: o.tmpDir });
    await new Promise((r) => setTimeout(r, WARM_UP_MS));
    const q0 = proxy.queries;
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, o.durationMs));
    const queries = proxy.queries - q0;
    const s = (performance.now() - t0) / 1000;
    const quiet = await afterQuiet({ url: started.collector.url, admin, table: `${o.schema}.${TABLE}`, intervalMs: o.intervalMs, rows: o.afterQuietRows ?? AFTER_QUIET_ROWS });
    return { ...base, status: "ok", duration_s: Math.round(s * 10) / 10, queries, queries_per_s: Math.round((queries / s) * 10) / 10, after_quiet_ms: quiet };
  } catch (e) {
    return { ...base, error: e instanceof Error ? e.message : String(e) };
  } finally {
    await proxy?.close();
    await started?.server?.stop(300);
    await admin.unsafe(`DROP SCHEMA IF EXISTS ${o.schema} CASCADE; ${def.teardownSql?.(o.schema) ?? ""}`).catch(() => {});
    await admin.end({ timeout: 2 });
  }
}
