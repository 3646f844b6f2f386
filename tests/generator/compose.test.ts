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
    for (const dir of ["bin", "backend", "contract"]) assert.match(dockerfile, new RegExp(`^COPY ${dir} `, "m"), `the image contains ${dir}/`);
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
