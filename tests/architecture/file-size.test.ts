/**
 * A newcomer finds their way when a file holds one concept: no source file in backend/, src/ or
 * contract/ has more than about 250 lines of code (comments and blank lines do not count — a long
 * reasoning comment is welcome), unless its header says why, with a line starting `Long file:`.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
const LIMIT = 250;

/** Lines that hold code: not blank, not inside a block comment, not a line comment. */
function codeLines(text: string): number {
  let inBlock = false;
  let count = 0;
  for (const raw of text.split("\n")) {
    let line = raw.trim();
    if (inBlock) {
      const end = line.indexOf("*/");
      if (end === -1) continue;
      inBlock = false;
      line = line.slice(end + 2).trim();
    }
    if (line.startsWith("/*")) {
      const end = line.indexOf("*/", 2);
      if (end === -1) {
        inBlock = true;
        continue;
      }
      line = line.slice(end + 2).trim();
    }
    if (line === "" || line.startsWith("//")) continue;
    count++;
  }
  return count;
}

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { recursive: true })
    .map(String)
    .filter((f) => /\.(ts|tsx)$/.test(f) && !f.endsWith(".d.ts"))
    .map((f) => join(dir, f));
}

describe("file size", () => {
  it("counts code lines, not comments or blank lines", () => {
    assert.equal(codeLines("/**\n * why\n */\nconst a = 1; // note\n\n// only a comment\n/* one */ const b = 2;\nconst c = `/*`;\n"), 3);
  });

  it(`no source file in backend/, src/ or contract/ has over ${LIMIT} lines of code unless its header says why`, () => {
    const over = [];
    for (const file of ["backend", "src", "contract"].flatMap(sources)) {
      const text = readFileSync(join(root, file), "utf8");
      const lines = codeLines(text);
      const header = text.slice(0, text.indexOf("*/") + 2);
      if (lines > LIMIT && !/^\s*\*?\s*Long file:/m.test(header)) over.push(`${relative(root, join(root, file))}: ${lines} lines of code`);
    }
    assert.deepEqual(over, [], `split these files, or say in the header why one file is right ("Long file: …")`);
  });
});
