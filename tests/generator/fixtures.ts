/** Generated output for the generator tests: the TPC-H example as `npm run provision` makes it, and a variant. */
import { readFileSync, mkdtempSync, rmSync, writeFileSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { runGenerate } from "../../backend/generate/command.ts";
import { ROOT } from "../helpers/process.ts";

/** The arguments of package.json's `provision` script after `generate`, with `--out` replaced. */
export function provisionArgs(out: string): string[] {
  const script = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts.provision!;
  const args = script.split(/\s+/);
  const rest = args.slice(args.indexOf("generate") + 1);
  const at = rest.indexOf("--out");
  rest[at + 1] = out;
  return rest.map((a) => (a === "examples/tpch/nomnom-live.yaml" ? join(ROOT, a) : a));
}

export async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await runGenerate(args, (t) => (stdout += t), (t) => (stderr += t));
  return { code, stdout, stderr };
}

const made: string[] = [];
process.once("exit", () => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A fresh directory, removed when the test process ends. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `nomnom-${prefix}-`));
  made.push(dir);
  return dir;
}

/** The TPC-H example with the compose addresses, into a fresh directory. */
export async function generateTpch(): Promise<string> {
  const out = join(tempDir("gen-tpch"), "provisioning");
  const r = await run(provisionArgs(out));
  if (r.code !== 0) throw new Error(`generate failed: ${r.stderr}`);
  return out;
}

export const VARIANT_YAML = `
server: { port: 9099, auth_tokens: ["0123456789abcdef0123"] }
entities:
  - { name: Payment, table: payments, color: "#10b981" }
  - { name: Audit Log, table: audit_log, max_records: 50, alerts: { max_per_minute: 100 } }
  - { name: Quiet, table: quiet, alerts: { min_per_minute: 0, max_per_minute: 10, for: 30s } }
  - { name: Signup, table: signups, alerts: { min_per_minute: 2 } }
`;

/** Tokens, a webhook contact point, entities without alerts, with only a maximum, only a minimum, or a minimum of 0. */
export async function generateVariant(): Promise<string> {
  const dir = tempDir("gen-variant");
  writeFileSync(join(dir, "variant.yaml"), VARIANT_YAML);
  const out = join(dir, "out");
  const r = await run(["--config", join(dir, "variant.yaml"), "--out", out, "--alert-webhook", "http://hooks.example:9000/alerts", "--grafana-dir", "/srv/grafana/provisioning"]);
  if (r.code !== 0) throw new Error(`generate failed: ${r.stderr}`);
  return out;
}

/** Every file under `dir`, relative, sorted. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}
