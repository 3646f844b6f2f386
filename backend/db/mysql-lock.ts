/**
 * MySQL's and MariaDB's `GET_LOCK` on one dedicated connection: the lease locks of lease-lock.ts. A
 * session may hold several named locks (MySQL 5.7, MariaDB 10.0.2 on). Lock names are server-wide and
 * at most 64 characters, so the name is `nomnom-live:` and the SHA-1 of the database's name and the
 * lock's, computed by the server — the same on every replica. The connection's `error` or `end` is when
 * the locks are lost; the next `tryAcquire` opens a new one. TCP keepalive finds a peer that vanished.
 */
import mysql, { type Connection, type RowDataPacket } from "mysql2/promise";
import { HeldLocks, type LeaseLocks } from "./lease-lock.ts";
import { KEEPALIVE_MS } from "./mysql-deadline.ts";

const LOCK_NAME = "CONCAT('nomnom-live:', SHA1(CONCAT(DATABASE(), '|', ?)))";

export class MysqlLeaseLocks implements LeaseLocks {
  private readonly uri: string;
  private connection: Promise<Connection> | null = null;
  private readonly held = new HeldLocks();
  private closing = false;

  constructor(url: string) {
    this.uri = url.replace(/^mariadb:/i, "mysql:");
  }

  private connect(): Promise<Connection> {
    if (this.connection) return this.connection;
    const opening = mysql.createConnection({ uri: this.uri, connectTimeout: 5000, enableKeepAlive: true, keepAliveInitialDelay: KEEPALIVE_MS });
    this.connection = opening;
    opening.then(
      (conn) => {
        let gone = false;
        const lost = (why: string) => {
          if (gone) return;
          gone = true;
          if (this.connection === opening) this.connection = null;
          if (!this.closing) this.held.lost(why);
        };
        // The driver's connection emits them; the promise wrapper forwards `on`.
        conn.on("error", (e: Error) => lost(`the database connection holding the locks failed (${e.message})`));
        conn.on("end", () => lost("the database connection holding the locks closed"));
        (conn as unknown as { connection: { stream: { once(e: string, f: () => void): void } } }).connection.stream.once("close", () => lost("the database connection holding the locks closed"));
      },
      () => {
        if (this.connection === opening) this.connection = null;
      },
    );
    return opening;
  }

  async tryAcquire(name: string): Promise<boolean> {
    if (this.held.has(name)) return true;
    const conn = await this.connect();
    const [rows] = await conn.query<RowDataPacket[]>(`SELECT GET_LOCK(${LOCK_NAME}, 0) AS ok`, [name]);
    const ok = Number(rows[0]?.ok) === 1;
    if (ok) this.held.add(name);
    return ok;
  }

  async release(name: string): Promise<void> {
    if (!this.held.has(name)) return;
    this.held.delete(name);
    const conn = await this.connect();
    await conn.query(`DO RELEASE_LOCK(${LOCK_NAME})`, [name]);
  }

  holds(name: string): boolean {
    return this.held.has(name);
  }

  onLost(listener: (names: string[], reason: string) => void): void {
    this.held.onLost(listener);
  }

  /** The server's id of the session holding the locks (tests kill it to show the locks go with it). */
  async threadId(): Promise<number> {
    return (await this.connect()).threadId;
  }

  async close(): Promise<void> {
    this.closing = true;
    const opening = this.connection;
    this.connection = null;
    if (opening) await opening.then((c) => c.end()).catch(() => {});
  }
}
