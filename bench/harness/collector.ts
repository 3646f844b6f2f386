/**
 * Records every row the clients of one process receive, compactly: per client a bitset of ids (exact loss and
 * duplicate counts), per row the first and last receipt and how many clients had it, and one latency
 * histogram over all deliveries. Commit times arrive from the writer (through the harness); a row seen
 * before its commit record is parked and matched when the run finishes. The clients of a run are spread
 * over several processes (run-target.ts); each reports its share, and `mergeReports` makes one report.
 */
import { Histogram } from "./histogram.ts";
import type { ClientFigures, CollectorReport, Commits, FromCollector, Judgement, PlantedFault, ToCollector } from "./ipc.ts";
import { mergeReports, type PartReport } from "./merge-reports.ts";
import { wallNow } from "./ipc.ts";

function grownF64(a: Float64Array, need: number, fill: number): Float64Array {
  if (need <= a.length) return a;
  let n = Math.max(1024, a.length);
  while (n < need) n *= 2;
  const b = new Float64Array(n);
  b.set(a);
  if (fill !== 0) b.fill(fill, a.length);
  return b;
}

function grownU8(a: Uint8Array, need: number): Uint8Array {
  if (need <= a.length) return a;
  let n = Math.max(256, a.length);
  while (n < need) n *= 2;
  const b = new Uint8Array(n);
  b.set(a);
  return b;
}

const POPCOUNT = new Uint8Array(256).map((_, i) => {
  let c = 0;
  for (let x = i; x; x >>= 1) c += x & 1;
  return c;
});

class ClientState {
  bits: Uint8Array = new Uint8Array(256);
  received = 0;
  /** Highest id received. */
  maxId = 0;
  duplicated = 0;
  lagging = 0;
  errors = 0;
  closed = false;
  ready = false;
  rowsSeen = 0;
}

/** How often receipts are binned for the delivery rate over the writer's window. */
const BIN_MS = 100;

export class Collector {
  private commit: Float64Array = new Float64Array(1024).fill(NaN);
  private first: Float64Array = new Float64Array(1024).fill(NaN);
  private last: Float64Array = new Float64Array(1024).fill(NaN);
  private counts: Uint16Array = new Uint16Array(1024);
  private pendingIds: Float64Array = new Float64Array(1024);
  private pendingTimes: Float64Array = new Float64Array(1024);
  private pending = 0;
  private readonly hist = new Histogram();
  private bins: Float64Array = new Float64Array(1024);
  private readonly origin = wallNow();
  readonly clients: ClientState[];
  deliveries = 0;
  lastDeliveryAt: number | null = null;
  /** When any frame last arrived: the drain ends once the clients have been quiet for a while. */
  lastFrameAt = wallNow();
  unrecognised = 0;
  private writerRows: number | null = null;
  /** Rows committed before this wall time are the warm-up's: judged, not timed. */
  private measureFrom = -Infinity;
  private writerWindow: [number, number] | null = null;

  constructor(
    clients: number,
    private readonly plant?: PlantedFault,
    /** The global number of this process's first client (the clients are spread over processes). */
    private readonly offset = 0,
  ) {
    this.clients = Array.from({ length: clients }, () => new ClientState());
  }

  private ensureRows(id: number): void {
    if (id < this.commit.length) return;
    const n = id + 1;
    this.commit = grownF64(this.commit, n, NaN);
    this.first = grownF64(this.first, n, NaN);
    this.last = grownF64(this.last, n, NaN);
    if (this.counts.length < this.commit.length) {
      const c = new Uint16Array(this.commit.length);
      c.set(this.counts);
      this.counts = c;
    }
  }

  commits(m: Commits): void {
    for (let i = 0; i < m.ids.length; i++) {
      const id = m.ids[i]!;
      this.ensureRows(id);
      this.commit[id] = m.times[i]!;
    }
  }

  measuringFrom(at: number): void {
    this.measureFrom = at;
  }

  writerDone(rows: number, startedAt: number, endedAt: number): void {
    this.writerRows = rows;
    this.writerWindow = [startedAt, endedAt];
  }

  /** Rows `ids` reached client `c` at wall time `t`. */
  delivered(c: number, ids: number[], t: number): void {
    const s = this.clients[c]!;
    this.lastFrameAt = t;
    const bin = Math.max(0, Math.floor((t - this.origin) / BIN_MS));
    this.bins = grownF64(this.bins, bin + 1, 0);
    for (const id of ids) {
      s.rowsSeen++;
      if (this.plant && this.plant.client === c) {
        if (s.rowsSeen === this.plant.dropNth) continue;
        if (s.rowsSeen === this.plant.duplicateNth) this.record(s, id, t, bin);
      }
      this.record(s, id, t, bin);
    }
  }

  private record(s: ClientState, id: number, t: number, bin: number): void {
    this.deliveries++;
    this.bins[bin]!++;
    this.lastDeliveryAt = t;
    const byte = id >>> 3;
    const bit = 1 << (id & 7);
    if (byte >= s.bits.length) s.bits = grownU8(s.bits, byte + 1);
    if (s.bits[byte]! & bit) {
      s.duplicated++;
      return;
    }
    s.bits[byte]! |= bit;
    s.received++;
    if (id > s.maxId) s.maxId = id;
    this.ensureRows(id);
    const ct = this.commit[id]!;
    if (Number.isNaN(ct)) {
      if (this.pending >= this.pendingIds.length) {
        this.pendingIds = grownF64(this.pendingIds, this.pending + 1, 0);
        this.pendingTimes = grownF64(this.pendingTimes, this.pending + 1, 0);
      }
      this.pendingIds[this.pending] = id;
      this.pendingTimes[this.pending++] = t;
    } else if (ct >= this.measureFrom) {
      this.hist.add(t - ct);
    }
    if (!(this.first[id]! <= t)) this.first[id] = t;
    if (!(this.last[id]! >= t)) this.last[id] = t;
    this.counts[id]!++;
  }

  control(c: number, kind: "lagging" | "error"): void {
    if (kind === "lagging") this.clients[c]!.lagging++;
    else this.clients[c]!.errors++;
  }

  /** True once the writer is done and every open client holds every committed row. */
  complete(): boolean {
    if (this.writerRows === null) return false;
    const rows = this.writerRows;
    // A planted drop is a row that client will never hold.
    return this.clients.every((s, c) => s.closed || s.received >= rows - (this.plant?.client === c && s.rowsSeen >= this.plant.dropNth ? 1 : 0));
  }

  /** This process's share of the report: its clients judged, and what merging with the others needs (mergeReports). */
  part(judgement: Judgement): PartReport {
    const { passed, holes } = judgement;
    const maxId = this.commit.length - 1;
    const bytes = (maxId >>> 3) + 1;
    // Committed and passed ids as bitsets, so each client is judged a byte at a time.
    const committed = new Uint8Array(bytes);
    const pass = new Uint8Array(bytes);
    for (let id = 1; id <= maxId; id++) {
      if (Number.isNaN(this.commit[id]!)) continue;
      committed[id >>> 3]! |= 1 << (id & 7);
      const p = passed.kind === "all" || (passed.kind === "upTo" ? id <= passed.id : passed.kind === "bitmap" ? (passed.bits[id >>> 3]! & (1 << (id & 7))) !== 0 : false);
      if (p) pass[id >>> 3]! |= 1 << (id & 7);
    }
    // Receipts that came before their commit record.
    for (let i = 0; i < this.pending; i++) {
      const ct = this.commit[this.pendingIds[i]!]!;
      if (ct >= this.measureFrom) this.hist.add(this.pendingTimes[i]! - ct);
    }
    this.pending = 0;
    const perClient: ClientFigures[] = [];
    let undelivered = 0;
    const totals = { lost: 0, duplicated: 0, backlog: 0, extra: 0, lagging: 0, errors: 0, closedClients: 0, clientsWithLoss: 0 };
    for (const [c, s] of this.clients.entries()) {
      let lost = 0;
      let backlog = 0;
      let extra = 0;
      const lostSample: number[] = [];
      const n = Math.max(bytes, s.bits.length);
      for (let b = 0; b < n; b++) {
        const recv = s.bits[b] ?? 0;
        const com = committed[b] ?? 0;
        const miss = com & ~recv;
        extra += POPCOUNT[recv & ~com & 0xff]!;
        if (miss === 0) continue;
        // Holes: the ids of this byte below the client's highest id.
        const below = !holes ? 0 : b < s.maxId >>> 3 ? 0xff : b === s.maxId >>> 3 ? (1 << (s.maxId & 7)) - 1 : 0;
        const l = miss & (below | pass[b]!);
        lost += POPCOUNT[l]!;
        backlog += POPCOUNT[miss & ~l & 0xff]!;
        for (let k = 0; k < 8 && l && lostSample.length < 5; k++) if (l & (1 << k)) lostSample.push(b * 8 + k);
      }
      const f: ClientFigures = { client: this.offset + c, received: s.received, lost, duplicated: s.duplicated, backlog, extra, lagging: s.lagging, errors: s.errors, closed: s.closed, lostSample };
      if (s.ready) undelivered += lost + backlog;
      totals.lost += lost;
      totals.duplicated += s.duplicated;
      totals.backlog += backlog;
      totals.extra += extra;
      totals.lagging += s.lagging;
      totals.errors += s.errors;
      if (s.closed) totals.closedClients++;
      if (lost > 0) totals.clientsWithLoss++;
      const faulty = lost || s.duplicated || backlog || extra || s.lagging || s.errors || s.closed;
      if (this.clients.length <= 10 || (faulty && perClient.length < 10)) perClient.push(f);
    }
    let inWindow = 0;
    if (this.writerWindow) {
      const [from, to] = this.writerWindow.map((t) => Math.floor((t - this.origin) / BIN_MS));
      for (let b = Math.max(0, from!); b <= to! && b < this.bins.length; b++) inWindow += this.bins[b]!;
    }
    return {
      clients: this.clients.length,
      clientsReady: this.clients.filter((s) => s.ready).length,
      deliveries: this.deliveries,
      deliveriesInWindow: inWindow,
      lastDeliveryAt: this.lastDeliveryAt,
      hist: this.hist.state(),
      measureFrom: this.measureFrom,
      undelivered,
      commit: this.commit.subarray(0, maxId + 1),
      first: this.first.subarray(0, maxId + 1),
      last: this.last.subarray(0, maxId + 1),
      counts: this.counts.subarray(0, maxId + 1),
      totals,
      perClient,
      unrecognisedFrames: this.unrecognised,
    };
  }

  /** The report of this collector alone. */
  report(judgement: Judgement): CollectorReport {
    return mergeReports([this.part(judgement)]);
  }

  /** Wires the collector to the harness over IPC; `start` connects the clients and returns how many failed. */
  static serve(start: (init: Extract<ToCollector, { type: "init" }>, collector: Collector) => Promise<{ failed: number; firstError?: string }>, stop: () => Promise<void>): void {
    let collector: Collector | null = null;
    let ticker: ReturnType<typeof setInterval> | null = null;
    const send = (m: FromCollector) => process.send!(m);
    process.on("message", (m: ToCollector) => {
      switch (m.type) {
        case "init": {
          collector = new Collector(m.clients, m.plant, m.offset ?? 0);
          const c = collector;
          start(m, c).then(
            ({ failed, firstError }) => {
              send({ type: "ready", clients: c.clients.filter((s) => s.ready).length, failed, ...(firstError ? { firstError } : {}) });
              ticker = setInterval(() => send({ type: "progress", deliveries: c.deliveries, complete: c.complete(), lastDeliveryAt: c.lastDeliveryAt, idleMs: wallNow() - c.lastFrameAt }), 200);
            },
            (e: unknown) => send({ type: "fatal", message: e instanceof Error ? e.stack ?? e.message : String(e) }),
          );
          return;
        }
        case "commits":
          return collector?.commits(m);
        case "measure-from":
          return collector?.measuringFrom(m.at);
        case "writer-done":
          return collector?.writerDone(m.rows, m.startedAt, m.endedAt);
        case "finish": {
          if (ticker) clearInterval(ticker);
          // A report is large (per-row arrays): the channel closes only once it has been sent.
          process.send!({ type: "report", report: collector!.part(m.judgement) } satisfies FromCollector, undefined, {}, () => {
            void stop().finally(() => process.disconnect());
          });
          return;
        }
      }
    });
  }
}
