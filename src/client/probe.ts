/**
 * The datasource's connection test of the WebSocket: a socket of its own, opened once and closed as
 * soon as the backend's `connection_ack` arrives (the shared socket and its queries are not touched).
 */
import { WS_PARAM, type ServerMessage } from "../../contract/index.ts";

/** Resolves with the entities the backend announced; rejects with what went wrong, the ticket masked. */
export function probeSocket(WebSocketImpl: typeof WebSocket, url: string, timeoutMs: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    let ws: WebSocket;
    try {
      ws = new WebSocketImpl(url);
    } catch (e) {
      reject(new Error(`cannot open ${url.replace(new RegExp(`${WS_PARAM.ticket}=[^&]+`), `${WS_PARAM.ticket}=…`)}: ${e instanceof Error ? e.message : String(e)}`));
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
