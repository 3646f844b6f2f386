/**
 * The datasource's one WebSocket to the backend, shared by every query of the datasource instance.
 *
 * - Opens when the first query watches something, closes `lingerMs` after the last one stops (so a
 *   dashboard refresh, which stops and restarts every query, keeps the socket and the rows it holds).
 * - Authenticates with a single-use ticket from `POST /api/ws-ticket` (the browser never holds the token).
 * - Subscribes with `?subscribe=manual`: one `subscribe` carrying the watched entities and, for every
 *   entity it already holds rows of, the resume cursor — so after a reconnect the backend replays exactly
 *   the rows after it (no gap), and the entity stream drops anything at or below it (no duplicate).
 * - Reconnects with jittered exponential backoff, with a fresh ticket each time.
 */
import { WS_PARAM, WS_PATH, wsQuery, type EntityInfo, type EntityStatsMap, type ServerMessage, type SubscribeMessage, type ChangeMessage } from "../../contract/index.ts";
import type { ConnectionState } from "../shared/types.ts";
import { ApiError } from "./api.ts";
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from "./backoff.ts";
import { EntityStream, type StreamListener } from "./entity-stream.ts";

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
export type StatusListener = (state: ConnectionState) => void;

/** `http://host:8080/prefix` → `ws://host:8080/prefix/ws`; relative URLs resolve against the page. */
export function socketUrl(baseUrl: string, params: Record<string, string>): string {
  const origin = typeof window !== "undefined" && window.location ? window.location.href : "http://localhost/";
  const url = new URL(baseUrl.replace(/\/+$/, "") + WS_PATH, origin);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.toString();
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export class LiveClient {
  readonly streams = new Map<string, EntityStream>();
  state: ConnectionState = { status: "connecting", attempt: 0, since: Date.now() };
  latestStats: { stats: EntityStatsMap; at: number } | null = null;
  /** The backend's polling mode, from `connection_ack`: in events mode snapshot rows are as of its position. */
  mode: "table" | "events" = "table";
  /** Sockets opened so far (tests and diagnostics). */
  socketsOpened = 0;

  private ws: WebSocket | null = null;
  private acked = false;
  private connecting = false;
  private generation = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private closeTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly lingerTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly statsListeners = new Set<StatsListener>();
  private readonly statusListeners = new Set<StatusListener>();
  private entityCache: Promise<EntityInfo[]> | null = null;
  private readonly WS: typeof WebSocket;
  private readonly lingerMs: number;
  private readonly backoff: BackoffOptions;
  private readonly openTimeoutMs: number;

  constructor(private readonly options: LiveClientOptions) {
    this.WS = options.WebSocketImpl ?? globalThis.WebSocket;
    this.lingerMs = options.lingerMs ?? 1000;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.openTimeoutMs = options.openTimeoutMs ?? 10_000;
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
      if (this.acked) this.sendSubscribe();
    }
    stream.listeners.add(listener);
    this.wake();
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
    this.wake();
    return () => {
      this.statsListeners.delete(listener);
      this.scheduleIdleClose();
    };
  }

  onStatus(listener: StatusListener): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** True while a socket is open or being opened. */
  get active(): boolean {
    return this.ws !== null || this.connecting || this.reconnectTimer !== null;
  }

  /** Closes everything now (datasource disposal). */
  dispose(): void {
    for (const t of this.lingerTimers.values()) clearTimeout(t);
    this.lingerTimers.clear();
    this.streams.clear();
    this.statsListeners.clear();
    this.shutdown();
  }

  /**
   * Opens a socket of its own and waits for `connection_ack` (the datasource's connection test).
   * Resolves with the entities the backend announced; rejects with what went wrong.
   */
  async probe(timeoutMs = 5000): Promise<string[]> {
    const { ticket } = await this.options.api.ticket();
    const url = socketUrl(this.options.baseUrl, wsQuery({ manual: true, ticket }));
    return new Promise((resolve, reject) => {
      let ws: WebSocket;
      try {
        ws = new this.WS(url);
      } catch (e) {
        reject(new Error(`cannot open ${url.replace(new RegExp(`${WS_PARAM.ticket}=[^&]+`), `${WS_PARAM.ticket}=…`)}: ${describe(e)}`));
        return;
      }
      const timer = setTimeout(() => {
        ws.close();
        reject(new Error(`no answer within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      ws.onmessage = (ev) => {
        const msg = JSON.parse(String(ev.data)) as ServerMessage;
        if (msg.type !== "connection_ack") return;
        clearTimeout(timer);
        ws.close(1000, "probe done");
        resolve(msg.data.entities);
      };
      ws.onclose = (ev) => {
        clearTimeout(timer);
        reject(new Error(`the connection was refused or closed (code ${ev.code}${ev.reason ? `: ${ev.reason}` : ""})`));
      };
    });
  }

  // ── connection ──────────────────────────────────────────────────────────────────────────────

  private wanted(): boolean {
    return this.streams.size > 0 || this.statsListeners.size > 0;
  }

  private wake(): void {
    if (this.closeTimer) {
      clearTimeout(this.closeTimer);
      this.closeTimer = null;
    }
    if (!this.ws && !this.connecting && !this.reconnectTimer) void this.connect();
  }

  private setState(patch: Partial<ConnectionState>): void {
    const next = { ...this.state, ...patch, since: Date.now() };
    if (next.status === this.state.status && next.message === this.state.message && next.attempt === this.state.attempt) return;
    this.state = next;
    for (const l of this.statusListeners) l(next);
  }

  private async connect(): Promise<void> {
    const generation = ++this.generation;
    this.connecting = true;
    if (this.state.attempt > 0) this.setState({ status: "reconnecting" });
    let url: string;
    try {
      const [{ ticket }, infos] = await Promise.all([this.options.api.ticket(), this.entities(true)]);
      for (const info of infos) {
        const s = this.streams.get(info.name);
        if (s) s.key = info.key;
      }
      url = socketUrl(this.options.baseUrl, wsQuery({ manual: true, batch: true, ticket }));
    } catch (e) {
      if (generation !== this.generation) return;
      this.connecting = false;
      const err = e instanceof ApiError ? e : null;
      if (err?.kind === "unauthorized") return this.retry(`the backend refused the datasource's token (${err.message})`, "error");
      return this.retry(`cannot reach the backend: ${describe(e)}`);
    }
    if (generation !== this.generation) return;
    this.connecting = false;
    if (!this.wanted()) return;

    let ws: WebSocket;
    try {
      ws = new this.WS(url);
    } catch (e) {
      return this.retry(`cannot open the WebSocket: ${describe(e)}`);
    }
    this.socketsOpened++;
    this.ws = ws;
    this.acked = false;
    let opened = false;
    const openTimer = setTimeout(() => {
      if (this.ws === ws && !this.acked) ws.close(4000, "no connection_ack");
    }, this.openTimeoutMs);
    ws.onopen = () => {
      opened = true;
    };
    ws.onmessage = (ev) => {
      if (this.ws !== ws) return;
      let msg: ServerMessage;
      try {
        msg = JSON.parse(String(ev.data)) as ServerMessage;
      } catch {
        return;
      }
      this.handle(msg);
    };
    ws.onclose = (ev) => {
      clearTimeout(openTimer);
      if (this.ws !== ws) return;
      this.ws = null;
      this.acked = false;
      if (!this.wanted()) return;
      const base = this.options.baseUrl;
      const why = !opened
        ? `the browser could not open the WebSocket at ${base}/ws (is the backend running, is the datasource's Browser URL right, and does server.cors_origins list this page's origin?)`
        : `the connection closed (code ${ev.code}${ev.reason ? `: ${ev.reason}` : ""})`;
      this.retry(why);
    };
  }

  private retry(message: string, status: "reconnecting" | "error" = "reconnecting"): void {
    const attempt = this.state.attempt + 1;
    const delay = backoffDelay(attempt - 1, this.backoff);
    this.setState({ status, attempt, message: `${message}; retrying in ${Math.max(1, Math.round(delay / 1000))} s` });
    if (!this.wanted()) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (this.wanted()) void this.connect();
    }, delay);
  }

  private handle(msg: ServerMessage): void {
    switch (msg.type) {
      case "connection_ack": {
        this.acked = true;
        this.mode = msg.data.mode === "events" ? "events" : "table";
        const known = new Set(msg.data.entities);
        for (const s of this.streams.values()) {
          if (!known.has(s.name)) s.fail(`the backend does not watch an entity named "${s.name}" (it watches: ${msg.data.entities.join(", ") || "nothing"})`);
        }
        this.setState({ status: "connected", attempt: 0, message: undefined });
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
    const ws = this.ws;
    if (!ws || !this.acked || ws.readyState !== 1) return;
    const entities = [...this.streams.values()].filter((s) => s.error === null).map((s) => s.name);
    const cursor: NonNullable<SubscribeMessage["cursor"]> = {};
    for (const name of entities) {
      const last = this.streams.get(name)!.lastId;
      if (last !== null) cursor[name] = last;
    }
    const msg: SubscribeMessage = { type: "subscribe", entities, batch: true, ...(Object.keys(cursor).length ? { cursor } : {}) };
    ws.send(JSON.stringify(msg));
  }

  private drop(name: string): void {
    this.lingerTimers.delete(name);
    const s = this.streams.get(name);
    if (!s || s.listeners.size > 0) return;
    this.streams.delete(name);
    if (this.ws && this.acked && this.ws.readyState === 1 && s.error === null) {
      this.ws.send(JSON.stringify({ type: "unsubscribe", entities: [name] }));
    }
    this.scheduleIdleClose();
  }

  private scheduleIdleClose(): void {
    if (this.wanted() || this.closeTimer) return;
    this.closeTimer = setTimeout(() => {
      this.closeTimer = null;
      if (!this.wanted()) this.shutdown();
    }, this.lingerMs);
  }

  private shutdown(): void {
    this.generation++;
    this.connecting = false;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    if (this.closeTimer) clearTimeout(this.closeTimer);
    this.closeTimer = null;
    const ws = this.ws;
    this.ws = null;
    this.acked = false;
    if (ws && ws.readyState <= 1) ws.close(1000, "no more queries");
    this.state = { status: "connecting", attempt: 0, since: Date.now() };
  }
}
