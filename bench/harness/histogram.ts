/**
 * A log-linear latency histogram over microseconds (HDR-style: 64 sub-buckets per power of two, so any
 * recorded value is known to within 1.6 %). Fixed size, no allocation per sample, mergeable, and sent
 * between processes as its plain counts array.
 */
const LINEAR = 128; // values below this many µs are exact
const SUB = 64;
const MAX_US = 2 ** 31 - 1;
export const BUCKETS = LINEAR + (31 - 7) * SUB;

function indexOf(us: number): number {
  if (us < LINEAR) return us;
  const e = 31 - Math.clz32(us); // ≥ 7
  const shift = e - 6;
  return LINEAR + (e - 7) * SUB + ((us >>> shift) - SUB);
}

/** The highest value a bucket can hold, in µs (percentiles are reported as this upper bound). */
function upperOf(index: number): number {
  if (index < LINEAR) return index;
  const e = Math.floor((index - LINEAR) / SUB) + 7;
  const sub = ((index - LINEAR) % SUB) + SUB;
  const shift = e - 6;
  return (sub + 1) * 2 ** shift - 1;
}

export interface LatencySummary {
  samples: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
  min: number | null;
  mean: number | null;
  /** Samples below zero (the receiver saw the row before the writer saw its COMMIT return); recorded as 0. */
  negative: number;
  /**
   * Deliveries owed but never made by the end of the run. They rank above every delivered sample, so a
   * percentile that falls among them is null ("not delivered"), rather than a figure over survivors only.
   */
  undelivered: number;
}

export interface HistogramState {
  counts: Float64Array;
  total: number;
  sumMs: number;
  minMs: number;
  maxMs: number;
  negative: number;
}

export class Histogram {
  readonly counts: Float64Array;
  total = 0;
  sumMs = 0;
  minMs = Infinity;
  maxMs = -Infinity;
  negative = 0;

  constructor(counts?: Float64Array) {
    this.counts = counts ?? new Float64Array(BUCKETS);
  }

  /** Everything it holds, to send to another process and merge there. */
  state(): HistogramState {
    return { counts: this.counts, total: this.total, sumMs: this.sumMs, minMs: this.minMs, maxMs: this.maxMs, negative: this.negative };
  }

  /** Adds another histogram's samples (the clients of several processes make one distribution). */
  merge(o: HistogramState): void {
    for (let i = 0; i < this.counts.length; i++) this.counts[i]! += o.counts[i]!;
    this.total += o.total;
    this.sumMs += o.sumMs;
    this.minMs = Math.min(this.minMs, o.minMs);
    this.maxMs = Math.max(this.maxMs, o.maxMs);
    this.negative += o.negative;
  }

  /** Records one latency in milliseconds. */
  add(ms: number): void {
    if (ms < 0) this.negative++;
    if (ms < this.minMs) this.minMs = ms;
    if (ms > this.maxMs) this.maxMs = ms;
    this.sumMs += ms;
    this.total++;
    const us = ms <= 0 ? 0 : Math.min(MAX_US, Math.round(ms * 1000));
    this.counts[indexOf(us)]!++;
  }

  /** The value (ms) at or below which `q` (0–1) of the samples lie; null if that rank falls among `missing` samples ranked above all. */
  quantile(q: number, missing = 0): number | null {
    if (this.total === 0) return null;
    const rank = Math.max(1, Math.ceil(q * (this.total + missing)));
    if (rank > this.total) return null;
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return Math.min(upperOf(i) / 1000, this.maxMs);
    }
    return this.maxMs;
  }

  summary(missing = 0): LatencySummary {
    const r = (x: number | null) => (x === null ? null : Math.round(x * 100) / 100);
    return {
      samples: this.total,
      p50: r(this.quantile(0.5, missing)),
      p95: r(this.quantile(0.95, missing)),
      p99: r(this.quantile(0.99, missing)),
      max: r(this.total ? this.maxMs : null),
      min: r(this.total ? this.minMs : null),
      mean: r(this.total ? this.sumMs / this.total : null),
      negative: this.negative,
      undelivered: missing,
    };
  }
}
