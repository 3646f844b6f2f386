/**
 * The plugin build, in the layout `@grafana/create-plugin` scaffolds: one AMD `module.js` per plugin
 * (the app at dist/, nested plugins at dist/<folder>/), Grafana's packages and React as externals,
 * manifests, logos, README and CHANGELOG copied beside them. Extend it from the root webpack.config.ts.
 */
import path from "node:path";
import CopyWebpackPlugin from "copy-webpack-plugin";
import webpack, { type Configuration } from "webpack";
import { DIST_DIR, ROOT_PLUGIN_JSON, SOURCE_DIR } from "./constants.ts";
import { externals } from "./externals.ts";
import { fillPlaceholders, getEntries, getPluginJson } from "./utils.ts";

export interface BuildEnv {
  production?: boolean;
  development?: boolean;
}

/**
 * TypeScript and JSX through swc. The plugin's modules use the classic JSX transform (React.createElement,
 * swc's default, as in create-plugin's config): the automatic one imports `react/jsx-runtime`, which Grafana
 * only shares with plugins from 12.3 (and 11.6.11, 12.0.10, 12.1.7, 12.2.5) — a module importing it does
 * not load in Grafana 10.4 to 12.2 — and which, bundled instead, reads React's private internals that
 * React 19 removed. The classic transform needs neither: `React` is the `react` external (see `config`).
 */
export function swcRule(runtime: "automatic" | "classic" = "automatic") {
  return {
    test: /\.[tj]sx?$/,
    exclude: /node_modules/,
    use: {
      loader: "swc-loader",
      options: {
        jsc: {
          target: "es2020",
          parser: { syntax: "typescript", tsx: true, decorators: false, dynamicImport: true },
          transform: { react: { runtime } },
        },
      },
    },
  };
}

const config = (env: BuildEnv = {}): Configuration => {
  const plugin = getPluginJson();
  const root = process.cwd();
  return {
    name: "plugin",
    context: path.join(root, SOURCE_DIR),
    devtool: env.production ? "source-map" : "eval-source-map",
    mode: env.production ? "production" : "development",
    entry: getEntries(),
    externals,
    module: { rules: [swcRule("classic")] },
    output: {
      clean: true,
      filename: "[name].js",
      library: { type: "amd" },
      path: path.join(root, DIST_DIR),
      publicPath: `public/plugins/${plugin.id}/`,
      uniqueName: plugin.id,
    },
    performance: { hints: false },
    plugins: [
      // The classic JSX transform's `React.createElement` takes `React` from the `react` external, so
      // sources need no `import React` for it.
      new webpack.ProvidePlugin({ React: "react" }),
      new CopyWebpackPlugin({
        patterns: [
          { from: path.join(root, ROOT_PLUGIN_JSON), to: ".", transform: (content) => fillPlaceholders(content.toString()) },
          { from: "**/plugin.json", to: "[path][name][ext]", transform: (content) => fillPlaceholders(content.toString()) },
          { from: "README.md", to: ".", noErrorOnMissing: true, transform: (content) => fillPlaceholders(content.toString()) },
          { from: "CHANGELOG.md", to: ".", noErrorOnMissing: true },
          { from: path.join(root, "LICENSE"), to: ".", noErrorOnMissing: true },
          { from: "**/img/**/*", to: "[path][name][ext]", noErrorOnMissing: true },
          // The screenshot plugin.json lists (info.screenshots) is the one the README shows.
          { from: path.join(root, "docs", "panel.png"), to: "img/panel.png", noErrorOnMissing: true },
        ],
      }),
    ],
    resolve: {
      extensions: [".js", ".jsx", ".ts", ".tsx"],
      modules: [path.join(root, SOURCE_DIR), "node_modules"],
    },
  };
};

export default config;
