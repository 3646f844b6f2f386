/**
 * `nomnom-live <command>`: serve, demo, migrate and generate.
 * Runtime-neutral: the Node and Deno entry points pass in how to serve, where to print and when to shut
 * down, and exit with the code it returns.
 */
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { API_PREFIX, REST, WS_PATH } from "../contract/index.ts";
import { Backend } from "./backend.ts";
import { ConfigError } from "./config/errors.ts";
import { defaultConfig, loadConfig } from "./config/load.ts";
import type { Config } from "./config/schema.ts";
import { openDatabase, DatabaseUrlError } from "./db/open.ts";
import { DatabaseAccessError } from "./db/errors.ts";
import { demoSchema } from "./demo/schema.ts";
import { startDemoWriter } from "./demo/writer.ts";
import type { RouteExtension } from "./http/app.ts";
import { createLogger } from "./log.ts";

export interface Serve {
  (backend: Backend, options: { extensions?: RouteExtension[] }): Promise<{ url: string; close(): Promise<void> }>;
}

/** What a runtime's entry point gives the CLI. */
export interface CliHost {
  serve: Serve;
  stdout(text: string): void;
  stderr(text: string): void;
  /** Resolves when the process is asked to stop (SIGINT or SIGTERM); a server runs until then. */
  shutdown(): Promise<void>;
}

export const EXAMPLE_CONFIG = fileURLToPath(new URL("../examples/tpch/nomnom-live.yaml", import.meta.url));

const HELP = `nomnom-live — stream newly inserted database rows, with live statistics, into Grafana

Usage:
  nomnom-live serve [--config FILE]     watch the configured database (DATABASE_URL, or embedded PGlite)
  nomnom-live demo  [--config FILE] [--rate N]
                                        the TPC-H example on the embedded PGlite (or DATABASE_URL),
                                        with a writer inserting N orders per second (default 5)
  nomnom-live migrate [--config FILE]   events mode: create db_events and the entities' triggers (safe to re-run)
  nomnom-live generate --config FILE --out DIR [options]
                                        Grafana provisioning and Prometheus configuration from FILE
                                        (nomnom-live generate --help for the options)

Environment: PORT overrides server.port; DATABASE_URL fills database.url; NOMNOM_LOG=debug|info|warn|error.
`;

/** Route extensions (the preview page) are loaded when present, so the backend runs without the plugin build. */
async function extensions(): Promise<RouteExtension[]> {
  try {
    const specifier = "./http/preview.ts"; // optional module: resolved at run time, not by the type checker
    const mod = (await import(specifier)) as { previewRoutes: RouteExtension };
    return [mod.previewRoutes];
  } catch {
    return [];
  }
}

export async function runCli(argv: string[], host: CliHost): Promise<number> {
  const log = createLogger();
  const [command, ...rest] = argv;
  if (command === "generate") return (await import("./generate/command.ts")).runGenerate(rest, host.stdout, host.stderr);
  const { values } = parseArgs({
    args: rest,
    options: { config: { type: "string", short: "c" }, rate: { type: "string" }, help: { type: "boolean", short: "h" } },
    allowPositionals: false,
    strict: true,
  });
  if (!command || values.help || command === "help") {
    host.stdout(HELP);
    return command ? 0 : 1;
  }
  try {
    switch (command) {
      case "serve": {
        const config = values.config ? await loadConfig(values.config) : await defaultConfig();
        return await runServer(config, values.config ?? "(defaults)", host, log);
      }
      case "demo": {
        const file = values.config ?? EXAMPLE_CONFIG;
        const config = await loadConfig(file);
        if (values.rate !== undefined) {
          const rate = Number(values.rate);
          if (!Number.isFinite(rate) || rate < 0) throw new ConfigError("--rate", [{ path: "--rate", message: `must be a number of orders per second, got "${values.rate}"` }]);
          config.demo.orders_per_second = rate;
        }
        return await runServer(config, file, host, log, true);
      }
      case "migrate": {
        const config = values.config ? await loadConfig(values.config) : await defaultConfig();
        const { runMigrate } = await import("./events/migrate-command.ts");
        return await runMigrate(config, values.config ?? "(defaults)", host.stdout);
      }
      default:
        host.stderr(`unknown command "${command}"\n\n${HELP}`);
        return 2;
    }
  } catch (e) {
    if (e instanceof ConfigError || e instanceof DatabaseUrlError || e instanceof DatabaseAccessError) {
      host.stderr(`${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

async function runServer(config: Config, source: string, host: CliHost, log: ReturnType<typeof createLogger>, demo = false): Promise<number> {
  const dialect = await openDatabase(config.database.url, { dataDir: config.database.data_dir });
  if (demo) await dialect.execute(demoSchema(dialect.name));
  const backend = await Backend.create({ config, dialect, log, source });
  const writer = demo ? startDemoWriter(dialect, { ordersPerSecond: config.demo.orders_per_second, linesPerOrder: config.demo.lines_per_order, log }) : null;
  backend.start();
  const server = await host.serve(backend, { extensions: await extensions() });
  log.info(`nomnom-live ${backend.version} listening on ${server.url}`, { database: dialect.name, entities: backend.entities.map((e) => e.info.name).join(",") });
  host.stdout(`\n  nomnom-live is running: ${server.url}/  (health: ${server.url}${API_PREFIX}${REST.health}, WebSocket: ${server.url.replace(/^http/, "ws")}${WS_PATH})\n\n`);
  await host.shutdown();
  log.info("shutting down");
  await writer?.stop();
  await backend.stop();
  await server.close();
  await dialect.close();
  return 0;
}
