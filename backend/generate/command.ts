/** `nomnom-live generate`: argument parsing and the summary printed for the user. */
import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { EXIT, EXIT_CODES_HELP } from "../cli/exit-codes.ts";
import { describeFailure } from "../cli/failure.ts";
import { ConfigError } from "../config/errors.ts";
import type { Env } from "../config/load.ts";
import { createContext, type GenerateContext } from "./context.ts";
import { renderAll, type GeneratedFile } from "./index.ts";
import { DEFAULTS, type OptionInput } from "./options.ts";
import { MANIFEST, writeGenerated, type WriteResult } from "./write.ts";

/** What options.ts names as the source of a bad option value. */
const OPTIONS_SOURCE = "nomnom-live generate";

export const GENERATE_HELP = `nomnom-live generate --config FILE --out DIR [options]

Writes Grafana provisioning (datasources, dashboard, alert rules, contact point, notification policy,
plugin) and Prometheus configuration (scrape config, alerting rules, promtool tests) for the entities of
FILE into DIR. Files the generator did not write are never touched.

  --backend-url URL          the backend as Grafana's server and Prometheus reach it
                             (default http://localhost:<server.port>)
  --browser-url URL          the backend as browsers reach it, for the WebSocket (default: --backend-url)
  --prometheus-url URL       Prometheus as Grafana's server reaches it (default ${DEFAULTS.prometheusUrl})
  --grafana-dir DIR          where Grafana reads DIR (default ${DEFAULTS.grafanaProvisioningDir})
  --scrape-interval D        Prometheus scrape interval (default ${DEFAULTS.scrapeInterval})
  --evaluation-interval D    rule evaluation interval (default ${DEFAULTS.evaluationInterval}; Grafana rounds up to 10 s steps)
  --rate-window D            rate() window of the alert rules (default ${DEFAULTS.rateWindow})
  --for D                    how long a threshold must be crossed before alerting (default ${DEFAULTS.alertFor};
                             an entity's alerts.for wins)
  --alert-email ADDRESS      the contact point's address (default ${DEFAULTS.alertEmail})
  --alert-webhook URL        a webhook contact point instead of e-mail
  --force                    overwrite files the generator did not write, or edited since
  -h, --help                 this help

Without entities or entities_dir in FILE, the tables are discovered in the database of database.url /
DATABASE_URL, as the backend would.

${EXIT_CODES_HELP}`;

export interface GenerateRun {
  ctx: GenerateContext;
  files: GeneratedFile[];
  result: WriteResult;
}

/** The whole generation, for the CLI and for tests. */
export async function generate(configFile: string, outDir: string, input: OptionInput = {}, options: { env?: Env; force?: boolean } = {}): Promise<GenerateRun> {
  const ctx = await createContext(configFile, input, options.env);
  const files = await renderAll(ctx);
  const result = await writeGenerated(outDir, files, { force: options.force });
  return { ctx, files, result };
}

export async function runGenerate(args: string[], out: (text: string) => void = (t) => process.stdout.write(t), err: (text: string) => void = (t) => process.stderr.write(t)): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        config: { type: "string", short: "c" },
        out: { type: "string", short: "o" },
        "backend-url": { type: "string" },
        "browser-url": { type: "string" },
        "prometheus-url": { type: "string" },
        "grafana-dir": { type: "string" },
        "scrape-interval": { type: "string" },
        "evaluation-interval": { type: "string" },
        "rate-window": { type: "string" },
        for: { type: "string" },
        "alert-email": { type: "string" },
        "alert-webhook": { type: "string" },
        force: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      allowPositionals: false,
      strict: true,
    }));
  } catch (e) {
    err(`nomnom-live generate: ${(e as Error).message.split("\n")[0]}\nRun "nomnom-live generate --help" for its usage.\n`);
    return EXIT.usage;
  }
  if (values.help) {
    out(GENERATE_HELP);
    return EXIT.ok;
  }
  if (!values.config || !values.out) {
    err(`nomnom-live generate needs --config FILE and --out DIR.\nRun "nomnom-live generate --help" for its usage.\n`);
    return EXIT.usage;
  }
  try {
    const { ctx, result } = await generate(
      values.config,
      values.out,
      {
        backendUrl: values["backend-url"],
        browserUrl: values["browser-url"],
        prometheusUrl: values["prometheus-url"],
        grafanaProvisioningDir: values["grafana-dir"],
        scrapeInterval: values["scrape-interval"],
        evaluationInterval: values["evaluation-interval"],
        rateWindow: values["rate-window"],
        alertFor: values.for,
        alertEmail: values["alert-email"],
        alertWebhook: values["alert-webhook"],
      },
      { force: values.force },
    );
    const dir = resolve(values.out);
    out(`Generated for ${ctx.entities.length} entit${ctx.entities.length === 1 ? "y" : "ies"} (${ctx.entities.map((e) => e.name).join(", ")}) into ${dir}:\n`);
    for (const p of result.written) out(`  wrote      ${p}\n`);
    for (const p of result.unchanged) out(`  unchanged  ${p}\n`);
    for (const p of result.removed) out(`  removed    ${p} (no longer generated)\n`);
    for (const p of result.kept) out(`  kept       ${p} (no longer generated, but edited: remove it yourself)\n`);
    out(`  (${MANIFEST} lists the generated files)\n`);
    return EXIT.ok;
  } catch (e) {
    // Bad option values are the command line's mistake; the rest as every command reports them.
    if (e instanceof ConfigError && e.file === OPTIONS_SOURCE) {
      err(`${e.message}\n`);
      return EXIT.usage;
    }
    const failure = describeFailure(e);
    err(failure.text);
    return failure.code;
  }
}
