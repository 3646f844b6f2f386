/** The CLI's help texts: `nomnom-live --help` and each command's `--help`. */
import { EXIT_CODES_HELP } from "./exit-codes.ts";

export const MAIN_HELP = `nomnom-live — stream newly inserted database rows, with live statistics, into Grafana

Usage: nomnom-live <command> [options]     (nomnom-live <command> --help for its options)

Commands:
  init       write a starter nomnom-live.yaml: from the tables of a database, or a commented template
  serve      watch the configured database; serve the REST API, the WebSocket and /metrics
  demo       the TPC-H example on the embedded PGlite (or DATABASE_URL), with a writer inserting orders
  migrate    events mode: create db_events and the entities' triggers (safe to re-run)
  generate   Grafana provisioning and Prometheus configuration from a configuration file

Getting started:
  nomnom-live init --database-url postgres://user@host/db    then edit nomnom-live.yaml, and
  DATABASE_URL=postgres://user@host/db nomnom-live serve --config nomnom-live.yaml

Environment: PORT overrides server.port; DATABASE_URL fills database.url; \${NAME} in the configuration
is read from the environment; NOMNOM_LOG=debug|info|warn|error|silent sets the log level.

${EXIT_CODES_HELP}`;

const EXIT_LINE = "Exit codes: 0 done, 64 usage, 69 database, 70 bug, 73 output exists, 78 configuration, 98 port (nomnom-live --help).\n";

export const COMMAND_HELP: Record<string, string> = {
  serve: `Usage: nomnom-live serve [--config FILE]

Watches the database of FILE and serves the REST API, the WebSocket and /metrics on server.host and
server.port until SIGINT or SIGTERM. Without --config: every table with a single-column integer
primary key in the database of DATABASE_URL (or the embedded PGlite) is watched.

Options:
  -c, --config FILE   the configuration (nomnom-live init writes a starter one)
  -h, --help          this help

${EXIT_LINE}`,
  demo: `Usage: nomnom-live demo [--config FILE] [--rate N]

Runs the TPC-H example (orders and their line items) on the embedded PGlite, or on DATABASE_URL's
database, with a writer inserting N orders per second, and serves it as serve does.

Options:
  -c, --config FILE   the configuration (default: the example's examples/tpch/nomnom-live.yaml)
  --rate N            orders per second (default: demo.orders_per_second, 5)
  -h, --help          this help

${EXIT_LINE}`,
  migrate: `Usage: nomnom-live migrate [--config FILE]

Events mode (polling.mode: events): creates the db_events changelog and the insert, update and delete
triggers of the entities of FILE. Safe to run again, and to run after adding entities or columns.

Options:
  -c, --config FILE   the configuration
  -h, --help          this help

${EXIT_LINE}`,
  init: `Usage: nomnom-live init [--database-url URL] [--out FILE] [--force]

Writes a commented starter configuration. With a database (--database-url, or DATABASE_URL) it lists
the tables nomnom-live can watch there as entities, with their keys and timestamp columns, and says why
it leaves out the others; without one, it writes a commented template to fill in. It never overwrites
an existing file unless --force is given.

Options:
  --database-url URL  postgres://…, mysql://… or mariadb://… to discover the tables of (default: DATABASE_URL)
  -o, --out FILE      where to write (default: nomnom-live.yaml)
  --force             overwrite FILE if it exists
  -h, --help          this help

${EXIT_LINE}`,
};
