/**
 * Signing the staged plugin folder with Grafana's `@grafana/sign-plugin` (run through npx, so it is only
 * fetched by those who sign), which writes its MANIFEST.txt. The access policy token comes from
 * GRAFANA_ACCESS_POLICY_TOKEN, which sign-plugin reads itself. With root URLs the signature is private:
 * valid only on the Grafanas served at those URLs (self-hosted ones); without, it is the signature level
 * of the token's organisation (community or commercial, for catalog plugins).
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

/** The sign-plugin release this project signs with. */
export const SIGN_PLUGIN = "@grafana/sign-plugin@3.3.3";

export interface SignOptions {
  /** Grafana root URLs (e.g. https://grafana.example.com/) for a private signature. */
  rootUrls: string[];
}

export function signArguments(folder: string, options: SignOptions): string[] {
  const args = ["--yes", SIGN_PLUGIN, "--distDir", folder];
  if (options.rootUrls.length > 0) args.push("--signatureType", "private", "--rootUrls", options.rootUrls.join(","));
  return args;
}

export function signPlugin(folder: string, options: SignOptions): void {
  if (!process.env.GRAFANA_ACCESS_POLICY_TOKEN) throw new Error("GRAFANA_ACCESS_POLICY_TOKEN is not set");
  const r = spawnSync("npx", signArguments(folder, options), { stdio: "inherit" });
  // sign-plugin reports a failed signing by its exit code; a MANIFEST.txt is the proof it signed.
  if (r.status !== 0 || !existsSync(join(folder, "MANIFEST.txt"))) throw new Error(`${SIGN_PLUGIN} did not sign ${folder} (exit ${r.status ?? r.error?.message})`);
}
