import assert from "node:assert/strict";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ConfigError } from "../../backend/config/errors.ts";
import { loadConfig, parseConfig } from "../../backend/config/load.ts";
import { EXAMPLE_CONFIG } from "../../backend/cli.ts";

async function rejects(text: string, path: string, pattern: RegExp, env = {}) {
  await assert.rejects(parseConfig(text, "/etc/nomnom/live.yaml", env), (e: unknown) => {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${String(e)}`);
    assert.match(e.message, /^\/etc\/nomnom\/live\.yaml: invalid configuration/);
    const issue = e.issues.find((i) => i.path === path);
    assert.ok(issue, `no issue at ${path}: ${e.message}`);
    assert.match(issue.message, pattern);
    return true;
  });
}

describe("configuration", () => {
  it("applies the documented defaults", async () => {
    const c = await parseConfig("{}", "x.yaml", {});
    assert.equal(c.polling.interval_ms, 500);
    assert.equal(c.polling.max_events_per_poll, 100);
    assert.equal(c.polling.mode, "table");
    assert.equal(c.server.port, 8080);
    assert.deepEqual(c.server.auth_tokens, []);
    assert.equal(c.entities, undefined);
    assert.equal(c.database.url, undefined);
  });

  it("substitutes ${ENV}, drops settings whose variable is unset, and lets PORT override", async () => {
    const text = "database:\n  url: ${DATABASE_URL:-}\nserver:\n  cors_origins: [\"${GRAFANA:-http://localhost:3000}\"]\n";
    const set = await parseConfig(text, "x.yaml", { DATABASE_URL: "postgres://u@h/db", PORT: "9999" });
    assert.equal(set.database.url, "postgres://u@h/db");
    assert.equal(set.server.port, 9999);
    assert.deepEqual(set.server.cors_origins, ["http://localhost:3000"]);
    const unset = await parseConfig(text, "x.yaml", {});
    assert.equal(unset.database.url, undefined);
  });

  it("names file, path and problem for every kind of mistake", async () => {
    await rejects("polling:\n  interval_ms: 50\n", "polling.interval_ms", />=100|100/);
    await rejects("polling:\n  mode: triggers\n", "polling.mode", /table|events/);
    await rejects("entities:\n  - name: Order\n    table: orders\n    colour: red\n", "entities[0]", /colour/);
    await rejects("entities:\n  - name: Order\n    table: \"orders; DROP TABLE users\"\n", "entities[0].table", /plain SQL identifier/);
    await rejects("entities:\n  - name: Order\n    table: orders\n    key: 'id\"--'\n", "entities[0].key", /plain SQL identifier/);
    await rejects("entities:\n  - {name: A, table: a}\n  - {name: A, table: b}\n", "entities[1].name", /duplicate/);
    await rejects("entities:\n  - {name: A, table: a, alerts: {min_per_minute: 10, max_per_minute: 5}}\n", "entities[0].alerts", /below/);
    await rejects("server:\n  port: [1\n", "line 3, column 1", /end with a \]/);
  });

  it("rejects a bad PORT with a clear error", async () => {
    await assert.rejects(parseConfig("{}", "x.yaml", { PORT: "eighty" }), /PORT.*eighty/s);
  });

  it("reads nomnom entity directories: root and derived watched, reference and abstract skipped", async () => {
    const c = await loadConfig(EXAMPLE_CONFIG, {});
    assert.deepEqual(
      c.entities!.map((e) => [e.name, e.table]),
      [
        ["Order", "orders"],
        ["OrderLineItem", "order_line_items"],
      ],
    );
    assert.deepEqual(c.entities![0]!.display_fields, ["order_key", "customer_key", "total_price", "order_date", "order_priority"]);
    assert.deepEqual(c.entities![0]!.alerts, { min_per_minute: 1, max_per_minute: 5000 });
  });

  it("names the entity file and field when an entity file is wrong", async () => {
    const dir = await mkdtemp(join(tmpdir(), "nn-entities-"));
    await writeFile(join(dir, "bad.yaml"), "name: Bad\nsource_type: root\npersistence:\n  database:\n    conformant_table: \"bad table\"\n");
    await writeFile(join(dir, "live.yaml"), "entities_dir: .\n");
    await assert.rejects(loadConfig(join(dir, "live.yaml"), {}), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.file, /bad\.yaml$/);
      assert.equal(e.issues[0]!.path, "table");
      return true;
    });
  });

  it("says when the file cannot be read", async () => {
    await assert.rejects(loadConfig("/nonexistent/live.yaml", {}), /\/nonexistent\/live\.yaml.*cannot read the file \(ENOENT\)/s);
  });
});
