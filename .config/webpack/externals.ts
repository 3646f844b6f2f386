/**
 * Modules Grafana provides to plugins at run time (its SystemJS/AMD registry); the plugin bundles
 * never include them. The list is @grafana/create-plugin's (templates/common/.config/bundler/externals.ts),
 * with `react/jsx-runtime` and `react/jsx-dev-runtime` as its React 19 update adds them: bundled, the JSX
 * runtime reads React's private internals and breaks on React 19.
 *
 * Which of these a given Grafana really provides differs by version (`react/jsx-runtime` only from 12.3
 * and a few patch releases before it): the preview's registry (preview/src/vendor.ts) holds those facts,
 * and the compatibility matrix loads dist/ with each version's registry. `@grafana/i18n` is not here:
 * Grafana shares only its i18next instance, so a plugin that uses @grafana/i18n bundles it.
 */
import type { Configuration } from "webpack";

/** Specifiers left external, as the AMD dependencies of dist/ name them. */
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
  "react/jsx-runtime",
  "react/jsx-dev-runtime",
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
];

/** As create-plugin matches them: the @grafana packages with their subpaths (e.g. `@grafana/ui/unstable`). */
const GRAFANA_PACKAGES = [/^@grafana\/ui/i, /^@grafana\/runtime/i, /^@grafana\/data/i];

export const externals: Configuration["externals"] = [
  ...GRAFANA_PROVIDED.filter((name) => !GRAFANA_PACKAGES.some((p) => p.test(name))),
  ...GRAFANA_PACKAGES,
  // Legacy SDK imports (`grafana/app/...`) resolve to Grafana's own modules.
  ({ request }, callback) => {
    if (request?.startsWith("grafana/")) return callback(undefined, request.slice("grafana/".length));
    callback();
  },
];
