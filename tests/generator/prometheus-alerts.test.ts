/**
 * The generated Prometheus rules, evaluated by a real Prometheus that scrapes a running backend while a
 * writer inserts at a controlled rate: the above-max alert fires when the insert rate goes above
 * `max_per_minute`, the below-min alert when it falls below `min_per_minute`, and neither in between.
 * Short test timings come from the generator's own options (scrape/evaluation 1 s, rate window 10 s, for 3 s).
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { generate } from "../../backend/generate/command.ts";
import { ALERT } from "../../backend/generate/names.ts";
import { startBackend, type TestBackend } from "../helpers/backend.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/databases.ts";
import { prometheusSkipReason, startPrometheus, type PrometheusProcess } from "../helpers/prometheus.ts";
import { tempDir } from "./fixtures.ts";

// Wide margins around the 300 rows/min of the quiet phase: on a loaded machine the in-process writer and
// poller can stall for seconds, and the measured rate with them.
const MIN_PER_MINUTE = 30;
const MAX_PER_MINUTE = 1200;
const YAML = `
polling: { interval_ms: 100, max_events_per_poll: 1000 }
entities:
  - name: Order
    table: orders
    alerts: { min_per_minute: ${MIN_PER_MINUTE}, max_per_minute: ${MAX_PER_MINUTE} }
`;

interface AlertingRule {
  type: string;
  name: string;
  state: "inactive" | "pending" | "firing";
  labels: Record<string, string>;
  lastEvaluation: string;
}

/** Inserts `perSecond` rows a second in 100 ms steps, keeping the exact count over time. */
class Writer {
  private perSecond = 0;
  private since = Date.now();
  private owed = 0;
  private done = 0;
  private timer: ReturnType<typeof setInterval>;
  private busy = false;
  inserted = 0;
  constructor(private readonly db: TestDatabase) {
    this.timer = setInterval(() => void this.tick(), 100);
  }
  setRate(perSecond: number): void {
    this.owed += (this.perSecond * (Date.now() - this.since)) / 1000 - this.done;
    this.perSecond = perSecond;
    this.since = Date.now();
    this.done = 0;
  }
  private async tick(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    const due = Math.floor(this.owed + (this.perSecond * (Date.now() - this.since)) / 1000 - this.done);
    if (due > 0) {
      await this.db.dialect.execute(`INSERT INTO orders (payload) SELECT 'row' FROM generate_series(1, ${due})`);
      this.done += due;
      this.inserted += due;
    }
    this.busy = false;
  }
  stop(): void {
    clearInterval(this.timer);
  }
}

describe("generated Prometheus alert rules on a real Prometheus", { skip: prometheusSkipReason() }, () => {
  let db: TestDatabase;
  let tb: TestBackend;
  let prometheus: PrometheusProcess;
  let writer: Writer;

  before(async () => {
    db = await createTestDatabase("pglite");
    await db.dialect.execute("CREATE TABLE orders (id bigserial PRIMARY KEY, payload text NOT NULL)");
    tb = await startBackend(db, YAML);
    const dir = tempDir("gen-alerts");
    writeFileSync(join(dir, "nomnom-live.yaml"), YAML);
    await generate(join(dir, "nomnom-live.yaml"), join(dir, "out"), { backendUrl: tb.url, scrapeInterval: "1s", evaluationInterval: "1s", rateWindow: "10s", alertFor: "3s" }, { env: {} });
    writer = new Writer(db);
    writer.setRate(5); // 300 rows/min: between the limits from the first scrape on
    prometheus = await startPrometheus(join(dir, "out/prometheus/prometheus.yml"));
  });
  after(async () => {
    writer?.stop();
    await prometheus?.stop();
    await tb?.stop();
    await db?.drop();
  });

  async function states(): Promise<{ high: string; low: string; absent: string; evaluatedAt: string }> {
    const data = await prometheus.api<{ groups: { rules: AlertingRule[] }[] }>("/api/v1/rules?type=alert");
    const rules = data.groups.flatMap((g) => g.rules).filter((r) => r.labels.entity === "Order");
    const state = (name: string) => {
      const r = rules.find((x) => x.name === name);
      assert.ok(r, `rule ${name} for Order is loaded (have: ${rules.map((x) => x.name).join(", ")})`);
      return r.state;
    };
    return { high: state(ALERT.high), low: state(ALERT.low), absent: state(ALERT.absent), evaluatedAt: rules[0]!.lastEvaluation };
  }

  async function ratePerMinute(): Promise<number | null> {
    const data = await prometheus.api<{ result: { value: [number, string] }[] }>(`/api/v1/query?query=${encodeURIComponent('rate(nomnom_rows_seen_total{entity="Order"}[10s]) * 60')}`);
    return data.result[0] ? Number(data.result[0].value[1]) : null;
  }

  async function waitFor(what: string, check: (s: Awaited<ReturnType<typeof states>>) => boolean, timeoutMs = 40_000) {
    const deadline = Date.now() + timeoutMs;
    let last: Awaited<ReturnType<typeof states>> | undefined;
    while (Date.now() < deadline) {
      last = await states();
      if (check(last)) return last;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`${what}: not within ${timeoutMs} ms; last states ${JSON.stringify(last)}, rate ${await ratePerMinute()}/min\n${prometheus.output()}`);
  }

  it("stays quiet between the limits, fires above the maximum, then below the minimum", { timeout: 150_000 }, async () => {
    // Between: once Prometheus measures the rate within the limits, several evaluations pass and nothing fires.
    const deadline = Date.now() + 40_000;
    for (;;) {
      const rate = await ratePerMinute();
      const s = await states();
      if (rate !== null && rate > MIN_PER_MINUTE && rate < MAX_PER_MINUTE && s.high === "inactive" && s.low === "inactive") break;
      assert.ok(Date.now() < deadline, `Prometheus did not settle at 300 rows/min within 40 s (rate ${rate}, ${JSON.stringify(s)}):\n${prometheus.output()}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const evaluations = new Set<string>();
    const quietUntil = Date.now() + 6_000;
    while (Date.now() < quietUntil) {
      const s = await states();
      evaluations.add(s.evaluatedAt);
      assert.ok(s.high !== "firing" && s.low !== "firing" && s.absent === "inactive", `no alert fires at 300 rows/min (${JSON.stringify(s)}, rate ${await ratePerMinute()}/min)`);
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.ok(evaluations.size >= 3, `the rules were evaluated during the quiet phase (${evaluations.size} evaluations)`);
    const between = await ratePerMinute();
    assert.ok(between! > MIN_PER_MINUTE && between! < MAX_PER_MINUTE, `the measured rate ${between}/min is between the limits`);

    // Above: 3000 rows/min.
    writer.setRate(50);
    const above = await waitFor("the above-max alert to fire at 3000 rows/min", (s) => s.high === "firing");
    assert.equal(above.low, "inactive", "the below-min alert stays quiet while the rate is high");
    assert.ok((await ratePerMinute())! > MAX_PER_MINUTE);

    // Below: no inserts at all.
    writer.setRate(0);
    const below = await waitFor("the below-min alert to fire with no inserts", (s) => s.low === "firing");
    assert.equal(below.high, "inactive", "the above-max alert has resolved");
    assert.equal(below.absent, "inactive", "the counter is still reported, so the not-reported alert stays quiet");
    assert.ok((await ratePerMinute())! < MIN_PER_MINUTE);
    assert.ok(writer.inserted > 100, `the writer inserted rows (${writer.inserted})`);
  });
});
