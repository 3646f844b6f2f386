/** HAProxy for the cluster tests (bench/harness/haproxy.ts), and when its tests are skipped. */
import { haproxyUnavailable } from "../../../bench/harness/haproxy.ts";
import { IN_CI } from "../../helpers/databases.ts";

export { startHaproxy, type Haproxy } from "../../../bench/harness/haproxy.ts";

/** Why tests behind HAProxy are skipped here, or undefined to run them. Never skips in CI. */
export function haproxySkipReason(): string | undefined {
  if (IN_CI) return undefined;
  const why = haproxyUnavailable();
  return why ? `${why}; skipped outside CI` : undefined;
}
