/**
 * The benchmark harness itself: ids are read from every design's frames as a full parse would, missing
 * rows are judged lost or backlog as documented, and a tiny end-to-end run against the real PostgreSQL
 * produces every figure for every target and counts a planted loss and duplicate exactly.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { batchFrame, changeFrame } from "../../backend/stream/frames.ts";
import { runBench } from "../../bench/harness/bench.ts";
import { Collector } from "../../bench/harness/collector.ts";
import { rowIds } from "../../bench/harness/frames.ts";
import { Histogram } from "../../bench/harness/histogram.ts";
import type { TargetResult } from "../../bench/harness/results.ts";
import { seedRowFrame } from "../../bench/harness/row-frame.ts";
import { TARGETS } from "../../bench/harness/targets.ts";
// The seed comparison's targets (nomnom-live's default configuration, the seeds, the NOTIFY floor, the
// per-commit ceilings); wake-targets.test.ts runs those the doorbells added.
import { BASE_TARGETS as ALL_TARGETS, type Plan } from "../../bench/plan.ts";
import { renderDoc, renderReadmeSection, replaceReadmeSection } from "../../bench/render.ts";
import { POSTGRES_URL, skipReason } from "../helpers/databases.ts";

const row = (id: number | string) => ({ id, order_key: `ORDER-${id}`, note: 'has "data":{"id":999 inside a string', total_price: "12.50" });

function parsedIds(frame: string): number[] {
  const m = JSON.parse(frame) as { type?: string; events?: { data: { id: unknown } }[]; data?: { id?: unknown } };
  if (m.type === "batch") return m.events!.map((e) => Number(e.data.id));
  return m.data && !Array.isArray(m.data) && "id" in m.data ? [Number(m.data.id)] : [];
}

describe("bench frames", () => {
  test("ids are read from every design's row frames exactly as a full JSON parse reads them", () => {
    const ts = new Date().toISOString();
    const frames = [
      changeFrame('"Order"', { type: "insert", id: 41n, data: row("41") }, ts),
      changeFrame('"Order"', { type: "insert", id: 9007199254740993n, data: row(123456789) }, ts),
      batchFrame([changeFrame('"Order"', { type: "insert", id: 7n, data: row("7") }, ts), changeFrame('"Order"', { type: "insert", id: 8n, data: row("8") }, ts)], ts),
      JSON.stringify({ entity: "Order", event_type: "insert", data: row("55"), timestamp: ts }), // seed-000
      JSON.stringify({ entity: "Order", event_type: "insert", data: row(56), timestamp: ts }), // seed-001 (row_to_json)
      seedRowFrame(row("57")),
    ];
    for (const f of frames) {
      const out: number[] = [];
      rowIds(Buffer.from(f), out);
      assert.deepEqual(out, parsedIds(f), f);
    }
    // Control messages carry no row ids, whatever their data holds.
    for (const f of [
      JSON.stringify({ type: "snapshot", timestamp: ts, entity: "Order", data: [row(1), row(2)], last_id: 2 }),
      JSON.stringify({ type: "stats_update", timestamp: ts, data: { Order: { total: 3, last_id: 2 } } }),
      JSON.stringify({ type: "subscribed", timestamp: ts, entities: ["Order"], cursors: { Order: 2 } }),
    ]) {
      const out: number[] = [];
      assert.equal(rowIds(Buffer.from(f), out), 0, f);
    }
  });

  test("percentiles are within the histogram's 1.6 % precision", () => {
    const h = new Histogram();
    for (let i = 1; i <= 10_000; i++) h.add(i / 10); // 0.1 … 1000 ms
    const s = h.summary();
    for (const [q, want] of [
      [s.p50, 500],
      [s.p95, 950],
      [s.p99, 990],
    ] as const) {
      assert.ok(q !== null && q >= want && q <= want * 1.017, `${q} vs ${want}`);
    }
    assert.equal(s.max, 1000);
    assert.equal(s.samples, 10_000);
    // Deliveries that never came rank above all: 2 % of them leave p99 undefined, not a survivors' figure.
    const c = h.summary(205);
    assert.equal(c.p99, null);
    assert.ok(c.p95 !== null && c.p95 >= 969 && c.p95 <= 969 * 1.017, String(c.p95));
    assert.equal(c.undelivered, 205);
  });
});

describe("bench warm-up", () => {
  test("rows committed in the warm-up are judged like any other but not timed", () => {
    const c = new Collector(2);
    // Rows 1–5 committed in the warm-up (t = 1000), rows 6–10 in the measured window (t = 3000).
    c.commits({ type: "commits", ids: Float64Array.from([1, 2, 3, 4, 5]), times: new Float64Array(5).fill(1000) });
    c.measuringFrom(2000);
    c.commits({ type: "commits", ids: Float64Array.from([6, 7, 8, 9, 10]), times: new Float64Array(5).fill(3000) });
    c.writerDone(10, 2000, 4000);
    c.clients[0]!.ready = true;
    c.clients[1]!.ready = true;
    // The warm-up's rows arrive late (900 ms), the measured ones in 10 ms; client 1 never gets row 2.
    c.delivered(0, [1, 2, 3, 4, 5], 1900);
    c.delivered(1, [1, 3, 4, 5], 1900);
    c.delivered(0, [6, 7, 8, 9, 10], 3010);
    c.delivered(1, [6, 7, 8, 9, 10], 3010);
    const r = c.report({ holes: true, passed: { kind: "none" } });
    assert.equal(r.latency.samples, 10);
    assert.equal(r.latency.max, 10);
    assert.equal(r.latencyAllClients.samples, 5);
    assert.equal(r.latencyFirstClient.max, 10);
    // The warm-up's missing row is a loss all the same.
    assert.deepEqual([r.totals.lost, r.perClient[1]!.lostSample], [1, [2]]);
  });
});

describe("bench judgement of missing rows", () => {
  function collectorWith(received: number[][]): Collector {
    const c = new Collector(received.length);
    const ids = Float64Array.from({ length: 10 }, (_, i) => i + 1);
    c.commits({ type: "commits", ids, times: new Float64Array(10).fill(1000) });
    c.writerDone(10, 0, 2000);
    for (const [k, got] of received.entries()) {
      c.clients[k]!.ready = true;
      c.delivered(k, got, 1100);
    }
    return c;
  }

  test("holes in an ordered stream are lost; rows past a client's last id are backlog", () => {
    // Client 0 misses 4 (a hole) and got 6 twice; client 1 stopped after 6.
    const r = collectorWith([[1, 2, 3, 5, 6, 6, 7, 8, 9, 10], [1, 2, 3, 4, 5, 6]]).report({ holes: true, passed: { kind: "none" } });
    assert.deepEqual(
      r.perClient.map((p) => [p.received, p.lost, p.duplicated, p.backlog, p.lostSample]),
      [
        [9, 1, 1, 0, [4]],
        [6, 0, 0, 4, []],
      ],
    );
    assert.deepEqual([r.totals.lost, r.totals.duplicated, r.totals.backlog, r.totals.clientsWithLoss], [1, 1, 4, 1]);
    assert.equal(r.latency.samples, 15);
    assert.equal(r.latency.p50, 100);
  });

  test("rows the server passed are lost for a design that never goes back; the rest is backlog", () => {
    const c = collectorWith([[1, 2, 3, 4, 5, 6], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]]);
    const r = c.report({ holes: false, passed: { kind: "upTo", id: 8 } });
    assert.deepEqual(r.perClient[0]!.lostSample, [7, 8]);
    assert.deepEqual([r.perClient[0]!.lost, r.perClient[0]!.backlog, r.perClient[1]!.lost], [2, 2, 0]);
    const bits = new Uint8Array(2);
    for (const id of [1, 2, 3, 4, 5, 6, 9]) bits[id >>> 3]! |= 1 << (id & 7);
    const r2 = collectorWith([[1, 2, 3, 4, 5, 6]]).report({ holes: false, passed: { kind: "bitmap", bits } });
    assert.deepEqual([r2.perClient[0]!.lost, r2.perClient[0]!.backlog, r2.perClient[0]!.lostSample], [1, 3, [9]]);
  });
});

const skip = await skipReason("postgres");

describe("bench harness, end to end", { skip }, () => {
  test("a tiny run of every target yields every figure, and a planted loss and duplicate are counted exactly", { timeout: 170_000 }, async () => {
    const workload = { rate: 400, clients: 3, intervalMs: 100, durationMs: 800, warmupMs: 300, writers: 2, tickMs: 10, maxRowsPerTx: 50 };
    const plan: Plan = {
      scenarios: [{ id: "tiny", title: "tiny", workload, targets: ALL_TARGETS }],
      search: [{ target: "nomnom-batch", intervalMs: 100, durationMs: 800, p99LimitMs: 10_000, clients: [2], rates: [100] }],
      soak: { target: "nomnom-batch", workload: { ...workload, durationMs: 1_500 }, sampleMs: 150 },
      maxDrainMs: 4_000,
      settleLimitMs: 4_000,
      stallMs: 1_000,
      quietMs: 400,
    };
    const res = await runBench(plan, {
      dbUrl: POSTGRES_URL,
      command: "tests/bench/quick.test.ts",
      quick: true,
      plant: { target: "nomnom-row", fault: { client: 1, dropNth: 3, duplicateNth: 5 } },
      log: () => {},
    });

    const results = res.scenarios[0]!.results;
    assert.deepEqual(
      results.map((r) => r.target),
      ALL_TARGETS,
    );
    const figures = (r: TargetResult) => {
      assert.equal(r.status, "ok", `${r.target}: ${r.error}`);
      const want = (r.workload.rate * r.workload.durationMs) / 1000;
      assert.ok(r.insert.rows >= want * 0.5 && r.insert.rows <= want * 1.1, `${r.target} inserted ${r.insert.rows} of ${want}`);
      for (const l of [r.latency_ms, r.latency_first_client_ms, r.latency_all_clients_ms]) {
        for (const k of ["p50", "p95", "p99", "max"] as const) assert.equal(typeof l?.[k], "number", `${r.target} ${k}`);
      }
      // The warm-up's rows are delivered and judged, but timed only when committed in the measured window.
      const warm = r.insert.warmup?.rows ?? 0;
      if (r.workload.warmupMs) assert.ok(warm > 0, `${r.target}: no warm-up rows`);
      assert.ok(r.delivered_rows_per_s! > 0 && r.deliveries! >= r.insert.rows + warm, r.target);
      assert.ok(r.latency_all_clients_ms!.samples <= r.insert.rows, `${r.target}: ${r.latency_all_clients_ms!.samples} rows timed of ${r.insert.rows} measured`);
      assert.ok(r.correctness, r.target);
      assert.equal(r.correctness.extra, 0, r.target);
      assert.equal(typeof r.clients_process?.cpu_pct, "number", r.target);
      assert.equal(typeof r.machine_busy_pct, "number");
      if (r.target !== "notify-floor") {
        assert.equal(typeof r.server?.cpu_s, "number", r.target);
        assert.ok(r.server!.peak_rss_mb! > 10, r.target);
      }
      if (TARGETS[r.target].usesDb) assert.ok(r.db && r.db.queries > 0 && r.db.queries_per_s > 0, `${r.target} counted no queries`);
      else assert.equal(r.db, null);
      // Every committed row is accounted for, per client: received, lost or backlog.
      for (const p of r.correctness.per_client) assert.equal(p.received + p.lost + p.backlog, r.insert.rows + warm, `${r.target} client ${p.client}`);
      assert.equal(r.deliveries, r.correctness.per_client.reduce((a, p) => a + p.received + p.duplicated, 0), r.target);
    };
    for (const r of results) figures(r);

    // The planted fault: exactly one row lost and one duplicated, for that client only.
    const planted = results.find((r) => r.target === "nomnom-row")!;
    assert.deepEqual(
      planted.correctness!.per_client.map((p) => [p.client, p.lost, p.duplicated]),
      [
        [0, 0, 0],
        [1, 1, 1],
        [2, 0, 0],
      ],
    );
    assert.deepEqual([planted.correctness!.lost, planted.correctness!.duplicated, planted.correctness!.backlog], [1, 1, 0]);
    // Without a plant nomnom-live delivers everything once.
    const batch = results.find((r) => r.target === "nomnom-batch")!;
    assert.deepEqual([batch.correctness!.lost, batch.correctness!.duplicated, batch.correctness!.backlog], [0, 0, 0]);

    // Ratios of ours to every other target.
    assert.equal(res.scenarios[0]!.ratios.length, 2 * 5);
    assert.ok(res.scenarios[0]!.ratios.every((x) => typeof x.latency_p99_diff_ms === "number"));

    assert.equal(res.search[0]!.steps.length, 1);
    assert.equal(res.search[0]!.steps[0]!.pass, true, res.search[0]!.steps[0]!.why);
    assert.deepEqual(res.search[0]!.best, [{ clients: 2, rate: 100, p99: res.search[0]!.steps[0]!.result.latency_ms!.p99 }]);
    figures(res.search[0]!.steps[0]!.result);

    const soak = res.soak!;
    figures(soak.result);
    // Sampled from the start to the end of the run (drain included), every 150 ms at most.
    const ts = soak.rss.samples.map(([t]) => t);
    assert.ok(ts.length >= 3, `${ts.length} RSS samples`);
    assert.ok(ts[0]! < 0.5, `first sample at ${ts[0]} s`);
    assert.ok(ts.at(-1)! >= 1.5, `last sample at ${ts.at(-1)} s`);
    assert.ok(ts.every((t, i) => i === 0 || t >= ts[i - 1]!), "samples in time order");
    for (const k of ["start_mb", "end_mb", "peak_mb", "slope_mb_per_min"] as const) assert.equal(typeof soak.rss[k], "number", k);

    assert.ok(res.machine.cores > 0 && res.machine.postgres.length > 0 && res.machine.node === process.version);

    // The document and the README block say what the JSON says.
    const doc = renderDoc(res, "bench/results/test.json");
    assert.match(doc, new RegExp(`\\| CPU \\| ${res.machine.cpu.replace(/[()]/g, ".")}, ${res.machine.cores} cores \\|`));
    assert.ok(doc.includes("`tests/bench/quick.test.ts`"));
    const cells = doc
      .split("\n")
      .find((l) => l.startsWith("| nomnom-live, per-row frames |"))!
      .split("|")
      .map((x) => x.trim());
    const p99 = planted.latency_ms!.p99!;
    assert.ok(Math.abs(Number(cells[4]!.replace(/,/g, "")) - p99) <= 0.5, `p99 cell ${cells[4]} vs ${p99}`);
    assert.deepEqual([cells[9], cells[10], cells[11]], ["1", "1", "0"]); // lost, duplicated, backlog
    assert.match(doc, /\*\*tiny, nomnom-live, per-row frames\*\*: 1 row deliveries lost .*; 1 duplicated/);
    const readme = "# x\n<!-- section: a -->\nA\n<!-- /section -->\n<!-- section: benchmarks -->\nold\n<!-- /section -->\n<!-- section: b -->\nB\n<!-- /section -->\n";
    const updated = replaceReadmeSection(readme, renderReadmeSection(res, "bench/results/test.json"));
    assert.ok(updated.includes("<!-- section: a -->\nA\n<!-- /section -->") && updated.includes("<!-- section: b -->\nB\n<!-- /section -->") && !updated.includes("old"));
    assert.match(updated, /\| tiny \| .* \| 1 \/ \d+ \/ \d+ \|/);
  });
});
