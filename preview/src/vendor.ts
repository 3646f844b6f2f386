/**
 * The packages Grafana provides to plugins, registered by the names the plugin bundles import them by
 * (their webpack externals). These are the real @grafana/* packages of the version the plugin is built against.
 */
import * as emotionCss from "@emotion/css";
import * as grafanaData from "@grafana/data";
import * as grafanaRuntime from "@grafana/runtime";
import * as grafanaUi from "@grafana/ui";
import * as React from "react";
import * as ReactDOM from "react-dom";
import * as rxjs from "rxjs";
import { register } from "./amd.ts";

export function registerGrafanaModules(): void {
  register("react", React);
  register("react-dom", ReactDOM);
  register("@grafana/data", grafanaData);
  register("@grafana/ui", grafanaUi);
  register("@grafana/runtime", grafanaRuntime);
  register("rxjs", rxjs);
  register("@emotion/css", emotionCss);
}
