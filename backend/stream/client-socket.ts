/** The little a session needs of a WebSocket, whatever the runtime. */
export interface ClientSocket {
  send(data: string): void;
  close(code: number, reason: string): void;
  /** Bytes queued but not yet written to the network: the backpressure signal. */
  readonly bufferedAmount: number;
  readonly isOpen: boolean;
}
