/**
 * Which rows just arrived: a row first seen in the last FRESH_MS is fresh, and its card marks it (a
 * brief flash, or a still mark where reduced motion is asked for). The rows a card shows when it first
 * renders are not fresh: only what arrives while one watches.
 */
import { useEffect, useState } from "react";

export const FRESH_MS = 2500;
const NONE: ReadonlySet<string> = new Set<string>();

/** When each row was first seen (0: there from the start). */
class FirstSeen {
  private readonly at = new Map<string, number>();
  private started = false;

  /** Notes the rows not seen before; true when there were any (after the first call). */
  observe(ids: string[], now: number): boolean {
    let added = false;
    for (const id of ids) {
      if (this.at.has(id)) continue;
      this.at.set(id, this.started ? now : 0);
      added = this.started;
    }
    this.started = true;
    // Forget rows long gone, so the map stays the size of what is shown.
    if (this.at.size > 4 * ids.length + 100) {
      const keep = new Set(ids);
      for (const id of [...this.at.keys()]) if (!keep.has(id)) this.at.delete(id);
    }
    return added;
  }

  fresh(ids: string[], now: number): Set<string> {
    return new Set(ids.filter((id) => now - (this.at.get(id) ?? 0) < FRESH_MS));
  }
}

export function useFreshRows(ids: string[], enabled: boolean): ReadonlySet<string> {
  const [seen] = useState(() => new FirstSeen());
  /** When rows last arrived; 0 once none of them is fresh any more. */
  const [arrived, setArrived] = useState(0);
  useEffect(() => {
    // When rows arrive is read as they arrive, after the render that shows them; the mark follows at once.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    if (seen.observe(ids, Date.now())) setArrived(Date.now());
  }, [ids, seen]);
  useEffect(() => {
    if (arrived === 0) return;
    const t = setTimeout(() => setArrived(0), FRESH_MS);
    return () => clearTimeout(t);
  }, [arrived]);
  return enabled && arrived !== 0 ? seen.fresh(ids, arrived) : NONE;
}
