/**
 * Globals the Node.js edge needs and older Node.js lacks. Imported for its effect, before the server
 * starts.
 */

// @hono/node-ws reports socket errors with the global ErrorEvent, which Node.js only has from v22;
// without it an oversized frame would throw inside the socket's error handler.
if (typeof globalThis.ErrorEvent === "undefined") {
  (globalThis as { ErrorEvent?: unknown }).ErrorEvent = class ErrorEvent extends Event {
    readonly error: unknown;
    readonly message: string;
    constructor(type: string, init: { error?: unknown; message?: string } = {}) {
      super(type);
      this.error = init.error;
      this.message = init.message ?? (init.error instanceof Error ? init.error.message : "");
    }
  };
}
