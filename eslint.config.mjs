/** ESLint for the repository: the plugin's base config from .config/, extended here. */
import base from "./.config/eslint.config.mjs";

export default [
  ...base,
  {
    // Tests and tools may print.
    files: ["tests/**", "bench/**", "bin/**", ".ci/**", "backend/cli.ts"],
    rules: { "no-console": "off" },
  },
];
