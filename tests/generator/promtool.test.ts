/**
 * promtool accepts the generated Prometheus files — `check config`, `check rules` — and the generated unit
 * tests pass (`test rules`: above the maximum, within the limits, below the minimum, counter absent, for
 * every alerting entity). A rule that forgets the per-minute conversion fails those tests.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { parse } from "yaml";
import { PROMTOOL_BIN, prometheusSkipReason } from "../helpers/prometheus.ts";
import { generateTpch, generateVariant, run, tempDir } from "./fixtures.ts";

function promtool(cwd: string, ...args: string[]) {
  const r = spawnSync(PROMTOOL_BIN, args, { cwd, encoding: "utf8" });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe("promtool on the generated Prometheus files", { skip: prometheusSkipReason() }, () => {
  let tpch: string;
  let variant: string;
  before(async () => {
    tpch = join(await generateTpch(), "prometheus");
    variant = join(await generateVariant(), "prometheus");
    // The variant uses bearer tokens: Prometheus reads the token from this file, which the user provides.
    writeFileSync(join(variant, "nomnom-live.token"), "0123456789abcdef0123\n");
  });

  for (const which of ["tpch", "variant"] as const) {
    it(`${which}: check config, check rules and the unit tests pass`, () => {
      const dir = which === "tpch" ? tpch : variant;
      const config = promtool(dir, "check", "config", "prometheus.yml");
      assert.equal(config.status, 0, config.output);
      assert.match(config.output, /SUCCESS: 1 rule files found/);
      const rules = promtool(dir, "check", "rules", "nomnom-live.rules.yml");
      assert.equal(rules.status, 0, rules.output);
      const tests = promtool(dir, "test", "rules", "nomnom-live.rules.test.yml");
      assert.equal(tests.status, 0, tests.output);
    });
  }

  it("the unit tests cover every alert of every alerting entity, firing and quiet", () => {
    const file = parse(readFileSync(join(variant, "nomnom-live.rules.test.yml"), "utf8")) as { tests: { name: string; alert_rule_test: { alertname: string; exp_alerts: { exp_labels: Record<string, string> }[] }[] }[] };
    const firing = new Set(file.tests.flatMap((t) => t.alert_rule_test.flatMap((a) => a.exp_alerts.map((e) => `${a.alertname}/${e.exp_labels.entity}`))));
    assert.deepEqual(
      [...firing].sort(),
      ["NomnomLiveInsertRateHigh/Audit Log", "NomnomLiveInsertRateHigh/Quiet", "NomnomLiveInsertRateLow/Signup", "NomnomLiveInsertsNotReported/Signup"],
    );
    assert.ok(file.tests.some((t) => /within the limits/.test(t.name) && t.alert_rule_test.every((a) => a.exp_alerts.length === 0)), "a quiet case exists");
  });

  it("a rule without the per-minute conversion fails the generated tests", () => {
    const rulesFile = join(tpch, "nomnom-live.rules.yml");
    const original = readFileSync(rulesFile, "utf8");
    assert.match(original, /\) \* 60 > 5000/);
    try {
      writeFileSync(rulesFile, original.replaceAll(") * 60 ", ") "));
      const tests = promtool(tpch, "test", "rules", "nomnom-live.rules.test.yml");
      assert.notEqual(tests.status, 0, "promtool test rules must fail when thresholds are compared per second");
      assert.match(tests.output, /NomnomLiveInsertRateHigh/);
    } finally {
      writeFileSync(rulesFile, original);
    }
  });

  it("an entity list without alerts gets an empty, valid rules file and no unit tests", async () => {
    const dir = tempDir("gen-noalerts");
    writeFileSync(join(dir, "c.yaml"), "entities:\n  - { name: Order, table: orders }\n");
    const r = await run(["--config", join(dir, "c.yaml"), "--out", join(dir, "out")]);
    assert.equal(r.code, 0, r.stderr);
    const prom = join(dir, "out/prometheus");
    assert.deepEqual(parse(readFileSync(join(prom, "nomnom-live.rules.yml"), "utf8")), { groups: [] });
    assert.equal(existsSync(join(prom, "nomnom-live.rules.test.yml")), false);
    assert.equal(existsSync(join(dir, "out/alerting")), false, "no Grafana alerting files without alerts");
    const config = promtool(prom, "check", "config", "prometheus.yml");
    assert.equal(config.status, 0, config.output);
  });
});
