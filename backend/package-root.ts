/**
 * The folder nomnom-live runs from — the repository in a checkout, the installed package or the Docker
 * image's /app otherwise — where examples/, the built plugin (dist/) and the preview page (preview/dist/)
 * are. The TypeScript sources run from backend/ and their compiled JavaScript from lib/backend/, one level
 * deeper, so paths to those folders start here rather than at a module's own URL.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The nearest folder above `start` holding the CLI's launcher, bin/nomnom-live.js. */
export function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "bin", "nomnom-live.js"))) return dir;
    if (dirname(dir) === dir) throw new Error(`nomnom-live: no bin/nomnom-live.js in ${start} or above it`);
  }
}

export const PACKAGE_ROOT = findPackageRoot(dirname(fileURLToPath(import.meta.url)));
