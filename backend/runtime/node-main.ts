/**
 * Node.js entry point of the CLI: serves with the Node.js edge, prints to the process's streams, stops on
 * SIGINT or SIGTERM, and exits with the CLI's code (cli/exit-codes.ts).
 */
import { runCli } from "../cli.ts";
import { serveNode } from "./node/index.ts";

process.exitCode = await runCli(process.argv.slice(2), {
  serve: (backend, options) => serveNode(backend, options),
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  shutdown: () =>
    new Promise<void>((resolve) => {
      process.once("SIGINT", () => resolve());
      process.once("SIGTERM", () => resolve());
    }),
});
// Pollers and sockets are closed by then (a failed start closes what it opened); leave nothing hanging.
setTimeout(() => process.exit(), 100).unref();
