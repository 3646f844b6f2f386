/** The little a session needs of a WebSocket, whatever the runtime. */
import type { Buffer } from "node:buffer";
import type { SharedFrame } from "./frames.ts";

export interface ClientSocket {
  /** Sends one text message: a string made for this client, or a frame shared with others. */
  send(data: string | SharedFrame): void;
  close(code: number, reason: string): void;
  /** Bytes queued but not yet written to the network: the backpressure signal. */
  readonly bufferedAmount: number;
  readonly isOpen: boolean;
  /** Optional: holds writes until `uncork`, so the frames of one publish leave in one write. */
  cork?(): void;
  uncork?(): void;
  /**
   * Optional: writes complete WebSocket frames (frames.ts `framedOnce`), as they are, in one write —
   * false when it cannot just now (the caller then sends the frames one by one).
   */
  writeWire?(wire: Buffer): boolean;
}
