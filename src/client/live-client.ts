/**
 * The datasource's one WebSocket to the backend, shared by every query of the datasource instance:
 * which entities are watched, and where each message goes.
 *
 * - Opens when the first query watches something, closes `lingerMs` after the last one stops (so a
 *   dashboard refresh, which stops and restarts every query, keeps the socket and the rows it holds).
 * - Authenticates with a single-use ticket from `POST /api/ws-ticket` (the browser never holds the token).
 * - Subscribes with `?subscribe=manual`: one `subscribe` carrying the watched entities and, for every
 *   entity it already holds rows of, the resume cursor — so after a reconnect the backend replays exactly
 *   the rows after it (no gap), and the entity stream drops anything at or below it (no duplicate).
 * - Reconnects with jittered exponential backoff, with a fresh ticket each time (SocketConnection, in
 *   connection.ts, is that loop; this is the routing and the bookkeeping of subscriptions).
 */
import { wsQuery, type ChangeMessage, type EntityInfo, type EntityStatsMap, type ServerMessage, type SubscribeMessage } from "../../contract/index.ts";
import type { ConnectionState } from "../shared/types.ts";
import { DEFAULT_BACKOFF, type BackoffOptions } from "./backoff.ts";
import { SocketConnection, type StatusListener } from "./connection.ts";
import { EntityStream, type StreamListener } from "./entity-stream.ts";
import { probeSocket } from "./probe.ts";
import { socketUrl } from "./socket-url.ts";

export { socketUrl } from "./socket-url.ts";
export type { StatusListener };

export interface LiveApi {
  ticket(): Promise<{ ticket: string }>;
  entities(): Promise<EntityInfo[]>;
}

export interface LiveClientOptions {
  api: LiveApi;
  /** The backend's base URL as the browser reaches it (http(s)://…); `/ws` is appended. */
  baseUrl: string;
  WebSocketImpl?: typeof WebSocket;
  lingerMs?: number;
  backoff?: BackoffOptions;
  /** How long to wait for `connection_ack` before giving up on an attempt. */
  openTimeoutMs?: number;
}

export type StatsListener = (stats: EntityStatsMap, at: number) => void;

export class LiveClient {
  readonly streams = new Map<string, EntityStream>();
  latestStats: { stats: EntityStatsMap; at: number } | null = null;
  /** The backend's polling mode, from `connection_ack`: in events mode snapshot rows are as of its position. */
  mode: "table" | "events" = "table";

  private readonly connection: SocketConnection;
  private readonly lingerTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly statsListeners = new Set<StatsListener>();
  private entityCache: Promise<EntityInfo[]> | null = null;
  private readonly WS: typeof WebSocket;
  private readonly lingerMs: number;

  constructor(private readonly options: LiveClientOptions) {
    this.WS = options.WebSocketImpl ?? globalThis.WebSocket;
    this.lingerMs = options.lingerMs ?? 1000;
    this.connection = new SocketConnection(
      { wanted: () => this.wanted(), ticket: () => this.freshTicket(), receive: (msg) => this.handle(msg) },
      { baseUrl: options.baseUrl, WebSocketImpl: this.WS, lingerMs: this.lingerMs, backoff: options.backoff ?? DEFAULT_BACKOFF, openTimeoutMs: options.openTimeoutMs ?? 10_000 },
    );
  }

  /** The connection's state, as the panel shows it. */
  get state(): ConnectionState {
    return this.connection.state;
  }

  /** Sockets opened so far (tests and diagnostics). */
  get socketsOpened(): number {
    return this.connection.socketsOpened;
  }

  /** True while a socket is open or being opened. */
  get active(): boolean {
    return this.connection.active;
  }

  /** The backend's entities; cached until the next (re)connection refreshes them. */
  entities(refresh = false): Promise<EntityInfo[]> {
    if (!this.entityCache || refresh) {
      const p = this.options.api.entities();
      this.entityCache = p;
      p.catch(() => {
        if (this.entityCache === p) this.entityCache = null;
      });
    }
    return this.entityCache;
  }

  /** Starts (or joins) the stream of one entity. Returns the stream and a function that stops watching. */
  watch(info: EntityInfo, listener: StreamListener): { stream: EntityStream; stop: () => void } {
    let stream = this.streams.get(info.name);
    const linger = this.lingerTimers.get(info.name);
    if (linger) {
      clearTimeout(linger);
      this.lingerTimers.delete(info.name);
    }
    if (!stream) {
      stream = new EntityStream(info.name, info.key, info.max_records);
      this.streams.set(info.name, stream);
      this.sendSubscribe();
    }
    stream.listeners.add(listener);
    this.connection.wake();
    const s = stream;
    let stopped = false;
    return {
      stream: s,
      stop: () => {
        if (stopped) return;
        stopped = true;
        s.listeners.delete(listener);
        if (s.listeners.size === 0) this.lingerTimers.set(s.name, setTimeout(() => this.drop(s.name), this.lingerMs));
      },
    };
  }

  watchStats(listener: StatsListener): () => void {
    this.statsListeners.add(listener);
    this.connection.wake();
    return () => {
      this.statsListeners.delete(listener);
      this.connection.scheduleIdleClose();
    };
  }

  onStatus(listener: StatusListener): () => void {
    return this.connection.onStatus(listener);
  }

  /** Closes everything now (datasource disposal). */
  dispose(): void {
    for (const t of this.lingerTimers.values()) clearTimeout(t);
    this.lingerTimers.clear();
    this.streams.clear();
    this.statsListeners.clear();
    this.connection.shutdown();
  }

  /**
   * Opens a socket of its own and waits for `connection_ack` (the datasource's connection test).
   * Resolves with the entities the backend announced; rejects with what went wrong.
   */
  async probe(timeoutMs = 5000): Promise<string[]> {
    const { ticket } = await this.options.api.ticket();
    return probeSocket(this.WS, socketUrl(this.options.baseUrl, wsQuery({ manual: true, ticket })), timeoutMs);
  }

  private wanted(): boolean {
    return this.streams.size > 0 || this.statsListeners.size > 0;
  }

  /** A ticket for the next socket; the entities are refreshed with it (a key column may have changed). */
  private async freshTicket(): Promise<string> {
    const [{ ticket }, infos] = await Promise.all([this.options.api.ticket(), this.entities(true)]);
    for (const info of infos) {
      const s = this.streams.get(info.name);
      if (s) s.key = info.key;
    }
    return ticket;
  }

  private handle(msg: ServerMessage): void {
    switch (msg.type) {
      case "connection_ack": {
        this.connection.acknowledge(() => {
          this.mode = msg.data.mode === "events" ? "events" : "table";
          const known = new Set(msg.data.entities);
          for (const s of this.streams.values()) {
            if (!known.has(s.name)) s.fail(`the backend does not watch an entity named "${s.name}" (it watches: ${msg.data.entities.join(", ") || "nothing"})`);
          }
        });
        this.sendSubscribe();
        return;
      }
      case "snapshot": {
        const s = this.streams.get(msg.entity);
        if (!s) return;
        s.applySnapshot(msg.data, msg.last_id, this.mode);
        s.markReady();
        return;
      }
      case "insert":
      case "update":
      case "delete":
        this.streams.get(msg.entity)?.applyChanges([msg]);
        return;
      case "batch": {
        const byEntity = new Map<string, ChangeMessage[]>();
        for (const c of msg.events) {
          const list = byEntity.get(c.entity);
          if (list) list.push(c);
          else byEntity.set(c.entity, [c]);
        }
        for (const [entity, changes] of byEntity) this.streams.get(entity)?.applyChanges(changes);
        return;
      }
      case "subscribed":
        for (const name of msg.entities) this.streams.get(name)?.markReady();
        return;
      case "stats_update": {
        const at = Date.parse(msg.timestamp) || Date.now();
        this.latestStats = { stats: msg.data, at };
        for (const l of this.statsListeners) l(msg.data, at);
        return;
      }
      case "error": {
        const concerns = (s: { name: string }) => msg.entities?.includes(s.name) ?? false;
        if (msg.code === "unknown_entity") for (const s of this.streams.values()) if (concerns(s)) s.fail(msg.message);
        // The backend keeps trying and sends the rows once the database answers; until then, say why none come.
        if (msg.code === "database_unavailable") for (const s of this.streams.values()) if (concerns(s)) s.setProblem(msg.message);
        return;
      }
      default:
        return;
    }
  }

  private sendSubscribe(): void {
    if (!this.connection.ready) return;
    const entities = [...this.streams.values()].filter((s) => s.error === null).map((s) => s.name);
    const cursor: NonNullable<SubscribeMessage["cursor"]> = {};
    for (const name of entities) {
      const last = this.streams.get(name)!.lastId;
      if (last !== null) cursor[name] = last;
    }
    this.connection.send({ type: "subscribe", entities, batch: true, ...(Object.keys(cursor).length ? { cursor } : {}) });
  }

  private drop(name: string): void {
    this.lingerTimers.delete(name);
    const s = this.streams.get(name);
    if (!s || s.listeners.size > 0) return;
    this.streams.delete(name);
    if (s.error === null) this.connection.send({ type: "unsubscribe", entities: [name] });
    this.connection.scheduleIdleClose();
  }
}
