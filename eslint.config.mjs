/**
 * ESLint for the repository: the plugin's base config from .config/, extended here with the
 * architecture's boundaries (who may import what) and type-aware rules over the TypeScript sources.
 */
import base from "./.config/eslint.config.mjs";

/** A `no-restricted-imports` rule: each entry is a regular expression over the import specifier and the reason. */
function restrict(...rules) {
  return ["error", { patterns: rules.map(([regex, message]) => ({ regex, message })) }];
}

const notBackend = ["(^|/)backend/", "the plugin runs in the browser: it never imports backend/; shared shapes live in contract/"];
const notDrivers = ["^(postgres|mysql2|@electric-sql/pglite)(/.*)?$", "only backend/db/ talks to the database drivers: go through the Dialect seam (backend/db/dialect.ts)"];
const notRuntime = ["^(@hono/node-[^/]+|ws)(/.*)?$", "runtime specifics stay at the edge: only backend/runtime/ imports @hono/node-* and ws"];
/** The plugin's code, but not its manifests (contract/plugin-ids.ts reads the ids from them). */
const notPluginCode = ["(^|/)src/(?!(.*/)?plugin\\.json$)", "the plugin's code is not imported from here; shared shapes live in contract/"];

export default [
  ...base,
  {
    // Tests and tools may print.
    files: ["tests/**", "bench/**", "bin/**", ".ci/**"],
    rules: { "no-console": "off" },
  },
  // ── Boundaries ─────────────────────────────────────────────────────────────────────────────────
  {
    files: ["src/**", "preview/src/**"],
    rules: { "no-restricted-imports": restrict(notBackend, notDrivers, notRuntime) },
  },
  {
    files: ["contract/**"],
    rules: {
      "no-restricted-imports": restrict(
        ["(^|/)(backend|preview)/", "contract/ is shared by both sides: it imports only itself, zod and the plugin manifests"],
        notPluginCode,
        notDrivers,
        notRuntime,
      ),
    },
  },
  {
    files: ["backend/**"],
    ignores: ["backend/db/**", "backend/runtime/**"],
    rules: { "no-restricted-imports": restrict(notDrivers, notRuntime, notPluginCode) },
  },
  {
    files: ["backend/db/**"],
    rules: { "no-restricted-imports": restrict(notRuntime) },
  },
  {
    files: ["backend/runtime/**"],
    rules: { "no-restricted-imports": restrict(notDrivers) },
  },
  // ── Type-aware rules (the TypeScript projects of the backend and of the plugin) ───────────────────
  {
    files: ["**/*.{ts,tsx}"],
    ignores: ["tests/compat/**", "tests/lint/fixtures/**"],
    languageOptions: { parserOptions: { project: ["./tsconfig.json", "./tsconfig.plugin.json"], tsconfigRootDir: import.meta.dirname } },
    rules: {
      // A promise nobody awaits loses its error: say `void` where that is the intent.
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: { attributes: false } }],
      "@typescript-eslint/await-thenable": "error",
      "@typescript-eslint/no-unnecessary-type-assertion": "error",
      "@typescript-eslint/only-throw-error": "error",
    },
  },
  {
    // node:test's describe/it return promises the runner itself awaits.
    files: ["tests/**"],
    rules: { "@typescript-eslint/no-floating-promises": "off" },
  },
];
