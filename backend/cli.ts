/**
 * `nomnom-live <command>`: serve, demo (and, as they land, generate and migrate).
 * Runtime-neutral: the Node and Deno entry points pass in how to serve.
 */
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
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

export async function runCli(argv: string[], serve: Serve): Promise<number> {
  const log = createLogger();
  const [command, ...rest] = argv;
  if (command === "generate") return (await import("./generate/command.ts")).runGenerate(rest);
  const { values } = parseArgs({
    args: rest,
    options: { config: { type: "string", short: "c" }, rate: { type: "string" }, help: { type: "boolean", short: "h" } },
    allowPositionals: false,
    strict: true,
  });
  if (!command || values.help || command === "help") {
    process.stdout.write(HELP);
    return command ? 0 : 1;
  }
  try {
    switch (command) {
      case "serve": {
        const config = values.config ? await loadConfig(values.config) : await defaultConfig();
        return await runServer(config, values.config ?? "(defaults)", serve, log);
      }
      case "demo": {
        const file = values.config ?? EXAMPLE_CONFIG;
        const config = await loadConfig(file);
        if (values.rate !== undefined) {
          const rate = Number(values.rate);
          if (!Number.isFinite(rate) || rate < 0) throw new ConfigError("--rate", [{ path: "--rate", message: `must be a number of orders per second, got "${values.rate}"` }]);
          config.demo.orders_per_second = rate;
        }
        return await runServer(config, file, serve, log, true);
      }
      case "migrate": {
        const config = values.config ? await loadConfig(values.config) : await defaultConfig();
        const { runMigrate } = await import("./events/migrate-command.ts");
        return await runMigrate(config, values.config ?? "(defaults)");
      }
      default:
        process.stderr.write(`unknown command "${command}"\n\n${HELP}`);
        return 2;
    }
  } catch (e) {
    if (e instanceof ConfigError || e instanceof DatabaseUrlError || e instanceof DatabaseAccessError) {
      process.stderr.write(`${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

async function runServer(config: Config, source: string, serve: Serve, log: ReturnType<typeof createLogger>, demo = false): Promise<number> {
  const dialect = await openDatabase(config.database.url, { dataDir: config.database.data_dir });
  if (demo) await dialect.execute(demoSchema(dialect.name));
  const backend = await Backend.create({ config, dialect, log, source });
  const writer = demo ? startDemoWriter(dialect, { ordersPerSecond: config.demo.orders_per_second, linesPerOrder: config.demo.lines_per_order, log }) : null;
  backend.start();
  const server = await serve(backend, { extensions: await extensions() });
  log.info(`nomnom-live ${backend.version} listening on ${server.url}`, { database: dialect.name, entities: backend.entities.map((e) => e.info.name).join(",") });
  process.stdout.write(`\n  nomnom-live is running: ${server.url}/  (health: ${server.url}/api/health, WebSocket: ${server.url.replace(/^http/, "ws")}/ws)\n\n`);
  await new Promise<void>((resolve) => {
    const shutdown = () => resolve();
    process.once("SIGINT", shutdown);
    process.once("SIGTERM", shutdown);
  });
  log.info("shutting down");
  await writer?.stop();
  await backend.stop();
  await server.close();
  await dialect.close();
  return 0;
}
