/** Node.js entry point of the CLI. */
import { runCli } from "../cli.ts";
import { serveNode } from "./node.ts";

process.exitCode = await runCli(process.argv.slice(2), (backend, options) => serveNode(backend, options));
// Pollers and sockets are closed by then; leave nothing hanging.
if (process.exitCode !== 0 || process.argv[2] !== "help") setTimeout(() => process.exit(), 100).unref();
