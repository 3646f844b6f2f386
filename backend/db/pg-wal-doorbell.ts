/**
 * The `wal` doorbell on PostgreSQL: logical replication of the watched tables' inserts, for databases
 * where no trigger may be added. pgoutput sends a transaction only once it has committed, so the insert
 * messages of a transaction ring at its commit message.
 *
 * Nothing is ever left retaining WAL:
 * - the slot is TEMPORARY: PostgreSQL drops it when its connection ends, however it ends (a stop, a
 *   crash, kill -9 of this process — the walsender then sees the socket close and exits);
 * - while it runs, every position received is confirmed at once (a bell keeps no data), so the slot
 *   holds no WAL behind what it has been sent;
 * - the publication (a catalogue entry, which holds no WAL) is dropped on close, and one left by a
 *   process that died is dropped by the next start: its name is its slots' prefix, and a publication
 *   without a live slot of that prefix is stale. A slot is always created before its publication, so a
 *   live one is never taken for stale.
 *
 * The protocol is the one postgres.js's `subscribe` speaks (CREATE_REPLICATION_SLOT, START_REPLICATION
 * as a copy stream), reduced to what a bell needs: relation ids of inserts, commits, keepalives.
 */
import { randomBytes } from "node:crypto";
import type { Writable } from "node:stream";
import type postgres from "postgres";
import { bellConnection } from "./pg-notify-doorbell.ts";
import { BellRetry, errorText, type BellTable, type Doorbell, type DoorbellHandlers } from "./doorbell.ts";

type Run = (text: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;

/** Every slot and publication of a wal doorbell starts with this. */
export const WAL_PREFIX = "nomnom_live_wake_";

/** How often the received position is confirmed even when the server does not ask. */
const CONFIRM_MS = 5_000;
/** Microseconds from the Unix epoch to PostgreSQL's (2000-01-01). */
const PG_EPOCH_US = 946_684_800_000_000n;

const DROP_STALE_PUBLICATIONS = `DO $nomnom$
DECLARE p text;
BEGIN
  FOR p IN SELECT pubname FROM pg_publication
            WHERE starts_with(pubname, '${WAL_PREFIX}')
              AND NOT EXISTS (SELECT 1 FROM pg_replication_slots s WHERE starts_with(s.slot_name, pubname || '_'))
  LOOP
    BEGIN
      EXECUTE format('DROP PUBLICATION IF EXISTS %I', p);
    EXCEPTION WHEN insufficient_privilege THEN NULL; -- another role's: not ours to drop
    END;
  END LOOP;
END
$nomnom$`;

/** A standby status update confirming `lsn` as written, flushed and applied. */
function confirmation(lsn: bigint): Buffer {
  const x = Buffer.alloc(34);
  x[0] = 0x72; // 'r'
  x.writeBigUInt64BE(lsn, 1);
  x.writeBigUInt64BE(lsn, 9);
  x.writeBigUInt64BE(lsn, 17);
  x.writeBigUInt64BE(BigInt(Date.now()) * 1000n - PG_EPOCH_US, 25);
  return x;
}

export function pgWalDoorbell(base: postgres.Sql, run: Run, quote: (name: string) => string, tables: BellTable[], handlers: DoorbellHandlers): Doorbell {
  const name = `${WAL_PREFIX}${randomBytes(6).toString("hex")}`;
  let closed = false;
  const retry = new BellRetry(handlers, connect);
  let slots = 0;
  let pid: number | null = null;
  let streaming = false;
  let confirmTimer: ReturnType<typeof setInterval> | null = null;
  let repl: postgres.Sql | null = null;
  let stream: Writable | null = null;
  let published = false;

  async function publish(): Promise<Map<number, string[]>> {
    const byOid = new Map<number, string[]>();
    for (const t of tables) {
      const [r] = await run("SELECT to_regclass($1)::oid AS oid", [quote(t.table)]);
      if (r?.oid === null || r?.oid === undefined) throw new Error(`table ${t.table} does not exist`);
      const oid = Number(r.oid);
      byOid.set(oid, [...(byOid.get(oid) ?? []), t.key]);
    }
    if (!published) await run(DROP_STALE_PUBLICATIONS);
    const [exists] = await run("SELECT count(*)::int AS n FROM pg_publication WHERE pubname = $1", [name]);
    if (Number(exists!.n) === 0) {
      const list = [...new Set(tables.map((t) => quote(t.table)))].join(", ");
      // Inserts only; a partition's rows as its root's, which is the table the poller reads.
      await run(`CREATE PUBLICATION ${quote(name)} FOR TABLE ${list} WITH (publish = 'insert', publish_via_partition_root = true)`);
    }
    published = true;
    return byOid;
  }

  function lost(why: string): void {
    const was = streaming;
    streaming = false;
    pid = null;
    if (confirmTimer) clearInterval(confirmTimer);
    confirmTimer = null;
    const old = repl;
    repl = null;
    stream = null;
    void old?.end({ timeout: 0 }).catch(() => {});
    retry.dropped(was, why);
  }

  async function connect(): Promise<void> {
    if (closed) return;
    let failed = false;
    const fail = (why: string) => {
      if (failed || closed) return;
      failed = true;
      lost(why);
    };
    try {
      const conn = (repl = bellConnection(base, { replication: true, onclose: () => fail("the replication connection closed") }));
      const [me] = await conn.unsafe<{ pid: number }[]>("SELECT pg_backend_pid() AS pid");
      // A new slot name per connection: the last one's may outlive its connection for a moment.
      const slot = `${name}_${slots++}`;
      const [created] = await conn.unsafe<{ consistent_point: string }[]>(`CREATE_REPLICATION_SLOT ${slot} TEMPORARY LOGICAL pgoutput NOEXPORT_SNAPSHOT`);
      const byOid = await publish();
      const copy = await conn.unsafe(`START_REPLICATION SLOT ${slot} LOGICAL ${created!.consistent_point} (proto_version '1', publication_names '${name}')`).writable();
      if (closed || failed) {
        copy.end();
        return;
      }
      stream = copy;
      let received = 0n;
      const pending = new Set<string>();
      copy.on("data", (x: Buffer) => {
        if (x[0] === 0x77) {
          // XLogData: start, end, clock, then one pgoutput message.
          const end = x.readBigUInt64BE(9);
          if (end > received) received = end;
          const m = x.subarray(25);
          if (m[0] === 0x49) for (const key of byOid.get(m.readUInt32BE(1)) ?? []) pending.add(key); // Insert
          else if (m[0] === 0x43) {
            // Commit: the transaction's rows are visible.
            for (const key of pending) handlers.ring(key);
            pending.clear();
          }
        } else if (x[0] === 0x6b) {
          // Keepalive: the server's position, and whether it wants an answer now.
          const end = x.readBigUInt64BE(1);
          if (end > received) received = end;
          if (x[17]) copy.write(confirmation(received));
        }
      });
      copy.on("error", (e: unknown) => fail(errorText(e)));
      copy.on("close", () => fail("the replication stream ended"));
      confirmTimer = setInterval(() => {
        if (received > 0n) copy.write(confirmation(received));
      }, CONFIRM_MS);
      pid = Number(me!.pid);
      streaming = true;
      retry.connected();
    } catch (e) {
      fail(errorText(e));
    }
  }

  void connect();
  return {
    get pid() {
      return pid;
    },
    async close() {
      closed = true;
      retry.cancel();
      if (confirmTimer) clearInterval(confirmTimer);
      confirmTimer = null;
      const conn = repl;
      repl = null;
      stream?.end();
      stream = null;
      // Ending the connection ends its walsender, and the temporary slot with it.
      await conn?.end({ timeout: 1 }).catch(() => {});
      if (published) await run(`DROP PUBLICATION IF EXISTS ${quote(name)}`).catch(() => {});
    },
  };
}
