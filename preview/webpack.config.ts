/**
 * The preview page's bundle (preview/dist/): the host that stands in for Grafana, with the real
 * @grafana/*, React and rxjs packages it provides to the plugin modules as their AMD externals.
 *
 * Served fast: content-hashed file names (the backend caches them for a year; the HTML names them
 * through manifest.json), swc-minified, precompressed, and the code @grafana/ui loads on demand
 * (Monaco, CodeMirror: two thirds of it) left in chunks of its own that the page never asks for.
 *
 * `--env grafana=<line>` (e.g. 10.4) builds the same host, plus the compatibility harness the matrix test
 * drives (tests/browser/grafana-compat.test.ts), against that Grafana line's packages in
 * tests/compat/grafana-<line>/ into tests/compat/dist/grafana-<line>/; the main install's line
 * builds against node_modules/.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Configuration } from "webpack";
import webpack from "webpack";
import { PreviewAssetsPlugin } from "../.config/webpack/PreviewAssetsPlugin.ts";
import { swcRule, type BuildEnv } from "../.config/webpack/webpack.config.ts";
import { PREVIEW_BASE, PREVIEW_ENTRY, PREVIEW_MANIFEST } from "./src/paths.ts";

export interface PreviewEnv extends BuildEnv {
  /** A Grafana line (`10.4`, `11.6`, …) to build the compatibility host and harness against. */
  grafana?: string;
}

/**
 * The packages the host shares with the plugin modules, each resolved from one folder so there is one
 * instance of each (two Reacts, or two @grafana/data, break hooks and `instanceof`).
 */
const SHARED = ["react", "react-dom", "@grafana/data", "@grafana/ui", "@grafana/runtime", "@grafana/schema", "@emotion/css", "@emotion/react", "rxjs"];

/** `13.1` for @grafana/data 13.1.1. */
export function lineOf(version: string): string {
  return version.split(".").slice(0, 2).join(".");
}

function grafanaVersionIn(nodeModules: string): string {
  return (JSON.parse(readFileSync(path.join(nodeModules, "@grafana", "data", "package.json"), "utf8")) as { version: string }).version;
}

/** Where a Grafana line's packages are installed: node_modules/ for the main install's line, else tests/compat/grafana-<line>/. */
export function compatNodeModules(root: string, line: string): string {
  const main = path.join(root, "node_modules");
  if (lineOf(grafanaVersionIn(main)) === line) return main;
  const dir = path.join(root, "tests", "compat", `grafana-${line}`, "node_modules");
  if (!existsSync(path.join(dir, "@grafana", "data"))) throw new Error(`Grafana ${line}'s packages are not installed: run \`npm ci --ignore-scripts\` in tests/compat/grafana-${line}`);
  return dir;
}

export function compatOutput(root: string, line: string): string {
  return path.join(root, "tests", "compat", "dist", `grafana-${line}`);
}

export default function previewConfig(env: PreviewEnv = {}): Configuration {
  const root = process.cwd();
  const compat = env.grafana;
  const nodeModules = compat ? compatNodeModules(root, compat) : path.join(root, "node_modules");
  const production = Boolean(env.production) || Boolean(compat);
  return {
    name: compat ? `preview-grafana-${compat}` : "preview",
    context: path.join(root, "preview"),
    mode: production ? "production" : "development",
    devtool: false,
    entry: {
      [PREVIEW_ENTRY]: "./src/host.tsx",
      ...(compat ? { harness: path.join(root, "tests", "browser", "support", "grafana-harness.tsx") } : {}),
    },
    module: {
      rules: [
        swcRule(),
        // @grafana/ui's ESM imports some packages without file extensions (e.g. ol/format/WKT).
        { test: /\.m?js$/, resolve: { fullySpecified: false } },
        // …and takes CommonJS modules' default exports as Grafana's own build (from its TypeScript) gives them:
        // as a strict .mjs, `import useMeasure from "react-use/lib/useMeasure"` (@grafana/ui 11) is the exports object.
        { test: /\.mjs$/, include: /[\\/]node_modules[\\/]@grafana[\\/]/, type: "javascript/auto" },
      ],
    },
    output: {
      path: compat ? compatOutput(root, compat) : path.join(root, "preview", "dist"),
      publicPath: `${PREVIEW_BASE}/`,
      filename: "[name].[contenthash:16].js",
      chunkFilename: "[name].[contenthash:16].js",
      cssFilename: "[name].[contenthash:16].css",
      cssChunkFilename: "[name].[contenthash:16].css",
      assetModuleFilename: "[contenthash:16][ext]",
      clean: true,
    },
    resolve: {
      extensions: [".js", ".jsx", ".ts", ".tsx", ".mjs"],
      alias: Object.fromEntries(SHARED.filter((p) => existsSync(path.join(nodeModules, p))).map((p) => [p, path.join(nodeModules, p)])),
    },
    performance: { hints: false },
    optimization: {
      // webpack's terser pass takes minutes here; PreviewAssetsPlugin minifies with swc instead.
      minimize: false,
      // The packages in a chunk of their own: a change to the host does not make browsers fetch them again.
      // (Only what the entries load at once: what they import lazily stays in chunks loaded on demand.)
      splitChunks: { cacheGroups: { vendors: { test: /[\\/]node_modules[\\/]/, name: "vendors", chunks: "initial", priority: 10, enforce: true } } },
    },
    plugins: [
      new webpack.DefinePlugin({ __GRAFANA_VERSION__: JSON.stringify(grafanaVersionIn(nodeModules)) }),
      // A compatibility build is a test fixture: neither minified nor compressed, it builds in half the time.
      new PreviewAssetsPlugin({ minify: production && !compat, compress: production && !compat, manifest: PREVIEW_MANIFEST }),
    ],
  };
}
