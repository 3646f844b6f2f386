/**
 * `npm run build`: the Grafana plugin (from .config/webpack, create-plugin's base) into dist/, and the
 * preview page's bundle into preview/dist/.
 */
import type { Configuration } from "webpack";
import pluginConfig, { type BuildEnv } from "./.config/webpack/webpack.config.ts";
import previewConfig from "./preview/webpack.config.ts";

export default (env: BuildEnv = {}): Configuration[] => [pluginConfig(env), previewConfig(env)];
