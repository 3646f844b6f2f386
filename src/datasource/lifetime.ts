/** Timers and subscriptions owned by one running query, all released when Grafana unsubscribes. */
export class Lifetime {
  stopped = false;
  private readonly cleanups: Array<() => void> = [];

  add(cleanup: () => void): void {
    if (this.stopped) cleanup();
    else this.cleanups.push(cleanup);
  }

  timeout(fn: () => void, ms: number): void {
    const cleanup = () => clearTimeout(t);
    const t = setTimeout(() => {
      // Fired: nothing left to clear (retries in a loop must not pile up cleanups).
      const at = this.cleanups.indexOf(cleanup);
      if (at >= 0) this.cleanups.splice(at, 1);
      if (!this.stopped) fn();
    }, ms);
    this.add(cleanup);
  }

  stop(): void {
    this.stopped = true;
    for (const c of this.cleanups.splice(0)) c();
  }
}

/**
 * Coalesces bursts of updates into one emission at most every `ms` (rows arrive in batches; Grafana
 * re-renders on every response, so one per burst is what a viewer sees anyway).
 */
export function throttle(fn: () => void, ms: number, life: Lifetime): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let last = 0;
  life.add(() => {
    if (timer) clearTimeout(timer);
  });
  return () => {
    if (timer || life.stopped) return;
    timer = setTimeout(() => {
      timer = null;
      last = Date.now();
      if (!life.stopped) fn();
    }, Math.max(0, last + ms - Date.now()));
  };
}
