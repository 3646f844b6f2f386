/**
 * The reconnect loop of the datasource's one WebSocket: opens it (with a fresh single-use ticket) when
 * something wants it, reconnects with jittered exponential backoff while something still does, closes
 * it `lingerMs` after nothing does, and tells listeners its state (connecting, connected, reconnecting,
 * error) in words a user can act on.
 *
 * What the socket carries is its owner's business (LiveClient): the owner routes the messages and
 * keeps the subscriptions; this only knows whether the socket can carry a message now.
 */
import { WS_PATH, wsQuery, type ClientMessage, type ServerMessage } from "../../contract/index.ts";
import type { ConnectionState } from "../shared/types.ts";
import { ApiError } from "./api.ts";
import { backoffDelay, type BackoffOptions } from "./backoff.ts";
import { socketUrl } from "./socket-url.ts";

export type StatusListener = (state: ConnectionState) => void;

/** What the connection asks of its owner. */
export interface ConnectionOwner {
  /** Something still needs the socket (a watched entity, a stats listener). */
  wanted(): boolean;
  /** A fresh ticket for the next socket (the owner refreshes what must be fresh with it). */
  ticket(): Promise<string>;
  /** A message from the socket. */
  receive(msg: ServerMessage): void;
}

export interface ConnectionOptions {
  /** The backend's base URL as the browser reaches it. */
  baseUrl: string;
  WebSocketImpl: typeof WebSocket;
  /** How long the socket stays open after nothing wants it. */
  lingerMs: number;
  backoff: BackoffOptions;
  /** How long to wait for `connection_ack` before giving up on an attempt. */
  openTimeoutMs: number;
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export class SocketConnection {
  state: ConnectionState = { status: "connecting", attempt: 0, since: Date.now() };
  /** Sockets opened so far (tests and diagnostics). */
  socketsOpened = 0;

  private ws: WebSocket | null = null;
  private acked = false;
  private connecting = false;
  /** Bumped by every attempt and by shutdown, so a late answer of an abandoned attempt is ignored. */
  private generation = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private closeTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly statusListeners = new Set<StatusListener>();

  constructor(
    private readonly owner: ConnectionOwner,
    private readonly options: ConnectionOptions,
  ) {}

  /** True while a socket is open or being opened. */
  get active(): boolean {
    return this.ws !== null || this.connecting || this.reconnectTimer !== null;
  }

  /** The socket is open and the backend acknowledged it: a message sent now arrives. */
  get ready(): boolean {
    return this.ws !== null && this.acked && this.ws.readyState === 1;
  }

  onStatus(listener: StatusListener): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** Sends a message if the socket is ready (see `ready`). */
  send(msg: ClientMessage): void {
    if (this.ready) this.ws!.send(JSON.stringify(msg));
  }

  /**
   * `connection_ack` arrived. `settle` (the owner's bookkeeping for the new socket) runs before the
   * listeners hear "connected".
   */
  acknowledge(settle: () => void): void {
    this.acked = true;
    settle();
    this.setState({ status: "connected", attempt: 0, message: undefined });
  }

  /** Something wants the socket: keep it, or open it. */
  wake(): void {
    if (this.closeTimer) {
      clearTimeout(this.closeTimer);
      this.closeTimer = null;
    }
    if (!this.ws && !this.connecting && !this.reconnectTimer) void this.connect();
  }

  /** Nothing may want the socket any more: close it after `lingerMs` unless something wants it again. */
  scheduleIdleClose(): void {
    if (this.owner.wanted() || this.closeTimer) return;
    this.closeTimer = setTimeout(() => {
      this.closeTimer = null;
      if (!this.owner.wanted()) this.shutdown();
    }, this.options.lingerMs);
  }

  /** Closes the socket now and stops every timer; the state starts over. */
  shutdown(): void {
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
      const ticket = await this.owner.ticket();
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
    if (!this.owner.wanted()) return;

    let ws: WebSocket;
    try {
      ws = new this.options.WebSocketImpl(url);
    } catch (e) {
      return this.retry(`cannot open the WebSocket: ${describe(e)}`);
    }
    this.socketsOpened++;
    this.ws = ws;
    this.acked = false;
    let opened = false;
    const openTimer = setTimeout(() => {
      if (this.ws === ws && !this.acked) ws.close(4000, "no connection_ack");
    }, this.options.openTimeoutMs);
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
      this.owner.receive(msg);
    };
    ws.onclose = (ev) => {
      clearTimeout(openTimer);
      if (this.ws !== ws) return;
      this.ws = null;
      this.acked = false;
      if (!this.owner.wanted()) return;
      const base = this.options.baseUrl;
      const why = !opened
        ? `the browser could not open the WebSocket at ${base}${WS_PATH} (is the backend running, is the datasource's Browser URL right, and does server.cors_origins list this page's origin?)`
        : `the connection closed (code ${ev.code}${ev.reason ? `: ${ev.reason}` : ""})`;
      this.retry(why);
    };
  }

  private retry(message: string, status: "reconnecting" | "error" = "reconnecting"): void {
    const attempt = this.state.attempt + 1;
    const delay = backoffDelay(attempt - 1, this.options.backoff);
    this.setState({ status, attempt, message: `${message}; retrying in ${Math.max(1, Math.round(delay / 1000))} s` });
    if (!this.owner.wanted()) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (this.owner.wanted()) void this.connect();
    }, delay);
  }
}
