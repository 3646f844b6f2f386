/**
 * The packages Grafana provides to plugins, registered by the names the plugin bundles import them by
 * (their webpack externals). These are the real @grafana/* packages of the version the host is built
 * against (`__GRAFANA_VERSION__`: the main install's, or a tests/compat line's).
 *
 * The registry holds what that Grafana version's plugin loader really shares — and nothing it lacks, so a
 * plugin module that needs a missing one fails here as it would there. The facts come from Grafana's
 * `public/app/features/plugins/loader/sharedDependencies.ts` (`sharedDependenciesMap`) at each release:
 * React, react-dom, rxjs, @emotion/* and @grafana/{data,ui,runtime} in every version from 10.4 on;
 * `react/jsx-runtime` and `react/jsx-dev-runtime` from grafana/grafana#108478, released in 12.3.0 and
 * backported to 11.6.11, 12.0.10, 12.1.7 and 12.2.5 (grafana/grafana#117498). Modules Grafana shares that
 * no plugin here uses (lodash, moment, d3, jquery, slate, …) are left out rather than bundled.
 */
import * as emotionCss from "@emotion/css";
import * as emotionReact from "@emotion/react";
import * as grafanaData from "@grafana/data";
import * as grafanaRuntime from "@grafana/runtime";
import * as grafanaUi from "@grafana/ui";
import * as React from "react";
import * as ReactDOM from "react-dom";
import * as jsxDevRuntime from "react/jsx-dev-runtime";
import * as jsxRuntime from "react/jsx-runtime";
import * as rxjs from "rxjs";
import * as rxjsOperators from "rxjs/operators";
import { register } from "./amd.ts";

declare const __GRAFANA_VERSION__: string | undefined;
/** The @grafana/* version the host is built with (set by preview/webpack.config.ts). */
export const GRAFANA_VERSION = typeof __GRAFANA_VERSION__ === "string" ? __GRAFANA_VERSION__ : "13.1.1";

/** The first patch of each release line that shares `react/jsx-runtime`; every line from 12.3 on does. */
const JSX_RUNTIME_BACKPORTS: Record<string, number> = { "11.6": 11, "12.0": 10, "12.1": 7, "12.2": 5 };

export function sharesJsxRuntime(version: string): boolean {
  const [major = 0, minor = 0, patch = 0] = version.split(/[.-]/).map(Number);
  if (major > 12 || (major === 12 && minor >= 3)) return true;
  const since = JSX_RUNTIME_BACKPORTS[`${major}.${minor}`];
  return since !== undefined && patch >= since;
}

/** The modules a Grafana of `version` shares with plugins, of those this host carries. */
export function sharedModules(version: string): Record<string, unknown> {
  return {
    react: React,
    "react-dom": ReactDOM,
    ...(sharesJsxRuntime(version) ? { "react/jsx-runtime": jsxRuntime, "react/jsx-dev-runtime": jsxDevRuntime } : {}),
    "@grafana/data": grafanaData,
    "@grafana/ui": grafanaUi,
    "@grafana/runtime": grafanaRuntime,
    rxjs,
    "rxjs/operators": rxjsOperators,
    "@emotion/css": emotionCss,
    "@emotion/react": emotionReact,
  };
}

export function registerGrafanaModules(version: string = GRAFANA_VERSION): void {
  for (const [name, module] of Object.entries(sharedModules(version))) register(name, module);
}
