/**
 * One clock for every "12 s ago" of the panel: a single timer while anything shows a relative time, and
 * each such text re-renders only when its words change (a row an hour old, once a minute).
 */
import { useSyncExternalStore } from "react";

const TICK_MS = 1000;
const listeners = new Set<() => void>();
let timer: ReturnType<typeof setInterval> | null = null;
let now = Date.now();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  if (!timer) {
    now = Date.now();
    timer = setInterval(() => {
      now = Date.now();
      for (const l of listeners) l();
    }, TICK_MS);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && timer) {
      clearInterval(timer);
      timer = null;
    }
  };
}

/** `derive(now)`, re-rendered whenever its value changes with the clock. */
export function useClock<T extends string | number | boolean | null>(derive: (now: number) => T): T {
  return useSyncExternalStore(subscribe, () => derive(reading()));
}

/**
 * The clock as the timer last read it. Before the first subscription (a first render) nothing has read
 * it for a while, so it is read again then, but at most once a tick: React asks for the snapshot twice
 * in a row and needs the same answer both times.
 */
function reading(): number {
  if (!timer && Date.now() - now >= TICK_MS) now = Date.now();
  return now;
}

/** A duration in the shortest words that say it: "4 s", "3 min", "2 h", "5 d". */
export function shortDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h`;
  return `${Math.floor(s / 86_400)} d`;
}

/** "just now", "4 s ago", "3 min ago" — of a time `ms` before now. */
export function ago(ms: number): string {
  return ms < 1000 ? "just now" : `${shortDuration(ms)} ago`;
}
