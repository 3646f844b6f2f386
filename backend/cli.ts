/**
 * `nomnom-live <command>`: init, serve, demo, migrate and generate.
 * Runtime-neutral: the Node and Deno entry points pass in how to serve, where to print and when to shut
 * down, and exit with the code it returns. It never throws: every failure is printed as what is wrong
 * and what to do, with one of the documented exit codes (cli/exit-codes.ts).
 */
import { join } from "node:path";
import { API_PREFIX, REST, WS_PATH } from "../contract/index.ts";
import { Backend } from "./backend.ts";
import { defaultConfig, loadConfig } from "./config/load.ts";
import type { Config } from "./config/schema.ts";
import { openDatabase } from "./db/open.ts";
import { demoSchema } from "./demo/schema.ts";
import { startDemoWriter } from "./demo/writer.ts";
import type { RouteExtension } from "./http/app.ts";
import { createLogger, type Logger } from "./log.ts";
import { PACKAGE_ROOT } from "./package-root.ts";
import { isCommand, parseCommand, type Command, type CommandArgs } from "./cli/args.ts";
import { EXIT } from "./cli/exit-codes.ts";
import { describeFailure, explainListenError, UsageError } from "./cli/failure.ts";
import { COMMAND_HELP, MAIN_HELP } from "./cli/help.ts";

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

export const EXAMPLE_CONFIG = join(PACKAGE_ROOT, "examples", "tpch", "nomnom-live.yaml");

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
  const [command = "", ...rest] = argv;
  if (command === "generate") return (await import("./generate/command.ts")).runGenerate(rest, host.stdout, host.stderr);
  if (command === "--help" || command === "-h" || command === "help") {
    const about = rest[0];
    host.stdout(about && isCommand(about) ? COMMAND_HELP[about]! : MAIN_HELP);
    return EXIT.ok;
  }
  if (!command) {
    host.stderr(MAIN_HELP);
    return EXIT.usage;
  }
  try {
    if (!isCommand(command)) {
      throw new UsageError(null, `unknown command "${command}"; the commands are init, serve, demo, migrate and generate`);
    }
    const values = parseCommand(command, rest);
    if (values.help) {
      host.stdout(COMMAND_HELP[command]!);
      return EXIT.ok;
    }
    return await run(command, values, host);
  } catch (e) {
    const failure = describeFailure(e);
    host.stderr(failure.text);
    return failure.code;
  }
}

async function run(command: Command, values: CommandArgs, host: CliHost): Promise<number> {
  const log = createLogger();
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
        if (values.rate.trim() === "" || !Number.isFinite(rate) || rate < 0) throw new UsageError("demo", `--rate must be a number of orders per second, got "${values.rate}"`);
        config.demo.orders_per_second = rate;
      }
      return await runServer(config, file, host, log, true);
    }
    case "migrate": {
      const config = values.config ? await loadConfig(values.config) : await defaultConfig();
      const { runMigrate } = await import("./events/migrate-command.ts");
      return await runMigrate(config, values.config ?? "(defaults)", host.stdout);
    }
    case "init": {
      const { runInit } = await import("./cli/init.ts");
      const databaseUrl = values["database-url"] ?? globalThis.process?.env?.DATABASE_URL;
      return await runInit({ databaseUrl: databaseUrl || undefined, out: values.out ?? "nomnom-live.yaml", force: values.force ?? false }, host.stdout);
    }
  }
}

/**
 * Opens the database, resolves the entities, listens, then polls: a port in use is found before any
 * poller starts, and everything opened is closed again on the way out.
 */
async function runServer(config: Config, source: string, host: CliHost, log: Logger, demo = false): Promise<number> {
  const dialect = await openDatabase(config.database.url, { dataDir: config.database.data_dir, queryTimeoutMs: config.polling.query_timeout_ms });
  let backend: Backend | undefined;
  let server: Awaited<ReturnType<Serve>>;
  try {
    if (demo) await dialect.execute(demoSchema(dialect.name));
    backend = await Backend.create({ config, dialect, log, source });
    server = await host.serve(backend, { extensions: await extensions() }).catch((e: unknown) => {
      throw explainListenError(e, config.server.host, config.server.port);
    });
  } catch (e) {
    await backend?.stop().catch(() => {});
    await dialect.close().catch(() => {});
    throw e;
  }
  backend.start();
  const writer = demo ? startDemoWriter(dialect, { ordersPerSecond: config.demo.orders_per_second, linesPerOrder: config.demo.lines_per_order, log }) : null;
  log.info(`nomnom-live ${backend.version} listening on ${server.url}`, { database: dialect.name, entities: backend.entities.map((e) => e.info.name).join(",") });
  host.stdout(`\n  nomnom-live is running: ${server.url}/  (health: ${server.url}${API_PREFIX}${REST.health}, WebSocket: ${server.url.replace(/^http/, "ws")}${WS_PATH})\n\n`);
  await host.shutdown();
  log.info("shutting down");
  await writer?.stop();
  await backend.stop();
  await server.close();
  await dialect.close();
  return EXIT.ok;
}
