/**
 * The CLI's exit codes, sysexits-style so scripts and service managers can tell what to fix: the
 * command line, the configuration, the database, the output files or the port. Listed in `--help`
 * and in the README's "Exit codes".
 */
export const EXIT = {
  ok: 0,
  /** EX_USAGE: an unknown command or option, an option without its value, a bad option value. */
  usage: 64,
  /** EX_UNAVAILABLE: the database cannot be reached or opened, refused the login or a query at start, or lacks a privilege. */
  database: 69,
  /** EX_SOFTWARE: an unexpected error — a bug; the message asks for a report. */
  software: 70,
  /** EX_CANTCREAT: an output file exists and was not written by nomnom-live (`init`, `generate`; --force overrides). */
  cantCreate: 73,
  /** EX_CONFIG: the configuration file is unreadable or wrong, or names what the database does not have. */
  config: 78,
  /** The port cannot be listened on: in use (98 is EADDRINUSE on Linux) or not allowed. */
  port: 98,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const EXIT_CODES_HELP = `Exit codes:
  0   done (a server: stopped by SIGINT or SIGTERM)
  64  usage: unknown command or option, missing or bad option value
  69  database: unreachable, no such database or user, login refused, missing privilege
  70  unexpected error (a bug: please report it, with NOMNOM_LOG=debug output)
  73  an output file exists that nomnom-live did not write (--force overwrites)
  78  configuration: unreadable or invalid file, unset variable, unknown table or column
  98  port: in use, or not allowed
`;
