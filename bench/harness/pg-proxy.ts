/**
 * A TCP proxy in front of PostgreSQL that counts the queries a server under test sends: simple-query
 * ('Q') and extended-protocol Execute ('E') messages, read from the frontend side of the wire protocol.
 * pg_stat_statements would need a server restart to load (shared_preload_libraries), and database-wide
 * counters include everyone else's queries; this counts exactly one process's, whatever its driver.
 */
import { createConnection, createServer, type Server, type Socket } from "node:net";

const Q = 0x51;
const E = 0x45;
const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;

export interface QueryCounter {
  port: number;
  /** Queries sent so far, all connections. */
  readonly queries: number;
  readonly connections: number;
  /** Holds back everything the server sends from now on: its pollers wait, its cursor stops moving. */
  freeze(): void;
  close(): Promise<void>;
}

export async function startQueryCounter(upstream: { host: string; port: number }): Promise<QueryCounter> {
  const state = { queries: 0, connections: 0, frozen: false };
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    state.connections++;
    const db = createConnection(upstream);
    sockets.add(client).add(db);
    client.setNoDelay(true);
    db.setNoDelay(true);
    db.pipe(client);
    let startup = true;
    let skip = 0;
    let header = Buffer.alloc(0);
    client.on("data", (chunk: Buffer) => {
      if (state.frozen) return; // never forwarded: the run is over for this server
      db.write(chunk);
      let i = 0;
      while (i < chunk.length) {
        if (skip > 0) {
          const n = Math.min(skip, chunk.length - i);
          skip -= n;
          i += n;
          continue;
        }
        const need = startup ? 8 : 5;
        const take = Math.min(need - header.length, chunk.length - i);
        header = Buffer.concat([header, chunk.subarray(i, i + take)]);
        i += take;
        if (header.length < need) break;
        if (startup) {
          // Untyped: length, then the protocol version or a request code.
          const code = header.readInt32BE(4);
          if (code !== SSL_REQUEST && code !== GSSENC_REQUEST) startup = false;
          skip = header.readInt32BE(0) - 8;
        } else {
          if (header[0] === Q || header[0] === E) state.queries++;
          skip = header.readInt32BE(1) - 4;
        }
        header = Buffer.alloc(0);
      }
    });
    const end = () => {
      client.destroy();
      db.destroy();
      sockets.delete(client);
      sockets.delete(db);
    };
    client.on("close", end).on("error", end);
    db.on("close", end).on("error", end);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  return {
    port: typeof address === "object" && address ? address.port : 0,
    get queries() {
      return state.queries;
    },
    get connections() {
      return state.connections;
    },
    freeze() {
      state.frozen = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
