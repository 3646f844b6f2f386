/** Origin checks for the WebSocket upgrade. */

/** Non-browser clients send no Origin; browsers may connect from this server's own pages or a listed origin. */
export function originAllowed(origin: string | undefined, requestUrl: string, allowed: string[]): boolean {
  if (!origin || allowed.includes("*") || allowed.includes(origin)) return true;
  try {
    return new URL(origin).host === new URL(requestUrl).host;
  } catch {
    return false;
  }
}
