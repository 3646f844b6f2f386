/**
 * A TCP proxy a test can break in the ways a network breaks, standing between the backend and a real
 * database server, without touching the shared server:
 *
 * - `cut()` / `listen()`: every connection dropped (closed) and new ones refused, then accepted again;
 * - `blackhole()` / `heal()`: connections stay open but every byte is dropped, both ways — a host that
 *   died without a reset, a firewall or NAT that forgets the flow. A black-holed connection stays dead
 *   after `heal()` (its bytes are gone); connections opened after it work;
 * - `pause()` / `resume()`: bytes are held, both ways, and delivered in order on `resume()`;
 * - `reset()`: every connection is reset (RST), new ones are accepted.
 */
import { createServer, connect, type Server, type Socket } from "node:net";

interface Pair {
  client: Socket;
  upstream: Socket;
  /** Black-holed: its bytes are dropped for good. */
  dead: boolean;
}

export class TcpProxy {
  private server: Server | null = null;
  private readonly pairs = new Set<Pair>();
  private blackholed = false;
  private paused = false;
  private held: { to: Socket; data: Buffer }[] = [];
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  /** Connections open through the proxy now. */
  get connections(): number {
    return this.pairs.size;
  }

  /** Starts listening (on a free port the first time, on the same port after a cut). */
  async listen(): Promise<number> {
    const server = createServer((client) => {
      const upstream = connect(this.targetPort, this.targetHost);
      const pair: Pair = { client, upstream, dead: this.blackholed };
      this.pairs.add(pair);
      const end = () => {
        this.pairs.delete(pair);
        client.destroy();
        upstream.destroy();
      };
      for (const s of [client, upstream]) {
        s.on("close", end);
        s.on("error", end);
      }
      client.on("data", (d: Buffer) => this.forward(pair, upstream, d));
      upstream.on("data", (d: Buffer) => this.forward(pair, client, d));
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", () => resolve());
    });
    this.server = server;
    this.port = (server.address() as { port: number }).port;
    return this.port;
  }

  private forward(pair: Pair, to: Socket, data: Buffer): void {
    if (pair.dead) return;
    if (this.paused) this.held.push({ to, data });
    else if (!to.destroyed) to.write(data);
  }

  /** Drops every connection and refuses new ones until `listen()` again. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const p of this.pairs) {
      p.client.destroy();
      p.upstream.destroy();
    }
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** From now on every byte of every connection, open or new, is dropped; nothing is closed. */
  blackhole(): void {
    this.blackholed = true;
    for (const p of this.pairs) p.dead = true;
  }

  /** New connections work again; the black-holed ones stay dead. */
  heal(): void {
    this.blackholed = false;
  }

  /** Holds every byte, both ways, until `resume()`. */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    for (const { to, data } of this.held.splice(0)) if (!to.destroyed) to.write(data);
  }

  /** Resets every open connection (RST to both ends); new ones are accepted. */
  reset(): void {
    for (const p of [...this.pairs]) {
      p.client.resetAndDestroy();
      p.upstream.resetAndDestroy();
    }
  }
}
