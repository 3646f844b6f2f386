/**
 * Modules Grafana provides to plugins at run time (its SystemJS/AMD registry); the plugin bundles
 * never include them. The preview page provides the same names from its vendor bundle.
 */
import type { Configuration } from "webpack";

export const GRAFANA_PROVIDED = [
  "lodash",
  "jquery",
  "moment",
  "slate",
  "emotion",
  "@emotion/react",
  "@emotion/css",
  "prismjs",
  "slate-plain-serializer",
  "@grafana/slate-react",
  "react",
  "react-dom",
  "react-redux",
  "redux",
  "rxjs",
  "i18next",
  "react-router",
  "react-router-dom",
  "d3",
  "angular",
  "@grafana/ui",
  "@grafana/runtime",
  "@grafana/data",
  "@grafana/i18n",
];

export const externals: Configuration["externals"] = [
  ...GRAFANA_PROVIDED,
  // Legacy SDK imports (`grafana/app/...`) resolve to Grafana's own modules.
  ({ request }, callback) => {
    if (request?.startsWith("grafana/")) return callback(undefined, request.slice("grafana/".length));
    callback();
  },
];
