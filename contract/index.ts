/** The wire contract between the backend and its clients (the Grafana datasource, the preview page, seed clients). */
export type * from "./server-messages.ts";
export { CloseCode } from "./server-messages.ts";
export type * from "./rest.ts";
export type { ClientMessage, SubscribeMessage, UnsubscribeMessage, PingMessage } from "./client-messages.ts";
