/**
 * One client's replays do not slow the live stream of the others: a client that floods `subscribe`
 * with cursor 0 on a 20,000-row table (rows of ~4 KB; the rate limit lets 100 through) used to queue a
 * replay read per accepted subscribe ahead of the polls, and another client's p99 delivery time went
 * from 253 to 907 ms. Replays now wait for turns of a server-wide budget (backend/stream/replay-budget.ts).
 *
 * Shown by comparison in the same run: a live client's p99 delivery time while rows are written at a
 * steady rate, first undisturbed, then while the flood (from a process of its own) runs — on
 * PostgreSQL and MariaDB — against 1.5× the quiet p99, or the quiet p99 plus SLACK_MS when that is more
 * (a p99 near one poll interval moves by tens of milliseconds on its own). A round past its bound is
 * measured again, up to three rounds, and the test fails when all three are: under `npm test` another
 * suite shares the two cores, and one round in CI went to 261 ms on PostgreSQL with the budget in place
 * and the machine's timers no more than 22 ms late (a canary process reports those stalls in the
 * message). Without the budget (its limits lifted) MariaDB still fails all three rounds (471, 138 and
 * 202 ms against bounds of 136, 84 and 82 ms), so the retries do not hide a lost budget. Before the budget the first
 * flood took the p99 to 180–370 ms on PostgreSQL and 250–900 ms on MariaDB (quiet: ~100 ms, bound
 * ~155 ms); with it, the p99 during the flood stays at or below the quiet one.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { createTestDatabase, skipReason, type DbKind, type TestDatabase } from "../helpers/databases.ts";
import { startBackend, type TestBackend } from "../helpers/backend.ts";
import { contractSchema, isMysqlFamily } from "../helpers/schema.ts";
import { TestClient } from "../helpers/ws-client.ts";

const TABLE_ROWS = 20_000;
/** Each row of the table carries a note of this many characters, as rows with a text column or two do. */
const NOTE_CHARS = 4000;
const WRITE_EVERY_MS = 20;
const PHASE_MS = 4000;
const SLACK_MS = 50;
const YAML = "polling: { interval_ms: 100 }\nentities:\n  - { name: Order, table: orders }\n";

function p99(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))]!;
}

const FLOOD = fileURLToPath(new URL("./subscribe-flood.ts", import.meta.url));

/** A child process spoken to in lines: `ask` writes one and resolves with the first line that matches. */
function lineChild(args: string[]) {
  const child = spawn(process.execPath, args, { stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout });
  const waiters: [RegExp, (m: RegExpExecArray) => void][] = [];
  lines.on("line", (line) => {
    for (const [i, [re, resolve]] of waiters.entries()) {
      const m = re.exec(line);
      if (m) {
        waiters.splice(i, 1);
        return resolve(m);
      }
    }
  });
  const expect = (re: RegExp) => new Promise<RegExpExecArray>((resolve) => waiters.push([re, resolve]));
  return {
    expect,
    ask: (line: string, re: RegExp) => {
      child.stdin.write(`${line}\n`);
      return expect(re);
    },
    kill: () => child.kill(),
  };
}

/**
 * The flood — 5,000 `subscribe` messages with cursor 0 in 0.8 s, on a connection that reads all it is
 * sent — from a process of its own (subscribe-flood.ts), connected and ready to `go`.
 */
async function floodClient(wsUrl: string) {
  const child = lineChild(["--import", "tsx", FLOOD, wsUrl, "Order"]);
  await child.expect(/^open$/);
  return {
    go: () => child.ask("go", /^sent$/),
    calm: () => child.ask("calm", /^calm$/),
    stop: async () => Number((await child.ask("stop", /^received (\d+)$/))[1]),
  };
}

/** A process that only runs a 10 ms timer: how late it fired at worst since the last question is how long the machine stalled. */
async function canary() {
  const script = `let last = Date.now(), worst = 0;
setInterval(() => { const now = Date.now(); worst = Math.max(worst, now - last - 10); last = now; }, 10);
require("node:readline").createInterface({ input: process.stdin }).on("line", () => { process.stdout.write("stall " + worst + "\\n"); worst = 0; });
process.stdout.write("ready\\n");`;
  const child = lineChild(["-e", script]);
  await child.expect(/^ready$/);
  return { stall: async () => Number((await child.ask("?", /^stall (\d+)$/))[1]), stop: () => child.kill() };
}

for (const kind of ["postgres", "mariadb"] as const satisfies DbKind[]) {
  describe(`replay isolation on ${kind}`, { skip: await skipReason(kind) }, () => {
    let db: TestDatabase;
    let tb: TestBackend;
    before(async () => {
      db = await createTestDatabase(kind);
      await db.dialect.execute(contractSchema(kind));
      await db.dialect.execute(isMysqlFamily(kind) ? "ALTER TABLE orders ADD COLUMN note TEXT" : "ALTER TABLE orders ADD COLUMN note text");
      for (let from = 1; from <= TABLE_ROWS; from += 1000) {
        const rows = Array.from({ length: 1000 }, (_, i) => `('O-${from + i}', ${from + i}, '${"n".repeat(NOTE_CHARS)}')`);
        await db.dialect.execute(`INSERT INTO orders (order_key, total, note) VALUES ${rows.join(", ")}`);
      }
      tb = await startBackend(db, YAML);
    });
    after(async () => {
      await tb?.stop();
      await db?.drop();
    });

    /** Writes one row every WRITE_EVERY_MS for PHASE_MS (while `during` runs); the live client's delivery times of them. */
    async function deliveryTimes(live: TestClient, tag: string, during: () => Promise<unknown> = async () => {}): Promise<number[]> {
      const written = new Map<string, number>();
      const writing = (async () => {
        const end = Date.now() + PHASE_MS;
        for (let n = 0; Date.now() < end; n++) {
          const key = `${tag}-${n}`;
          written.set(key, Date.now());
          await db.dialect.execute(`INSERT INTO orders (order_key, total) VALUES ('${key}', 1)`);
          await new Promise((r) => setTimeout(r, WRITE_EVERY_MS));
        }
      })();
      await Promise.all([writing, during()]);
      await live.waitFor(`every ${tag} row`, () => live.changes("Order").filter((c) => String(c.data.order_key).startsWith(`${tag}-`)).length === written.size, 30_000);
      const times: number[] = [];
      live.messages.forEach((m, i) => {
        const events = m.type === "batch" ? m.events : m.type === "insert" ? [m] : [];
        for (const e of events) {
          const at = written.get(String(e.data.order_key));
          if (at !== undefined) times.push(live.arrivals[i]! - at);
        }
      });
      return times;
    }

    it("keeps another client's p99 delivery time within 1.5× while one client floods subscribes with cursor 0", { timeout: 120_000 }, async () => {
      const live = await TestClient.connect(`${tb.wsUrl}?subscribe=manual`);
      live.send({ type: "subscribe", snapshot: false });
      await live.waitFor("subscribed", () => live.ofType("subscribed").length === 1);

      const abuser = await floodClient(tb.wsUrl);
      const machine = await canary();
      let last = { quiet: 0, flooded: 0, bound: 0, stall: 0 };
      try {
        for (let round = 1; round <= 3; round++) {
          await machine.stall();
          const quiet = p99(await deliveryTimes(live, `quiet${round}`));
          const flooded = p99(await deliveryTimes(live, `flood${round}`, abuser.go));
          last = { quiet, flooded, bound: Math.max(1.5 * quiet, quiet + SLACK_MS), stall: await machine.stall() };
          await abuser.calm();
          console.log(`${kind}, round ${round}: live p99 ${quiet} ms quiet, ${flooded} ms during the flood (bound ${last.bound} ms; the machine stalled ${last.stall} ms)`);
          if (flooded <= last.bound) break;
        }
        assert.ok(await abuser.stop(), "the flood was answered");
      } finally {
        machine.stop();
      }
      assert.ok(last.flooded <= last.bound, `p99 during the flood ${last.flooded} ms > ${last.bound} ms (quiet: ${last.quiet} ms; the machine stalled ${last.stall} ms at most)`);
      await live.close();
    });
  });
}
