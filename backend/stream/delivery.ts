/**
 * Writing frames to one client's socket, one frame per row or one `batch` frame per publish (the
 * client's choice). Live frames are the hub's shared strings; writing them never waits: when the
 * client's send buffer passes its limit, writing stops at the exact row, and the caller moves the
 * client to `lagging` from there. Replayed frames are written only once the buffer has drained.
 */
import type { ClientSocket } from "./client-socket.ts";
import type { Change } from "./feed.ts";
import { batchFrame, changeFrame, framedOnce, type SharedFrame } from "./frames.ts";

/** Bytes of frames written to one client in one corked run: few writes, and a buffer check between runs. */
export const CORK_BYTES = 64 * 1024;

/** How far one entity has been sent to the client; advanced row by row as frames are written. */
export interface Progress {
  /** Highest position sent (or covered by a snapshot). */
  sent: bigint;
}

export class Delivery {
  constructor(
    readonly socket: ClientSocket,
    /** `batch` frames instead of one frame per row; a later subscribe may change it. */
    public batch: boolean,
  ) {}

  send(data: string | SharedFrame): void {
    if (this.socket.isOpen) this.socket.send(data);
  }

  /**
   * Live frames of one entity (`keys` ascend; `batch` builds the shared batch frame of all of them, once
   * for every client). Rows at or below `progress.sent` are skipped. Returns how many frames were not
   * written because the buffer passed `limit`: 0 when all left, otherwise the client lags from the first
   * unwritten row (`progress.sent` is the last written one).
   */
  live(progress: Progress, keys: bigint[], frames: SharedFrame[], batch: () => SharedFrame, limit: number): number {
    let from = 0;
    while (from < keys.length && keys[from]! <= progress.sent) from++; // only after a client-supplied cursor ran ahead
    if (from === keys.length) return 0;
    if (this.batch) {
      if (this.socket.bufferedAmount > limit) return frames.length - from;
      this.send(from === 0 ? batch() : batchFrame(frames.slice(from).map((f) => f.text), new Date().toISOString()));
      progress.sent = keys[keys.length - 1]!;
      return 0;
    }
    // Frames leave in runs of at most CORK_BYTES (one write each); the buffer is checked between runs,
    // after the kernel took what it could, so one large poll cannot overshoot the limit and the client lags
    // from the exact row it stopped at. A socket that takes ready-made frames gets each run as one slice of
    // the publish's one framed buffer, shared by every client that takes the same run (the whole buffer
    // when the publish is one run); any other gets the run's frames corked.
    const framed = this.socket.writeWire ? framedOnce(frames) : null;
    let i = from;
    while (i < frames.length) {
      if (this.socket.bufferedAmount > limit) return frames.length - i;
      let end = i;
      for (let run = 0; end < frames.length && run < CORK_BYTES; end++) run += frames[end]!.text.length;
      if (framed && (!this.socket.isOpen || this.socket.writeWire!(framed.slice(i, end)))) {
        progress.sent = keys[end - 1]!;
        i = end;
        continue;
      }
      this.socket.cork?.();
      for (; i < end; i++) {
        this.send(frames[i]!);
        progress.sent = keys[i]!;
      }
      this.socket.uncork?.();
    }
    return 0;
  }

  /**
   * Late changes (below the position, sent once and in place of nothing): written whatever the buffer
   * holds — they are few — and without moving any progress.
   */
  late(frames: SharedFrame[], batch: () => SharedFrame): void {
    if (this.batch) this.send(batch());
    else for (const f of frames) this.send(f);
  }

  /** A page of changes read from the database for this client alone, in one write; returns the characters written (for the replay budget). */
  replay(entityJson: string, changes: Change[]): number {
    if (changes.length === 0) return 0;
    const ts = new Date().toISOString();
    const frames = changes.map((c) => changeFrame(entityJson, c, ts));
    if (this.batch) {
      const batch = batchFrame(frames, ts);
      this.send(batch);
      return batch.length;
    }
    let size = 0;
    this.socket.cork?.();
    for (const f of frames) {
      this.send(f);
      size += f.length;
    }
    this.socket.uncork?.();
    return size;
  }

  /**
   * Waits until the socket has room (its buffer at most a quarter of `limit()`, read again on every
   * check as the limit shrinks when clients connect), so a replay never floods a slow client. False when
   * the client did not drain within `timeoutMs`: it is too slow and should be closed.
   */
  async drained(limit: () => number, timeoutMs: number): Promise<boolean> {
    const start = Date.now();
    while (this.socket.isOpen && this.socket.bufferedAmount > limit() / 4) {
      if (Date.now() - start > timeoutMs) return false;
      await new Promise((r) => setTimeout(r, 20));
    }
    return true;
  }
}
