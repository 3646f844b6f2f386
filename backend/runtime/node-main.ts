/** Node.js entry point of the CLI: serves with the Node.js edge, prints to the process's streams, stops on SIGINT or SIGTERM. */
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
// Pollers and sockets are closed by then; leave nothing hanging.
if (process.exitCode !== 0 || process.argv[2] !== "help") setTimeout(() => process.exit(), 100).unref();
