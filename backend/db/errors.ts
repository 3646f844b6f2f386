/**
 * Errors about reaching the database that the user fixes outside nomnom-live: the server, the URL, the
 * role, the password, the privileges. Each message is what is wrong and, on its second line, what to do;
 * never the password.
 */

/** The database answered, but the configured user may not do what nomnom-live needs; the message says what to grant. */
export class DatabaseAccessError extends Error {}

/** The database could not be opened: unreachable, no such database or role, or the login was refused. */
export class DatabaseUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "DatabaseUnavailableError";
  }
}

/** Driver and socket codes of a connection that was lost (or refused) after the database had been opened. */
const CONNECTION_LOST = new Set(["CONNECTION_CLOSED", "CONNECTION_ENDED", "CONNECTION_DESTROYED", "CONNECT_TIMEOUT", "ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "PROTOCOL_CONNECTION_LOST"]);

/** The database went away under a query: the query may succeed when tried again; nothing was wrong with it. */
export function connectionLost(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && CONNECTION_LOST.has(code);
}

/** `host:port/database` of a database URL, without the user's credentials. */
export function databaseAddress(url: string): string {
  try {
    const u = new URL(url);
    return `${u.host}${u.pathname === "/" ? "" : u.pathname}`;
  } catch {
    return "(an unparsable URL)";
  }
}

interface DriverError {
  code?: unknown;
  errno?: unknown;
  message?: unknown;
  errors?: unknown;
}

const FIX_URL = "database.url (or DATABASE_URL)";

/** The first driver or socket error code in `e` (Node's AggregateError keeps one per address tried). */
function codeOf(e: DriverError): string {
  if (typeof e.code === "string" && e.code !== "") return e.code;
  const inner = Array.isArray(e.errors) ? (e.errors[0] as DriverError | undefined) : undefined;
  return inner ? codeOf(inner) : "";
}

/**
 * Why a database could not be opened, as one or two lines. `product` names the server kind as the
 * user knows it ("PostgreSQL", "MySQL/MariaDB").
 */
export function explainOpenError(error: unknown, url: string, product: string): DatabaseUnavailableError {
  const e = (error ?? {}) as DriverError;
  const code = codeOf(e);
  const said = typeof e.message === "string" && e.message !== "" ? e.message.split("\n")[0]! : String(error);
  const where = databaseAddress(url);
  const server = `the ${product} server at ${where.split("/")[0]}`;
  const database = decodeURIComponent(where.includes("/") ? where.slice(where.indexOf("/") + 1) : "");
  const say = (what: string, todo: string) => new DatabaseUnavailableError(`${what}\n${todo}`, { cause: error });
  switch (code) {
    case "ECONNREFUSED":
      return say(`cannot reach ${server}: connection refused.`, `Start the database server, or fix the host and port in ${FIX_URL}.`);
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return say(`cannot reach ${server}: the host name does not resolve.`, `Fix the host in ${FIX_URL}.`);
    case "ETIMEDOUT":
    case "CONNECT_TIMEOUT":
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return say(`cannot reach ${server}: no answer (${code}).`, `Check that the host is up and that no firewall drops the port, or fix the host and port in ${FIX_URL}.`);
    case "ECONNRESET":
    case "EPIPE":
      return say(`${server} closed the connection at once (${code}).`, `Check that the port in ${FIX_URL} is the database's, and whether the server requires TLS.`);
    case "3D000": // PostgreSQL invalid_catalog_name
    case "ER_BAD_DB_ERROR":
      return say(`${server} has no database "${database}".`, `Create it (CREATE DATABASE ${database}), or fix the database name in ${FIX_URL}.`);
    case "28000": // PostgreSQL invalid_authorization_specification: no such role, or pg_hba.conf refuses it
    case "28P01": // invalid_password
    case "ER_ACCESS_DENIED_ERROR":
    case "ER_ACCESS_DENIED_NO_PASSWORD_ERROR":
    case "ER_NOT_SUPPORTED_AUTH_MODE":
      return say(`${server} refused the login: ${said}.`, `Fix the user and password in ${FIX_URL}, or create that user on the server.`);
    case "ER_DBACCESS_DENIED_ERROR":
    case "42501": // insufficient_privilege (CONNECT on the database)
      return say(`${server} refused access to the database "${database}": ${said}.`, `Grant the user access to it (GRANT … ON ${database} …), or fix ${FIX_URL}.`);
    case "57P03": // cannot_connect_now: starting up or shutting down
    case "53300": // too_many_connections
    case "ER_CON_COUNT_ERROR":
      return say(`${server} cannot take the connection now: ${said}.`, "Try again once the server is up and has a free connection.");
    default:
      return say(`cannot open the ${product} database at ${where}: ${said}${code ? ` (${code})` : ""}.`, `Check ${FIX_URL} and that the server is running.`);
  }
}
