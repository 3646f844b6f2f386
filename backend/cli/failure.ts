/**
 * What the CLI prints when a command fails, and its exit code: one or two lines — what is wrong, then
 * what to do — and never a stack trace for a mistake the user can fix. Only an unexpected error (a bug)
 * says so, with the stack when NOMNOM_LOG=debug.
 */
import { ConfigError } from "../config/errors.ts";
import { connectionLost, DatabaseAccessError, DatabaseUnavailableError } from "../db/errors.ts";
import { DatabaseUrlError } from "../db/open.ts";
import { EXIT, type ExitCode } from "./exit-codes.ts";

/** The command line is wrong; `command` is the one whose `--help` tells the right one (null: none or unknown). */
export class UsageError extends Error {
  constructor(
    readonly command: string | null,
    message: string,
  ) {
    super(message);
    this.name = "UsageError";
  }
}

/** A file exists that the command would overwrite, and --force was not given. */
export class OutputExistsError extends Error {
  constructor(readonly file: string) {
    super(`${file} exists: nothing written.\nMove it away, or pass --force to overwrite it.`);
    this.name = "OutputExistsError";
  }
}

/** The server could not listen on its address. */
export class ListenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ListenError";
  }
}

/** A listen failure as a ListenError saying what to do; other errors unchanged. Node gives `code`, Deno a named error. */
export function explainListenError(error: unknown, host: string, port: number): unknown {
  const e = (error ?? {}) as { code?: unknown; name?: unknown };
  const at = `${host.includes(":") ? `[${host}]` : host}:${port}`;
  const other = "another port with server.port or the PORT environment variable";
  if (e.code === "EADDRINUSE" || e.name === "AddrInUse") return new ListenError(`cannot listen on ${at}: the port is in use (by another nomnom-live, or another server).\nStop that program, or choose ${other}.`);
  if (e.code === "EACCES" || e.name === "PermissionDenied") return new ListenError(`cannot listen on ${at}: not allowed (ports below 1024 need privileges).\nChoose ${other}.`);
  if (e.code === "EADDRNOTAVAIL" || e.name === "AddrNotAvailable") return new ListenError(`cannot listen on ${at}: ${host} is not an address of this machine.\nSet server.host to one of its addresses, or to 0.0.0.0 for all of them.`);
  return error;
}

/** An error the database server answered with (postgres.js: a severity and SQLSTATE; mysql2: an errno and sqlMessage). */
function fromDatabase(error: unknown): boolean {
  const e = error as { severity?: unknown; code?: unknown; errno?: unknown; sqlMessage?: unknown } | null;
  return !!e && ((typeof e.severity === "string" && typeof e.code === "string") || (typeof e.errno === "number" && typeof e.sqlMessage === "string"));
}

export interface Failure {
  code: ExitCode;
  /** What to print on stderr, ending in a newline. */
  text: string;
}

const line = (text: string) => (text.endsWith("\n") ? text : `${text}\n`);

export function describeFailure(error: unknown, debug = globalThis.process?.env?.NOMNOM_LOG === "debug"): Failure {
  if (error instanceof UsageError) {
    const command = error.command ? `nomnom-live ${error.command}` : "nomnom-live";
    return { code: EXIT.usage, text: line(`${command}: ${error.message}\nRun "${command} --help" for ${error.command ? "its usage" : "the commands"}.`) };
  }
  if (error instanceof ConfigError || error instanceof DatabaseUrlError) return { code: EXIT.config, text: line(error.message) };
  if (error instanceof DatabaseUnavailableError || error instanceof DatabaseAccessError) return { code: EXIT.database, text: line(error.message) };
  if (error instanceof ListenError) return { code: EXIT.port, text: line(error.message) };
  if (error instanceof OutputExistsError || (error instanceof Error && error.name === "GenerateConflictError")) return { code: EXIT.cantCreate, text: line(error.message) };
  const message = error instanceof Error ? error.message.split("\n")[0]! : String(error);
  if (connectionLost(error)) {
    return { code: EXIT.database, text: line(`lost the connection to the database while starting: ${message}\nStart nomnom-live again once the database answers (a supervisor restarting it on exit code ${EXIT.database} does this for you).`) };
  }
  if (fromDatabase(error)) {
    return { code: EXIT.database, text: line(`the database refused a query: ${message}\nCheck the privileges of the database user on the tables it reads; NOMNOM_LOG=debug shows more.`) };
  }
  const detail = debug && error instanceof Error && error.stack ? `\n${error.stack}` : "";
  return {
    code: EXIT.software,
    text: line(`unexpected error: ${message}\nThis is a bug in nomnom-live: please report it, with the output of NOMNOM_LOG=debug.${detail}`),
  };
}
