/**
 * The clients processes of a run, as one: a run's WebSocket clients are spread over several processes
 * (one holding hundreds of clients uses more CPU than the server under test and would set the pace);
 * they start together, the writer's commits are relayed to each, and their reports are merged.
 */
import { mergeReports, type PartReport } from "./merge-reports.ts";
import type { CollectorInit, FromCollector, Judgement, PlantedFault, ToCollector } from "./ipc.ts";
import { cpuSeconds, memoryMb } from "./proc.ts";
import { forkChild, type Child } from "./spawn.ts";

/** Clients per clients process when the plan does not say: one process holds a few hundred comfortably. */
export const CLIENTS_PER_PROCESS = 250;

/** How many clients each process holds: `clients` spread evenly over as few processes as hold `perProcess` each. */
export function spread(clients: number, perProcess = CLIENTS_PER_PROCESS): number[] {
  const n = Math.max(1, Math.ceil(clients / Math.max(1, perProcess)));
  return Array.from({ length: n }, (_, i) => Math.floor(clients / n) + (i < clients % n ? 1 : 0));
}


/** The clients processes of a run, as one: started together, their messages relayed, their reports merged. */
export class Clients {
  readonly children: Child<ToCollector, FromCollector>[];
  private readonly progress: Extract<FromCollector, { type: "progress" }>[] = [];

  constructor(module: string, private readonly sizes: number[]) {
    this.children = sizes.map(() => forkChild<ToCollector, FromCollector>(module));
    this.children.forEach((c, i) => {
      this.progress[i] = { type: "progress", deliveries: 0, complete: false, lastDeliveryAt: null, idleMs: 0 };
      c.on((m) => {
        if (m.type === "progress") this.progress[i] = m;
      });
    });
  }

  /** Starts every process's clients (a planted fault goes to the process holding its client); resolves once all are ready. */
  async init(init: Omit<CollectorInit, "clients" | "offset" | "plant">, plant?: PlantedFault): Promise<{ clients: number; failed: number; firstError?: string }> {
    let offset = 0;
    const ready = this.children.map((c, i) => {
      const n = this.sizes[i]!;
      const mine = plant && plant.client >= offset && plant.client < offset + n ? { plant: { ...plant, client: plant.client - offset } } : {};
      c.send({ ...init, clients: n, offset, ...mine });
      offset += n;
      return c.next("ready", (m): m is Extract<FromCollector, { type: "ready" }> => m.type === "ready", 180_000);
    });
    const all = await Promise.all(ready);
    const firstError = all.find((r) => r.firstError)?.firstError;
    return { clients: all.reduce((a, r) => a + r.clients, 0), failed: all.reduce((a, r) => a + r.failed, 0), ...(firstError ? { firstError } : {}) };
  }

  send(m: ToCollector): void {
    for (const c of this.children) c.send(m);
  }

  /** All of them together: every client holds every row, and since when none received a frame. */
  get state(): { complete: boolean; idleMs: number } {
    return { complete: this.progress.every((p) => p.complete), idleMs: Math.min(...this.progress.map((p) => p.idleMs)) };
  }

  cpu(): (number | null)[] {
    return this.children.map((c) => cpuSeconds(c.pid));
  }

  hwm(): number | null {
    const all = this.children.map((c) => memoryMb(c.pid)?.hwm ?? null).filter((x): x is number => x !== null);
    return all.length ? Math.max(...all) : null;
  }

  rss(): number {
    return Math.max(0, ...this.children.map((c) => memoryMb(c.pid)?.rss ?? 0));
  }

  async finish(judgement: Judgement) {
    const parts = this.children.map((c) => c.next("report", (m): m is { type: "report"; report: PartReport } => m.type === "report", 120_000));
    this.send({ type: "finish", judgement });
    return mergeReports((await Promise.all(parts)).map((p) => p.report));
  }

  stop(): Promise<unknown> {
    return Promise.allSettled(this.children.map((c) => c.stop()));
  }
}

