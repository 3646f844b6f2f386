/**
 * The architecture's boundaries are lint rules (eslint.config.mjs, `no-restricted-imports`): this lints
 * one import that crosses each boundary, as if it were written at that place, and expects the rule to
 * refuse it — and lints the allowed neighbour of each, so a rule that refuses everything fails too.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { ESLint } from "eslint";

const root = fileURLToPath(new URL("../..", import.meta.url));
// Type information is not needed for import rules, and a virtual file is in no TypeScript project.
const typeAware = ["no-floating-promises", "no-misused-promises", "await-thenable", "no-unnecessary-type-assertion", "only-throw-error"];
const eslint = new ESLint({
  cwd: root,
  overrideConfig: {
    languageOptions: { parserOptions: { project: null } },
    rules: Object.fromEntries(typeAware.map((r) => [`@typescript-eslint/${r}`, "off"])),
  },
});

async function restrictedImports(filePath: string, specifier: string): Promise<string[]> {
  const [result] = await eslint.lintText(`import x from ${JSON.stringify(specifier)};\nexport default x;\n`, { filePath });
  return result!.messages.filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message);
}

const crossings: Array<[where: string, file: string, specifier: string, reason: RegExp]> = [
  ["the plugin imports the backend", "src/panel/fixture.ts", "../../backend/backend.ts", /never imports backend/],
  ["the preview imports the backend", "preview/src/fixture.ts", "../../backend/http/app.ts", /never imports backend/],
  ["the plugin imports a database driver", "src/client/fixture.ts", "postgres", /only backend\/db\//],
  ["the poller imports a database driver", "backend/poller/fixture.ts", "mysql2/promise", /only backend\/db\//],
  ["events mode imports PGlite", "backend/events/fixture.ts", "@electric-sql/pglite/template", /only backend\/db\//],
  ["the HTTP layer imports ws", "backend/http/fixture.ts", "ws", /only backend\/runtime\//],
  ["the stream imports the Node server", "backend/stream/fixture.ts", "@hono/node-server", /only backend\/runtime\//],
  ["the HTTP layer imports the Node WebSocket adapter", "backend/http/fixture.ts", "@hono/node-ws", /only backend\/runtime\//],
  ["the database layer imports ws", "backend/db/fixture.ts", "ws", /only backend\/runtime\//],
  ["the runtime imports a driver", "backend/runtime/fixture.ts", "postgres", /only backend\/db\//],
  ["the contract imports the backend", "contract/fixture.ts", "../backend/log.ts", /contract\/ is shared/],
  ["the contract imports the plugin's code", "contract/fixture.ts", "../src/panel/module.tsx", /plugin's code/],
  ["the backend imports the plugin's code", "backend/generate/fixture.ts", "../../src/shared/types.ts", /plugin's code/],
];

const allowed: Array<[where: string, file: string, specifier: string]> = [
  ["the database layer imports its driver", "backend/db/fixture.ts", "postgres"],
  ["the runtime imports ws", "backend/runtime/node/fixture.ts", "ws"],
  ["the HTTP layer imports Hono's runtime-neutral WebSocket types", "backend/http/fixture.ts", "hono/ws"],
  ["the contract reads a plugin manifest", "contract/fixture.ts", "../src/panel/plugin.json"],
  ["the plugin imports the contract", "src/panel/fixture.ts", "../../contract/index.ts"],
  ["the backend imports the contract", "backend/stream/fixture.ts", "../../contract/index.ts"],
];

describe("architecture boundaries", () => {
  for (const [where, file, specifier, reason] of crossings) {
    it(`lint fails when ${where} (${file} → ${specifier})`, async () => {
      const messages = await restrictedImports(file, specifier);
      assert.equal(messages.length, 1, `expected no-restricted-imports to refuse ${specifier} in ${file}`);
      assert.match(messages[0]!, reason);
    });
  }
  for (const [where, file, specifier] of allowed) {
    it(`lint passes when ${where} (${file} → ${specifier})`, async () => {
      assert.deepEqual(await restrictedImports(file, specifier), []);
    });
  }
});
