/**
 * The wire contract between the backend and its clients (the Grafana datasource, the preview page, seed
 * clients): the one place the protocol is spelled. The zod schemas of client messages are imported from
 * `client-messages.ts` by the server only, so the plugin bundles no validator.
 */
export type * from "./row.ts";
export { ROW_ID_TEXT, toRowId, parseRowId, idAfter, normaliseId } from "./row.ts";
export type * from "./server-messages.ts";
export { CloseCode } from "./server-messages.ts";
export type * from "./rest.ts";
export type { ClientMessage, SubscribeMessage, UnsubscribeMessage, PingMessage } from "./client-messages.ts";
export * from "./paths.ts";
export * from "./plugin-ids.ts";
export type * from "./query.ts";
export { QUERY_TYPES } from "./query.ts";
