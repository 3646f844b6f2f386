/**
 * The compose profile `scale` (deploy/compose.scale.yaml) and its HAProxy (deploy/haproxy.cfg) hold
 * together: HAProxy balances over exactly the replicas the profile runs, at the port they listen on,
 * checks them on /api/health, keeps upgraded WebSockets open (`timeout tunnel`) and has no sticky
 * sessions; every replica joins the same bus and signs tickets with the same secret; and Debian's
 * haproxy accepts the configuration.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { haproxyConfig } from "../../bench/harness/haproxy.ts";
import { API_PREFIX, REST } from "../../contract/index.ts";
import { ROOT } from "../helpers/process.ts";
import { haproxySkipReason } from "./support/haproxy.ts";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const cfg = readFileSync(join(ROOT, "deploy/haproxy.cfg"), "utf8");
const base = parse(readFileSync(join(ROOT, "docker-compose.yaml"), "utf8")) as Json;
const scale = parse(readFileSync(join(ROOT, "deploy/compose.scale.yaml"), "utf8"), { merge: true }) as Json;

/** A service as compose sees it with both files: the override's keys over the base's (environment merged). */
function service(name: string): Json {
  const b = (base.services[name] ?? {}) as Json;
  const o = (scale.services[name] ?? {}) as Json;
  return { ...b, ...o, environment: { ...(b.environment ?? {}), ...(o.environment ?? {}) } };
}

const servers = [...cfg.matchAll(/^\s*server (\S+) (\S+):(\d+)/gm)].map((m) => ({ name: m[1]!, host: m[2]!, port: Number(m[3]) }));

describe("the compose profile scale and its HAProxy", () => {
  it("balances over exactly the profile's replicas, at the port each listens on", () => {
    const replicas = Object.keys({ ...base.services, ...scale.services }).filter((n) => service(n).environment.NOMNOM_CLUSTER_BUS);
    assert.ok(replicas.length >= 3, `three replicas or more: ${replicas.join(", ")}`);
    assert.deepEqual(servers.map((s) => s.host).sort(), replicas.sort());
    for (const s of servers) assert.equal(s.port, Number(service(s.host).environment.PORT), `${s.host} listens on ${s.port}`);
    for (const r of replicas.filter((n) => !(n in base.services))) assert.deepEqual(service(r).profiles, ["scale"]);
  });

  it("gives every replica the same bus (the nats service) and the same ticket secret", () => {
    const replicas = servers.map((s) => service(s.host));
    assert.equal(new Set(replicas.map((r) => r.environment.NOMNOM_CLUSTER_BUS)).size, 1);
    assert.equal(new Set(replicas.map((r) => r.environment.NOMNOM_TICKET_SECRET)).size, 1);
    assert.ok(replicas[0]!.environment.NOMNOM_TICKET_SECRET);
    assert.ok(new URL(replicas[0]!.environment.NOMNOM_CLUSTER_BUS as string).hostname in scale.services, "the bus is a service of the profile");
    for (const r of replicas) assert.match(JSON.stringify(r.healthcheck.test), new RegExp(`${API_PREFIX}${REST.health}`));
  });

  it("checks /api/health, keeps WebSockets open as tunnels, retries a dead replica elsewhere, and never sticks a client to one", () => {
    assert.match(cfg, new RegExp(`option httpchk GET ${API_PREFIX}${REST.health}`));
    assert.match(cfg, /http-check expect status 200/);
    for (const t of ["connect", "client", "server", "tunnel"]) assert.match(cfg, new RegExp(`^\\s*timeout ${t} \\d+[smh]`, "m"), `timeout ${t}`);
    const tunnel = /timeout tunnel (\d+)([smh])/.exec(cfg)!;
    assert.ok(Number(tunnel[1]) * { s: 1, m: 60, h: 3600 }[tunnel[2] as "s" | "m" | "h"] > 30, "longer than the backend's heartbeat (30 s)");
    assert.match(cfg, /option redispatch/);
    assert.doesNotMatch(cfg, /^\s*(cookie|stick|balance source)/m, "no sticky sessions");
    const haproxy = scale.services.haproxy as Json;
    const mount = (haproxy.volumes as string[]).find((v) => v.includes("haproxy.cfg"))!;
    assert.ok(existsSync(join(ROOT, mount.split(":")[0]!)), "the mounted configuration is the shipped file");
    assert.equal(Number((haproxy.ports as string[])[0]!.split(":")[1]), Number(/bind :(\d+)/.exec(cfg)![1]));
  });

  it("is a configuration Debian's haproxy accepts (with local addresses in place of Docker's)", { skip: haproxySkipReason() }, () => {
    const dir = mkdtempSync(join(tmpdir(), "nomnom-haproxy-check-"));
    writeFileSync(join(dir, "haproxy.cfg"), haproxyConfig(18080, servers.map((s, i) => ({ name: s.name, url: `http://127.0.0.1:${9001 + i}` }))));
    const check = spawnSync("haproxy", ["-c", "-f", join(dir, "haproxy.cfg")], { encoding: "utf8" });
    assert.equal(check.status, 0, check.stdout + check.stderr);
  });
});
