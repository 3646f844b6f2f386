/** Where the browser opens the backend's WebSocket: the browser URL with the contract's WS_PATH, as ws(s)://. */
import { WS_PATH } from "../../contract/index.ts";
import { pageUrl } from "./page-url.ts";

/** `http://host:8080/prefix` → `ws://host:8080/prefix/ws`; relative URLs resolve against the page. */
export function socketUrl(baseUrl: string, params: Record<string, string>): string {
  const url = new URL(baseUrl.replace(/\/+$/, "") + WS_PATH, pageUrl());
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.toString();
}
