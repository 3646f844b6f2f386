/**
 * The sockets of a postgres.js pool, made here (its `socket` option) so that each has TCP keepalive
 * and so that a connection that stopped answering can be found and destroyed: postgres.js itself
 * would wait on it for ever. A query past its client-side deadline marks which sockets have received
 * nothing since the query was sent; those are destroyed, postgres.js fails what was queued on them
 * (CONNECTION_CLOSED) and opens new ones for later queries. Healthy connections, which kept
 * receiving meanwhile, are left alone.
 */
import { connect, type Socket } from "node:net";

/** What postgres.js hands its `socket` option: the parsed URL's hosts and ports, or a Unix socket path. */
interface PgSocketOptions {
  host: string[];
  port: number[];
  path: string | false;
}

/** Idle time before the first keepalive probe (the kernel's interval and count apply after it). */
export const KEEPALIVE_MS = 10_000;

export class PgSockets {
  private readonly open = new Set<Socket>();
  private next = 0;

  /** The `socket` option of postgres.js: a new, connecting socket (postgres.js writes its startup once connected). */
  readonly create = (o: PgSocketOptions): Socket => {
    let socket: Socket;
    if (o.path) socket = connect(o.path);
    else {
      // Several hosts: each new connection tries the next (postgres.js does the same with its own sockets).
      const i = this.next++ % Math.max(1, o.host.length);
      const host = o.host[i] ?? "localhost";
      const port = o.port[i] ?? o.port[0] ?? 5432;
      socket = connect({ host, port, keepAlive: true, keepAliveInitialDelay: KEEPALIVE_MS, noDelay: true });
      Object.assign(socket, { host, port }); // postgres.js names them in connection errors
    }
    this.open.add(socket);
    socket.once("close", () => this.open.delete(socket));
    return socket;
  };

  /** Bytes received so far by each open socket: taken when a query starts, to tell later which stayed silent. */
  mark(): Map<Socket, number> {
    return new Map([...this.open].map((s) => [s, s.bytesRead]));
  }

  /** Destroys every socket: when no socket stayed silent, the stuck query's received something else meanwhile. */
  destroyAll(): void {
    for (const s of this.open) s.destroy();
    this.open.clear();
  }

  /**
   * Destroys every socket that has received nothing since `mark` (or since it opened, when opened
   * after): the one the stuck query waits on is among them. Returns how many were destroyed.
   */
  destroySilent(mark: Map<Socket, number>): number {
    let n = 0;
    for (const s of [...this.open]) {
      if (s.bytesRead === (mark.get(s) ?? 0)) {
        s.destroy();
        this.open.delete(s);
        n++;
      }
    }
    return n;
  }
}
