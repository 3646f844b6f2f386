/**
 * The plugin build, in the layout `@grafana/create-plugin` scaffolds: one AMD `module.js` per plugin
 * (the app at dist/, nested plugins at dist/<folder>/), Grafana's packages and React as externals,
 * manifests, logos, README and CHANGELOG copied beside them. Extend it from the root webpack.config.ts.
 */
import path from "node:path";
import CopyWebpackPlugin from "copy-webpack-plugin";
import type { Configuration } from "webpack";
import { DIST_DIR, ROOT_PLUGIN_JSON, SOURCE_DIR } from "./constants.ts";
import { externals } from "./externals.ts";
import { fillPlaceholders, getEntries, getPluginJson } from "./utils.ts";

export interface BuildEnv {
  production?: boolean;
  development?: boolean;
}

export const swcRule = {
  test: /\.[tj]sx?$/,
  exclude: /node_modules/,
  use: {
    loader: "swc-loader",
    options: {
      jsc: {
        target: "es2020",
        parser: { syntax: "typescript", tsx: true, decorators: false, dynamicImport: true },
        transform: { react: { runtime: "automatic" } },
      },
    },
  },
};

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
    module: { rules: [swcRule] },
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
