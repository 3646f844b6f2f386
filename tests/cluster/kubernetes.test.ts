/**
 * The Kubernetes manifests of deploy/kubernetes/ hold together: every resource kustomization.yaml lists
 * exists; selectors (Deployment, Service, PodDisruptionBudget) match the pod template's labels; the
 * Service's target port, the probes' ports and the port the backend listens on are the container's;
 * readiness and liveness hit /api/health; resources are requested; the configuration the pods mount is
 * valid for the backend, with the environment the Secret gives — the database, the ticket secret and
 * the bus among it.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parseAllDocuments } from "yaml";
import { API_PREFIX, REST } from "../../contract/index.ts";
import { parseConfig } from "../../backend/config/load.ts";
import { ROOT } from "../helpers/process.ts";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const DIR = join(ROOT, "deploy/kubernetes");
const kustomization = parseAllDocuments(readFileSync(join(DIR, "kustomization.yaml"), "utf8"))[0]!.toJS() as Json;
const resources: Json[] = (kustomization.resources as string[]).flatMap((file) => parseAllDocuments(readFileSync(join(DIR, file), "utf8")).map((d) => d.toJS() as Json));

function one(kind: string, name: string): Json {
  const found = resources.filter((r) => r.kind === kind && r.metadata?.name === name);
  assert.equal(found.length, 1, `one ${kind} ${name}`);
  return found[0]!;
}

/** Every label a selector asks for, the pod has. */
function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);
}

const deployment = one("Deployment", "nomnom-live");
const pod = deployment.spec.template;
const container = (pod.spec.containers as Json[]).find((c) => c.name === "nomnom-live")!;
const HEALTH = API_PREFIX + REST.health;

/** A port given by name or number, as the container's port number. */
function containerPort(port: string | number): number | undefined {
  const ports = container.ports as Json[];
  return typeof port === "number" ? ports.find((p) => p.containerPort === port)?.containerPort : ports.find((p) => p.name === port)?.containerPort;
}

describe("Kubernetes manifests", () => {
  it("has a Deployment of several replicas, a Service, a PodDisruptionBudget, a ConfigMap and a Secret", () => {
    assert.ok(deployment.spec.replicas >= 2, "several replicas");
    for (const [kind, name] of [["Service", "nomnom-live"], ["PodDisruptionBudget", "nomnom-live"], ["ConfigMap", "nomnom-live"], ["Secret", "nomnom-live"]] as const) one(kind, name);
  });

  it("selects the pods by their labels: Deployment, Service and PodDisruptionBudget", () => {
    const labels = pod.metadata.labels as Record<string, string>;
    assert.ok(selects(deployment.spec.selector.matchLabels, labels), "the Deployment's selector matches its template");
    assert.ok(selects(one("Service", "nomnom-live").spec.selector, labels), "the Service selects the pods");
    assert.ok(selects(one("PodDisruptionBudget", "nomnom-live").spec.selector.matchLabels, labels), "the budget covers the pods");
    for (const c of pod.spec.topologySpreadConstraints ?? []) assert.ok(selects(c.labelSelector.matchLabels, labels), "spread over the pods themselves");
    const pdb = one("PodDisruptionBudget", "nomnom-live").spec;
    assert.ok(pdb.maxUnavailable === 1 || pdb.minAvailable < deployment.spec.replicas, "a drain can proceed, one replica at a time");
  });

  it("routes the Service to the port the backend listens on, with no session affinity", () => {
    const service = one("Service", "nomnom-live").spec;
    const env = Object.fromEntries((container.env as Json[]).map((e) => [e.name, e.value]));
    const listens = Number(env.PORT);
    assert.equal(containerPort("http"), listens, "the container's port is the backend's PORT");
    for (const p of service.ports as Json[]) assert.equal(containerPort(p.targetPort), listens, `service port ${p.port} reaches the container`);
    assert.ok(!service.sessionAffinity || service.sessionAffinity === "None", "no sticky sessions: any replica serves any client");
    assert.equal(pod.metadata.annotations?.["prometheus.io/port"], String(listens));
  });

  it("probes readiness and liveness on /api/health, at the container's port", () => {
    for (const probe of ["readinessProbe", "livenessProbe"]) {
      const p = container[probe] as Json;
      assert.equal(p.httpGet.path, HEALTH, `${probe} hits ${HEALTH}`);
      assert.equal(containerPort(p.httpGet.port), Number(container.env.find((e: Json) => e.name === "PORT").value), `${probe} at the container's port`);
    }
    const live = container.livenessProbe;
    assert.ok(live.periodSeconds * live.failureThreshold >= 120, "a database outage (every replica degraded) does not restart the pods");
  });

  it("requests CPU and memory", () => {
    assert.ok(container.resources.requests.cpu && container.resources.requests.memory);
  });

  it("mounts a configuration the backend accepts, with the Secret's database, ticket secret and bus in the environment", async () => {
    const secret = one("Secret", "nomnom-live").stringData as Record<string, string>;
    assert.deepEqual((container.envFrom as Json[]).map((e) => e.secretRef?.name), ["nomnom-live"]);
    for (const key of ["DATABASE_URL", "NOMNOM_TICKET_SECRET", "NOMNOM_CLUSTER_BUS"]) assert.ok(secret[key], `the Secret gives ${key}`);
    const mount = (container.volumeMounts as Json[]).find((m) => m.name === "config")!;
    const volume = (pod.spec.volumes as Json[]).find((v) => v.name === "config")!;
    const args = container.args as string[];
    const file = args[args.indexOf("--config") + 1]!;
    assert.equal(args[0], "serve");
    assert.ok(file.startsWith(`${mount.mountPath}/`), "--config is inside the mounted ConfigMap");
    const configMap = one("ConfigMap", volume.configMap.name);
    const text = configMap.data[file.slice(mount.mountPath.length + 1)] as string;
    assert.ok(text, `the ConfigMap holds ${file}`);
    const config = await parseConfig(text, file, secret);
    assert.equal(config.database.url, secret.DATABASE_URL);
    assert.equal(config.server.ticket_secret, secret.NOMNOM_TICKET_SECRET);
    assert.equal(config.cluster.bus, secret.NOMNOM_CLUSTER_BUS);
    assert.equal(config.server.port, Number(container.env.find((e: Json) => e.name === "PORT").value));
    assert.deepEqual(config.server.auth_tokens, [secret.NOMNOM_AUTH_TOKEN]);
  });

  it("reaches the bus the Secret names, when the manifests ship it", () => {
    const bus = new URL(one("Secret", "nomnom-live").stringData.NOMNOM_CLUSTER_BUS as string);
    const nats = one("Service", bus.hostname).spec;
    const natsPod = one("Deployment", bus.hostname).spec.template;
    assert.ok(selects(nats.selector, natsPod.metadata.labels));
    const port = (nats.ports as Json[]).find((p) => p.port === Number(bus.port))!;
    assert.ok(port, `the NATS Service has port ${bus.port}`);
    assert.ok((natsPod.spec.containers[0].ports as Json[]).some((p) => p.name === port.targetPort || p.containerPort === port.targetPort));
  });
});
