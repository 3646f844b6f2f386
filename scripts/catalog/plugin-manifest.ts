/**
 * Our description, in zod, of the plugin.json fields Grafana accepts, written from Grafana's documented
 * plugin.json reference (https://grafana.com/developers/plugin-tools/reference/plugin-json). It is not
 * the plugin-validator's own schema: it checks what a catalog submission trips over — a field Grafana
 * does not know (the top level, `info` and the objects in it, `dependencies` and `routes` reject unknown
 * keys), a required field missing, an id not of the `org-name-type` form, a type Grafana cannot load, a
 * link that is not a URL — and describes the rest (extensions, IAM, token auth, …) only loosely. Whether
 * grafanaDependency parses as a constraint, and the version in full, are left to their own passes in
 * manifest-rules.ts.
 */
import { z } from "zod";

/** `<org>-<type>` or `<org>-<name>-<type>`, lower-case letters and digits only. */
const PLUGIN_ID = /^[0-9a-z]+-(?:[0-9a-z]+-)?(?:app|panel|datasource)$/;
/** A release version (`1.2.3`, `1.2.3-beta.1`), or the placeholder the build replaces with package.json's. */
const VERSION = /^(?:\d+\.\d+\.\d+(?:[-+].*)?|%VERSION%)$/;
/** A date as `YYYY-MM-DD`, or the placeholder the build replaces with the build's date. */
const UPDATED = /^(?:\d{4}-\d{2}-\d{2}|%TODAY%)$/;

const flag = z.boolean().optional();
const text = z.string().optional();

const info = z.strictObject({
  description: text,
  author: z.strictObject({ name: text, email: z.email().optional(), url: z.url().optional() }).optional(),
  keywords: z.array(z.string()).min(1),
  logos: z.strictObject({ small: z.string(), large: z.string() }),
  links: z.array(z.strictObject({ name: text, url: z.url().optional(), target: z.enum(["_blank", "_self", "_parent", "_top"]).optional() })).optional(),
  screenshots: z.array(z.strictObject({ name: text, path: text })).optional(),
  version: z.string().regex(VERSION, "expected a version such as 1.2.3, or %VERSION%"),
  updated: z.string().regex(UPDATED, "expected a date as YYYY-MM-DD, or %TODAY%"),
  build: z.looseObject({}).optional(),
});

const dependencies = z.strictObject({
  grafanaDependency: z.string(),
  grafanaVersion: text,
  plugins: z.array(z.looseObject({ id: z.string().regex(PLUGIN_ID), name: z.string(), type: z.enum(["app", "datasource", "panel"]) })).optional(),
  extensions: z.looseObject({ exposedComponents: z.array(z.string()).optional() }).optional(),
});

/** A page, dashboard or nested plugin an app ships; Grafana tolerates further keys here. */
const include = z.looseObject({
  type: z.enum(["dashboard", "page", "panel", "datasource"]),
  uid: text,
  name: text,
  component: text,
  role: z.enum(["Admin", "Editor", "Viewer"]).optional(),
  action: text,
  path: text,
  addToNav: flag,
  defaultNav: flag,
  icon: text,
});

/** A data-source proxy route; `url` may be a template (`{{ .JsonData.url }}/api`), so it is not checked as a URL. */
const route = z.strictObject({
  path: z.string(),
  method: text,
  url: text,
  reqSignedIn: flag,
  reqRole: text,
  reqAction: text,
  headers: z.array(z.unknown()).optional(),
  body: z.looseObject({}).optional(),
  tokenAuth: z.looseObject({}).optional(),
  jwtTokenAuth: z.looseObject({}).optional(),
  urlParams: z.array(z.looseObject({})).optional(),
});

export const pluginManifest = z.strictObject({
  $schema: text,
  id: z.string().regex(PLUGIN_ID, "expected <org>-<name>-<type> in lower-case letters and digits, the type being app, panel or datasource"),
  type: z.enum(["app", "datasource", "panel", "renderer"]),
  name: z.string(),
  info,
  dependencies,
  includes: z.array(include).optional(),
  routes: z.array(route).optional(),
  category: text,
  state: z.enum(["alpha", "beta", "stable", "deprecated"]).optional(),
  executable: text,
  buildMode: text,
  docsPath: text,
  pascalName: z.string().regex(/^[A-Z][a-zA-Z]{1,62}$/).optional(),
  languages: z.array(z.string()).optional(),
  queryOptions: z.strictObject({ maxDataPoints: flag, minInterval: flag, cacheTimeout: flag }).optional(),
  enterpriseFeatures: z.looseObject({}).optional(),
  extensions: z.looseObject({}).optional(),
  iam: z.looseObject({}).optional(),
  roles: z.array(z.looseObject({})).optional(),
  alerting: flag,
  annotations: flag,
  autoEnabled: flag,
  backend: flag,
  builtIn: flag,
  hideFromList: flag,
  logs: flag,
  metrics: flag,
  mixed: flag,
  multiValueFilterOperators: flag,
  preload: flag,
  skipDataQuery: flag,
  streaming: flag,
  suggestions: flag,
  tracing: flag,
});

/** Every way `manifest` departs from the description, each as `<field path>: <message>` (`info.links.0.url: Invalid URL`). */
export function manifestProblems(manifest: unknown): string[] {
  const result = pluginManifest.safeParse(manifest);
  if (result.success) return [];
  return result.error.issues.map((issue) => `${issue.path.map(String).join(".") || "(root)"}: ${issue.message}`);
}
