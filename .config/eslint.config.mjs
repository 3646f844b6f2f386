/*
 * The base ESLint config of the plugin, in the place create-plugin keeps it (.config/); the root
 * eslint.config.mjs extends it with the boundaries and the type-aware rules. typescript-eslint's
 * recommended rules plus the React hooks rules.
 */
import js from "@eslint/js";
import reactHooks from "eslint-plugin-react-hooks";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["**/node_modules/", "**/dist/", "preview/dist/", "lib/", "build/", "scratch/", "coverage/", "**/*.d.ts"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.{ts,tsx}"],
    plugins: { "react-hooks": reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "no-console": ["error", { allow: ["warn", "error"] }],
    },
  },
  {
    files: ["**/*.{js,mjs,cjs}"],
    languageOptions: {
      globals: { process: "readonly", console: "readonly", module: "writable", require: "readonly", __dirname: "readonly", URL: "readonly" },
    },
  },
  {
    // CommonJS files (jest's config and environment) and jest's setup load modules with require().
    files: ["**/*.cjs", "**/jest-setup.js"],
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    files: ["**/jest-setup.js"],
    languageOptions: { globals: { window: "readonly", jest: "readonly", HTMLCanvasElement: "readonly" } },
  },
);
