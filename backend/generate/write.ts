/**
 * Writes generated files into a directory that may also hold the user's own files. A manifest records
 * what the generator wrote (path and SHA-256), so regenerating:
 * - writes new files and rewrites its own files that are unchanged since it wrote them;
 * - removes its own files it no longer produces, if unchanged;
 * - never touches any other file, and refuses — before writing anything — to overwrite a file it did not
 *   write or one edited since (`force` overrides that, for files it would write; it still deletes nothing edited).
 */
import { createHash } from "node:crypto";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, isAbsolute, join } from "node:path";
import type { GeneratedFile } from "./index.ts";
import { GENERATED_BY } from "./render.ts";

export const MANIFEST = ".nomnom-live-generated.json";

export interface Manifest {
  generator: string;
  note: string;
  files: Record<string, string>;
}

export interface WriteResult {
  written: string[];
  unchanged: string[];
  removed: string[];
  /** Files the generator no longer produces but left in place because they were edited. */
  kept: string[];
}

export class GenerateConflictError extends Error {
  constructor(
    readonly dir: string,
    readonly conflicts: { path: string; reason: string }[],
  ) {
    super(
      `${dir}: nothing written, because\n${conflicts.map((c) => `  - ${c.path}: ${c.reason}`).join("\n")}\n` +
        "Move or rename those files, or pass --force to overwrite them.",
    );
    this.name = "GenerateConflictError";
  }
}

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

async function readOrNull(file: string): Promise<string | null> {
  try {
    return await readFile(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw e;
  }
}

export function renderManifest(files: GeneratedFile[]): string {
  const manifest: Manifest = {
    generator: GENERATED_BY,
    note: "Files written by the generator, with their SHA-256. It rewrites or removes only these, and only while unchanged.",
    files: Object.fromEntries(files.map((f) => [f.path, sha256(f.content)]).sort(([a], [b]) => (a! < b! ? -1 : 1))),
  };
  return JSON.stringify(manifest, null, 2) + "\n";
}

async function readManifest(dir: string): Promise<Record<string, string>> {
  const text = await readOrNull(join(dir, MANIFEST));
  if (text === null) return {};
  try {
    const files = (JSON.parse(text) as Manifest).files;
    if (!files || typeof files !== "object") throw new Error("no files");
    return files;
  } catch {
    throw new GenerateConflictError(dir, [{ path: MANIFEST, reason: "is not a manifest this generator wrote (unreadable); it records which files are generated, so it is not guessed" }]);
  }
}

export async function writeGenerated(dir: string, files: GeneratedFile[], options: { force?: boolean } = {}): Promise<WriteResult> {
  const previous = await readManifest(dir);
  const result: WriteResult = { written: [], unchanged: [], removed: [], kept: [] };
  const conflicts: { path: string; reason: string }[] = [];
  const toWrite: GeneratedFile[] = [];
  for (const f of files) {
    const current = await readOrNull(join(dir, f.path));
    if (current === f.content) result.unchanged.push(f.path);
    else if (current === null || options.force || previous[f.path] === sha256(current)) toWrite.push(f);
    else conflicts.push({ path: f.path, reason: previous[f.path] ? "was edited since it was generated" : "exists and was not written by the generator" });
  }
  if (conflicts.length > 0) throw new GenerateConflictError(dir, conflicts);

  for (const f of toWrite) {
    await mkdir(dirname(join(dir, f.path)), { recursive: true });
    await writeFile(join(dir, f.path), f.content);
    result.written.push(f.path);
  }
  const produced = new Set(files.map((f) => f.path));
  for (const [path, hash] of Object.entries(previous).sort()) {
    // The manifest is a file in the user's directory: never follow a path out of it.
    if (produced.has(path) || isAbsolute(path) || path.split(/[\\/]/).includes("..")) continue;
    const current = await readOrNull(join(dir, path));
    if (current === null) continue;
    if (sha256(current) === hash) {
      await rm(join(dir, path));
      result.removed.push(path);
    } else result.kept.push(path);
  }
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, MANIFEST), renderManifest(files));
  return result;
}
