/**
 * The preview page's bundle (preview/dist/preview.js): the host that stands in for Grafana, with the
 * real @grafana/*, React and rxjs packages it provides to the plugin modules as their AMD externals.
 */
import path from "node:path";
import type { Configuration } from "webpack";
import webpack from "webpack";
import { swcRule, type BuildEnv } from "../.config/webpack/webpack.config.ts";
import { PREVIEW_BUNDLE } from "./src/paths.ts";

export default function previewConfig(env: BuildEnv = {}): Configuration {
  const root = process.cwd();
  return {
    name: "preview",
    context: path.join(root, "preview"),
    mode: env.production ? "production" : "development",
    devtool: false,
    entry: { preview: "./src/host.tsx" },
    module: {
      rules: [
        swcRule,
        // @grafana/ui's ESM imports some packages without file extensions (e.g. ol/format/WKT).
        { test: /\.m?js$/, resolve: { fullySpecified: false } },
      ],
    },
    output: { path: path.join(root, "preview", "dist"), filename: PREVIEW_BUNDLE, clean: true },
    resolve: { extensions: [".js", ".jsx", ".ts", ".tsx", ".mjs"] },
    performance: { hints: false },
    // Minifying ~10 MB of @grafana/ui costs minutes on a small machine and buys nothing on localhost.
    optimization: { splitChunks: false, minimize: false },
    plugins: [new webpack.optimize.LimitChunkCountPlugin({ maxChunks: 1 })],
  };
}
