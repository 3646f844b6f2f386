/**
 * The poll cadence (poller/cadence.ts), decision by decision: quiet tables and a commit now and then
 * stay at the interval; rows that keep coming are read every HOT_INTERVAL_MS, and the wait doubles back
 * to the interval once they stop; full batches and gaps keep their own pace; with a listening doorbell
 * no poll is spent looking, and bells close together make one poll.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BELL_COALESCE_MS, Cadence, LOOK_AGAIN_MS, HOT_INTERVAL_MS, STREAK, type PollOutcome } from "../../backend/poller/cadence.ts";

const quiet: PollOutcome = { read: 0, batchSize: 100, found: false, blocked: false, belled: false, rung: false };
const rows = (n: number, more: Partial<PollOutcome> = {}): PollOutcome => ({ ...quiet, read: n, found: n > 0, ...more });

/** Feeds `outcomes` to a cadence as the poller would, each poll ending the returned wait after the last; returns the waits. */
function run(c: Cadence, outcomes: PollOutcome[], start = 0): number[] {
  let now = start;
  return outcomes.map((o) => {
    const wait = c.next(o, now);
    now += wait + 2; // a poll takes a couple of milliseconds
    return wait;
  });
}

describe("the poll cadence", () => {
  it("polls a quiet table at the interval", () => {
    assert.deepEqual(run(new Cadence(500), Array(5).fill(quiet)), [500, 500, 500, 500, 500]);
  });

  it("reads a commit now and then at the interval, without polls spent looking in between", () => {
    // A few rows every other poll: fewer than one per hot interval, and never STREAK polls in a row.
    const waits = run(new Cadence(100), [rows(5), quiet, rows(5), rows(5), quiet, rows(5), quiet, rows(5), rows(5), quiet]);
    assert.ok(waits.every((w) => w === 100), waits.join(", "));
  });

  it("follows rows that keep coming every hot interval, then doubles the wait back to the interval", () => {
    // A poll that read at least one row per hot interval since the last: at once.
    const c = new Cadence(500);
    assert.deepEqual(run(c, [rows(40), rows(2), rows(1)]), [HOT_INTERVAL_MS, HOT_INTERVAL_MS, HOT_INTERVAL_MS]);
    const back = run(c, Array(7).fill(quiet), 10_000);
    assert.deepEqual(back, [30, 60, 120, 240, 480, 500, 500]);
    // Cold again: a row now and then is read at the interval.
    assert.equal(c.next(rows(1), 20_000), 500);
  });

  it(`follows rows found by ${STREAK} polls in a row, however few`, () => {
    const waits = run(new Cadence(1000), [rows(1), rows(1), rows(1), rows(1)]);
    assert.deepEqual(waits, [1000, 1000, HOT_INTERVAL_MS, HOT_INTERVAL_MS]);
  });

  it("polls again at once after a full batch, and soon while a gap holds rows back", () => {
    const c = new Cadence(500);
    assert.equal(c.next(rows(100)), 0);
    assert.equal(c.next(rows(100, { blocked: true, gapAgeMs: 0 })), LOOK_AGAIN_MS);
    assert.equal(new Cadence(20).next(rows(3, { blocked: true, gapAgeMs: 0 })), 5);
  });

  it("looks at a gap first within milliseconds, then about as long again as it has been open, up to a tenth of the interval", () => {
    const c = new Cadence(500);
    // A gap seen just now, then open for as long as the looks so far took: each wait about doubles.
    let age = 0;
    const waits: number[] = [];
    for (let i = 0; i < 7; i++) {
      const wait = c.next(rows(3, { blocked: true, gapAgeMs: age }));
      waits.push(wait);
      age += wait + 1; // a look takes a millisecond
    }
    assert.deepEqual(waits, [5, 6, 13, 27, 50, 50, 50]);
    // A long transaction costs what it did before: one look per tenth of the interval.
    assert.equal(c.next(rows(0, { blocked: true, gapAgeMs: 60_000 })), 50);
  });

  it("with a listening doorbell spends no poll looking: the interval stays the safety net", () => {
    const c = new Cadence(500);
    const belled = { belled: true };
    assert.deepEqual(run(c, [rows(40, belled), rows(40, belled), { ...quiet, ...belled }]), [500, 500, 500]);
    // A rung poll that found nothing looks once more, in case the ring came before the rows were visible.
    assert.equal(c.next({ ...quiet, belled: true, rung: true }), LOOK_AGAIN_MS);
    assert.equal(c.next({ ...quiet, belled: true }), 500);
  });

  it("coalesces bells: a rung poll starts no sooner than a few milliseconds after the one before", () => {
    assert.equal(Cadence.bellAt(1000, 1001), 1000 + BELL_COALESCE_MS);
    assert.equal(Cadence.bellAt(1000, 1050), 1050);
  });
});
