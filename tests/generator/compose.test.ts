/**
 * docker-compose.yaml wires the stack together: PostgreSQL, the backend on it, Prometheus scraping the
 * backend with the generated rules, and Grafana with the plugin (unsigned, allowed) and the generated
 * provisioning. No Docker engine runs here, so the file is read and every link checked: service names,
 * ports, mounts (host paths exist; dist/ comes from the plugin build), and that the provisioning's
 * addresses are these services'.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { ROOT } from "../helpers/process.ts";
import { copyOf, dockerIgnored, dockerignorePatterns, dockerStages, type Stage } from "./dockerfile.ts";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed YAML and JSON, checked field by field
type Json = Record<string, any>;

const compose = parse(readFileSync(join(ROOT, "docker-compose.yaml"), "utf8")) as Json;
const services = compose.services as Record<string, Json>;

function env(service: Json): Record<string, string> {
  const e = service.environment ?? {};
  if (Array.isArray(e)) return Object.fromEntries(e.map((kv: string) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]));
  return Object.fromEntries(Object.entries(e).map(([k, v]) => [k, String(v)]));
}

/** `host:container[:mode]` bind mounts (host paths start with . or /) of a service. */
function binds(service: Json): { host: string; container: string; readOnly: boolean }[] {
  return ((service.volumes ?? []) as (string | Json)[])
    .map((v) => (typeof v === "string" ? v.split(":") : [v.source, v.target, v.read_only ? "ro" : "rw"]))
    .filter(([host]) => /^[./]/.test(host))
    .map(([host, container, mode]) => ({ host: host!, container: container!, readOnly: mode === "ro" }));
}

/** Published `host:container` ports as numbers. */
function ports(service: Json): { host: number; container: number }[] {
  return ((service.ports ?? []) as string[]).map((p) => {
    const parts = String(p).split(":");
    return { host: Number(parts[parts.length - 2]), container: Number(parts[parts.length - 1]) };
  });
}

function mountOf(service: Json, container: string) {
  const m = binds(service).find((b) => b.container === container);
  assert.ok(m, `a mount at ${container}`);
  return m;
}

function pluginId(path: string): string {
  return (JSON.parse(readFileSync(join(ROOT, path), "utf8")) as { id: string }).id;
}

describe("docker-compose.yaml", () => {
  it("has the four services, every host path of a mount exists (dist/ from the plugin build)", () => {
    assert.deepEqual(Object.keys(services).sort(), ["backend", "grafana", "postgres", "prometheus"]);
    for (const [name, s] of Object.entries(services)) {
      for (const b of binds(s)) {
        if (b.host === "./dist") continue; // built by `npm run build`; Grafana's mount of it is checked below
        assert.ok(existsSync(join(ROOT, b.host)), `${name}: host path ${b.host} exists in the repository`);
      }
    }
    for (const v of Object.values(services).flatMap((s) => ((s.volumes ?? []) as string[]).filter((x) => typeof x === "string" && !/^[./]/.test(x)))) {
      assert.ok(v.split(":")[0]! in (compose.volumes ?? {}), `named volume ${v} is declared`);
    }
  });

  it("runs the backend on the postgres service, built from the repository's Dockerfile", () => {
    const backend = services.backend!;
    const pg = env(services.postgres!);
    const url = new URL(env(backend).DATABASE_URL!);
    assert.equal(url.protocol, "postgres:");
    assert.equal(url.hostname, "postgres", "DATABASE_URL points at the postgres service");
    assert.equal(url.port || "5432", "5432");
    assert.equal(decodeURIComponent(url.username), pg.POSTGRES_USER);
    assert.equal(decodeURIComponent(url.password), pg.POSTGRES_PASSWORD);
    assert.equal(url.pathname.slice(1), pg.POSTGRES_DB);
    assert.equal(backend.depends_on.postgres.condition, "service_healthy", "waits for PostgreSQL to accept connections");

    assert.equal(backend.build, ".");
    const dockerfile = readFileSync(join(ROOT, "Dockerfile"), "utf8");
    assert.match(dockerfile, /^FROM node:20/m);
    assert.match(dockerfile, /ENTRYPOINT \["node", "bin\/nomnom-live\.js"\]/);
    const command = backend.command as string[];
    assert.ok(["serve", "demo"].includes(command[0]!));
    const config = command[command.indexOf("--config") + 1]!;
    assert.ok(existsSync(join(ROOT, config)), `the backend's --config ${config} exists`);
    assert.match(dockerfile, new RegExp(`^COPY ${config.split("/")[0]} `, "m"), "the image contains the configuration");
    // The image contains the launcher, and the backend and contract compiled (lib/backend/, lib/contract/: see below).
    assert.match(dockerfile, /^COPY bin /m, "the image contains bin/");
    const build = JSON.parse(readFileSync(join(ROOT, "tsconfig.build.json"), "utf8").replace(/^\s*\/\/.*$/gm, "")) as Json;
    for (const dir of ["backend", "contract"]) assert.ok(build.include.includes(dir), `npm run build:backend compiles ${dir}/ into the image's lib/`);
    assert.match(dockerfile, /^COPY --from=build \/app\/lib \.\/lib$/m, "the image contains lib/");
    assert.deepEqual(ports(backend), [{ host: 8080, container: Number(env(backend).PORT) }]);
  });

  it("builds an image with every package the backend imports (runtime dependencies only)", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { dependencies: Record<string, string> };
    // The preview page is optional: the CLI loads it only when it imports, so it may use build-time packages.
    const optional = new Set(["backend/http/preview.ts"]);
    const sources = ["bin", "backend", "contract"].flatMap((dir) =>
      readdirSync(join(ROOT, dir), { recursive: true })
        .map((f) => `${dir}/${String(f)}`)
        .filter((f) => /\.(ts|js)$/.test(f) && !optional.has(f)),
    );
    assert.ok(sources.length > 10);
    for (const file of sources) {
      const text = readFileSync(join(ROOT, file), "utf8");
      for (const [, spec] of text.matchAll(/(?:from |import\()"([^".][^"]*)"/g)) {
        if (spec!.startsWith("node:")) continue;
        const name = spec!.startsWith("@") ? spec!.split("/").slice(0, 2).join("/") : spec!.split("/")[0]!;
        assert.ok(name in pkg.dependencies, `${file} imports ${spec}, which \`npm ci --omit=dev\` in the Dockerfile must install: list ${name} in dependencies`);
      }
    }
    assert.match(readFileSync(join(ROOT, "Dockerfile"), "utf8"), /npm ci --omit=dev/);
  });

  it("gives Grafana the built plugin, unsigned but allowed, and the generated provisioning", () => {
    const grafana = services.grafana!;
    const ids = [pluginId("plugin.json"), pluginId("src/datasource/plugin.json"), pluginId("src/panel/plugin.json")];
    assert.deepEqual(env(grafana).GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS!.split(",").sort(), [...ids].sort());
    const plugin = mountOf(grafana, `/var/lib/grafana/plugins/${ids[0]}`);
    assert.equal(plugin.host, "./dist");
    const provisioning = mountOf(grafana, "/etc/grafana/provisioning");
    assert.equal(provisioning.host, "./provisioning");
    assert.ok(existsSync(join(ROOT, "provisioning/datasources/nomnom-live.yaml")));
    const provider = parse(readFileSync(join(ROOT, "provisioning/dashboards/nomnom-live.yaml"), "utf8")) as Json;
    const path = provider.providers[0].options.path as string;
    assert.ok(path.startsWith("/etc/grafana/provisioning/") && existsSync(join(ROOT, "provisioning", path.slice("/etc/grafana/provisioning/".length), "nomnom-live.json")), `the dashboard provider's ${path} is inside the mount`);
    assert.deepEqual(ports(grafana), [{ host: 3000, container: 3000 }]);
  });

  it("runs a Grafana version the plugin declares it needs", () => {
    const required = (JSON.parse(readFileSync(join(ROOT, "plugin.json"), "utf8")) as Json).dependencies.grafanaDependency as string;
    const min = /^>=\s*(\d+)\.(\d+)\.(\d+)/.exec(required);
    assert.ok(min, `grafanaDependency ${required} is a lower bound`);
    const tag = /^grafana\/grafana(?:-oss)?:(\d+)\.(\d+)\.(\d+)$/.exec(services.grafana!.image);
    assert.ok(tag, `a pinned grafana/grafana image (${services.grafana!.image})`);
    const version = tag.slice(1).map(Number);
    const bound = min.slice(1).map(Number);
    const cmp = version[0]! - bound[0]! || version[1]! - bound[1]! || version[2]! - bound[2]!;
    assert.ok(cmp >= 0, `${services.grafana!.image} satisfies ${required}`);
  });

  it("has Prometheus scrape the backend service with the generated rules, and Grafana's datasources point at the services", () => {
    const prometheus = services.prometheus!;
    const mount = mountOf(prometheus, "/etc/prometheus");
    assert.equal(mount.host, "./provisioning/prometheus");
    const configFlag = (prometheus.command as string[]).find((a) => a.startsWith("--config.file="))!;
    assert.equal(configFlag, "--config.file=/etc/prometheus/prometheus.yml");
    const config = parse(readFileSync(join(ROOT, "provisioning/prometheus/prometheus.yml"), "utf8")) as Json;
    for (const rules of config.rule_files as string[]) assert.ok(existsSync(join(ROOT, "provisioning/prometheus", rules)), `rule file ${rules} is mounted too`);
    const backendPort = Number(env(services.backend!).PORT);
    assert.deepEqual(config.scrape_configs[0].static_configs[0].targets, [`backend:${backendPort}`], "Prometheus scrapes the backend service");
    assert.equal(config.scrape_configs[0].metrics_path, "/metrics");

    const ds = parse(readFileSync(join(ROOT, "provisioning/datasources/nomnom-live.yaml"), "utf8")) as Json;
    const byType = new Map((ds.datasources as Json[]).map((d) => [d.type, d]));
    const nomnom = byType.get(pluginId("src/datasource/plugin.json"))!;
    assert.equal(nomnom.jsonData.url, `http://backend:${backendPort}`, "Grafana's server reaches the backend service");
    const published = ports(services.backend!).find((p) => p.container === backendPort)!;
    assert.equal(nomnom.jsonData.browserUrl, `http://localhost:${published.host}`, "browsers reach the backend's published port");
    const promPort = ports(prometheus)[0]!.container;
    assert.equal(byType.get("prometheus")!.url, `http://prometheus:${promPort}`, "Grafana's server reaches the prometheus service");
    assert.ok(prometheus.image.startsWith("prom/prometheus:v"), "a pinned Prometheus image");
  });
});

describe("the Docker image (Dockerfile, .dockerignore)", () => {
  const stages = dockerStages(readFileSync(join(ROOT, "Dockerfile"), "utf8"));
  const image = stages.at(-1)!;
  const build = stages.find((st) => st.name === "build");
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { dependencies: Record<string, string>; scripts: Record<string, string> };
  const runs = (stage: Stage) => stage.instructions.filter((i) => i.keyword === "RUN").map((i) => i.args).join(" && ");
  const copies = (stage: Stage) => stage.instructions.filter((i) => i.keyword === "COPY").map((i) => copyOf(i.args));
  const fromBuild = (path: string) => copies(image).some((c) => c.from === "build" && c.sources.includes(`/app/${path}`) && c.dest === `./${path}`);

  it("is built in a build stage that installs every dependency and builds the plugin, the preview page and the compiled backend", () => {
    assert.ok(build, "a stage named build");
    assert.match(runs(build), /npm ci(?! --omit=dev)/, "the build stage has the build tools (devDependencies)");
    assert.match(runs(build), /npm run build(?!:)/, "npm run build: the plugin (dist/) and the preview page (preview/dist/)");
    assert.match(pkg.scripts.build!, /webpack\.config\.ts/);
    assert.match(readFileSync(join(ROOT, "webpack.config.ts"), "utf8"), /\[pluginConfig\(env\), previewConfig\(env\)\]/, "npm run build builds both");
    assert.match(runs(build), /npm run build:backend/);
    assert.match(pkg.scripts["build:backend"]!, /^tsc -p tsconfig\.build\.json$/);
  });

  it("carries the built plugin and the preview page where the backend serves them from, so :8080 shows the live preview", () => {
    assert.ok(fromBuild("dist"), "COPY --from=build /app/dist ./dist");
    assert.ok(fromBuild("preview/dist"), "COPY --from=build /app/preview/dist ./preview/dist");
    assert.ok(fromBuild("node_modules/@grafana/ui/dist/public/img/icons"), "the icons the preview serves");
    const preview = readFileSync(join(ROOT, "backend/http/preview.ts"), "utf8");
    assert.match(preview, /PACKAGE_ROOT/, "the preview finds dist/ and preview/dist/ under the package root (/app), compiled or not");
    assert.match(preview, /join\(ROOT, "dist"\)/);
    assert.match(preview, /join\(ROOT, "preview", "dist"\)/);
    assert.match(preview, /"node_modules", "@grafana", "ui", "dist", "public", "img", "icons"/);
  });

  it("runs the compiled JavaScript with runtime dependencies only: no TypeScript sources, no TypeScript loader", () => {
    assert.match(runs(image), /npm ci --omit=dev/);
    assert.ok(!("tsx" in pkg.dependencies) && !("typescript" in pkg.dependencies), "no TypeScript loader among the runtime dependencies");
    assert.ok(fromBuild("lib"), "COPY --from=build /app/lib ./lib");
    for (const c of copies(image).filter((c) => !c.from)) {
      for (const src of c.sources) assert.ok(!["backend", "contract", "src", "."].includes(src), `the image copies no TypeScript sources (${src})`);
    }
    const entry = image.instructions.filter((i) => i.keyword === "ENTRYPOINT" || i.keyword === "CMD").map((i) => JSON.parse(i.args) as string[]);
    assert.deepEqual(entry[0], ["node", "bin/nomnom-live.js"]);
    assert.ok(!entry.flat().some((a) => /tsx|--import|--loader|\.ts$/.test(a)), `no TypeScript loader in ENTRYPOINT/CMD: ${JSON.stringify(entry)}`);
    // Without backend/*.ts beside it (as in the image), the launcher runs lib/.
    const launcher = readFileSync(join(ROOT, "bin/nomnom-live.js"), "utf8");
    assert.match(launcher, /"\.\.\/lib\/backend\/runtime\/node-main\.js"/);
    assert.match(launcher, /existsSync\(sources\) \? await tsxLoader\(\) : null/);
  });

  it("has a .dockerignore that keeps every file the build needs and leaves out what it rebuilds", () => {
    const patterns = dockerignorePatterns(readFileSync(join(ROOT, ".dockerignore"), "utf8"));
    const walk = (dir: string): string[] =>
      readdirSync(join(ROOT, dir), { recursive: true })
        .map((f) => `${dir}/${String(f).split("\\").join("/")}`)
        .filter((f) => !f.includes("node_modules") && !f.startsWith("preview/dist"));
    const needed = [
      ...["bin", "backend", "contract", "src", "preview/src", ".config", "examples"].flatMap(walk),
      ...["package.json", "package-lock.json", "plugin.json", "LICENSE", "README.md", "webpack.config.ts", "preview/webpack.config.ts", "tsconfig.json", "tsconfig.build.json", "docs/panel.png"],
    ];
    assert.ok(needed.length > 100);
    for (const f of needed) assert.ok(!dockerIgnored(f, patterns), `.dockerignore leaves out ${f}, which the image's build needs`);
    for (const f of ["node_modules/hono/package.json", "dist/module.js", "preview/dist/manifest.json", "lib/backend/cli.js", "build/nomnom-live-app-0.1.0.zip", ".git/HEAD"]) {
      assert.ok(dockerIgnored(f, patterns), `${f} is rebuilt in the image (or not needed), never copied from the host`);
    }
    // The matcher itself: a pattern covers what a folder holds, and `!` takes a path back in.
    assert.ok(dockerIgnored("docs/benchmarks.md", ["docs/*", "!docs/panel.png"]) && !dockerIgnored("docs/panel.png", ["docs/*", "!docs/panel.png"]));
    assert.ok(dockerIgnored("a/node_modules/x/y.js", ["**/node_modules"]) && !dockerIgnored("src/module.ts", ["**/node_modules", "*.md"]));
  });
});
