/**
 * Plugin zips for the catalog-rule tests: the staged `<out>/nomnom-live-app/` folder of a real archive,
 * copied, changed in one way (a file removed, a manifest edited, …) and zipped again, so each rule is
 * shown failing on the fault it guards against and on nothing else.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- manifests are edited field by field
export type Json = Record<string, any>;

/** The copy being changed: `root` holds the zip's entries, `plugin` is the plugin's folder among them. */
export interface Variant {
  root: string;
  plugin: string;
  /** Edits a JSON file of the plugin folder in place. */
  editJson(file: string, edit: (json: Json) => void): void;
  write(file: string, text: string): void;
  remove(file: string): void;
}

/** Copies `folder` (a staged plugin folder), applies `change`, zips the result; `remove` deletes both. */
export function zipVariant(folder: string, change: (v: Variant) => void): { zip: string; remove(): void } {
  const work = mkdtempSync(join(tmpdir(), "nomnom-zip-variant-"));
  const root = join(work, "entries");
  const plugin = join(root, basename(folder));
  mkdirSync(root);
  cpSync(folder, plugin, { recursive: true });
  change({
    root,
    plugin,
    editJson(file, edit) {
      const json = JSON.parse(readFileSync(join(plugin, file), "utf8")) as Json;
      edit(json);
      writeFileSync(join(plugin, file), JSON.stringify(json, null, 2));
    },
    write: (file, text) => writeFileSync(join(plugin, file), text),
    remove: (file) => rmSync(join(plugin, file), { recursive: true, force: true }),
  });
  const zip = join(work, "variant.zip");
  const r = spawnSync("zip", ["-q", "-r", "-X", zip, "."], { cwd: root, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`zip failed: ${r.stderr}`);
  return { zip, remove: () => rmSync(work, { recursive: true, force: true }) };
}
