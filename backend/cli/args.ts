/** Each command's options, parsed strictly: a mistake is a UsageError of one line, not Node's own message. */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "./failure.ts";

type Options = NonNullable<ParseArgsConfig["options"]>;

const config = { type: "string", short: "c" } as const;
const help = { type: "boolean", short: "h" } as const;

export const COMMAND_OPTIONS = {
  serve: { config, help },
  demo: { config, rate: { type: "string" }, help },
  migrate: { config, help },
  init: { "database-url": { type: "string" }, out: { type: "string", short: "o" }, force: { type: "boolean" }, help },
} as const satisfies Record<string, Options>;

export type Command = keyof typeof COMMAND_OPTIONS;

export function isCommand(name: string): name is Command {
  return Object.hasOwn(COMMAND_OPTIONS, name);
}

export interface CommandArgs {
  config?: string;
  rate?: string;
  "database-url"?: string;
  out?: string;
  force?: boolean;
  help?: boolean;
}

/** Node's parseArgs error as what the user typed wrong. */
function usageMessage(e: { code?: string; message: string }): string {
  const quoted = /'([^']+)'/.exec(e.message)?.[1] ?? "";
  const option = quoted.split(/[ ,]+/).find((p) => p.startsWith("--")) ?? quoted;
  switch (e.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `unknown option ${option}`;
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return `unexpected argument "${quoted}"`;
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      return /does not take/.test(e.message) ? `${option} takes no value` : `${option} needs a value`;
    default:
      return e.message.split("\n")[0]!;
  }
}

export function parseCommand(command: Command, args: string[]): CommandArgs {
  try {
    return parseArgs({ args, options: COMMAND_OPTIONS[command], allowPositionals: false, strict: true }).values as CommandArgs;
  } catch (e) {
    throw new UsageError(command, usageMessage(e as { code?: string; message: string }));
  }
}
