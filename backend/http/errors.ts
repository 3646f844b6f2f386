/** REST errors always have the same body: `{ error: { code, message } }`. */
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ErrorBody } from "../../contract/rest.ts";

export function errorResponse(c: Context, status: ContentfulStatusCode, code: string, message: string): Response {
  return c.json<ErrorBody>({ error: { code, message } }, status);
}
