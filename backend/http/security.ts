/** Token comparison and origin checks. */
import { timingSafeEqual, createHash } from "node:crypto";

/** Constant-time over the digests, so neither content nor length leaks through timing. */
export function tokenMatches(candidate: string, tokens: string[]): boolean {
  const c = createHash("sha256").update(candidate).digest();
  let ok = false;
  for (const t of tokens) ok = timingSafeEqual(c, createHash("sha256").update(t).digest()) || ok;
  return ok;
}

/** Non-browser clients send no Origin; browsers may connect from this server's own pages or a listed origin. */
export function originAllowed(origin: string | undefined, requestUrl: string, allowed: string[]): boolean {
  if (!origin || allowed.includes("*") || allowed.includes(origin)) return true;
  try {
    return new URL(origin).host === new URL(requestUrl).host;
  } catch {
    return false;
  }
}
