/**
 * `${NAME}` and `${NAME:-default}` in the configuration work anywhere, as the README says: numbers from
 * variables are numbers where the schema wants one (and strings stay strings where it wants strings),
 * several references in one value are each substituted, and a variable that is not set is an error
 * naming it and the setting — unless `${NAME:-}` says it is optional.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError } from "../../backend/config/errors.ts";
import { parseConfig } from "../../backend/config/load.ts";
import { coerceSubstituted, substituteEnv } from "../../backend/config/env.ts";
import { parseDocument } from "yaml";

async function issues(text: string, env: Record<string, string>): Promise<{ path: string; message: string }[]> {
  try {
    await parseConfig(text, "live.yaml", env);
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e.issues;
  }
  assert.fail("expected a ConfigError");
}

describe("environment substitution", () => {
  it("turns a variable into the number a numeric setting expects", async () => {
    const text = "server:\n  port: ${APP_PORT}\n  max_connections: \"${MAX_CONN:-250}\"\npolling:\n  interval_ms: ${POLL_MS}\ndemo:\n  orders_per_second: ${RATE:-2.5}\n";
    const c = await parseConfig(text, "live.yaml", { APP_PORT: "9090", POLL_MS: "250" });
    assert.equal(c.server.port, 9090);
    assert.equal(c.server.max_connections, 250);
    assert.equal(c.polling.interval_ms, 250);
    assert.equal(c.demo.orders_per_second, 2.5);
  });

  it("keeps a value of digits a string where a string is expected", async () => {
    const c = await parseConfig('server:\n  auth_tokens: ["${TOKEN}"]\n', "live.yaml", { TOKEN: "1234567890123456789" });
    assert.deepEqual(c.server.auth_tokens, ["1234567890123456789"]);
  });

  it("coerces true/false where the schema expects a boolean", () => {
    const doc = parseDocument("flag: ${FLAG}\n");
    const substituted = substituteEnv(doc.contents, { FLAG: "true" });
    const tree = doc.toJS() as { flag: unknown };
    assert.equal(coerceSubstituted(tree, [{ code: "invalid_type", expected: "boolean", path: ["flag"], message: "" }], substituted), true);
    assert.equal(tree.flag, true);
  });

  it("says which variable gave a value that is not a number", async () => {
    const [issue] = await issues("server:\n  port: ${APP_PORT}\n", { APP_PORT: "eighty" });
    assert.equal(issue!.path, "server.port");
    assert.match(issue!.message, /number.*\$\{APP_PORT\}.*"eighty"/);
  });

  it("substitutes every reference of a value on its own (no greedy match across them)", async () => {
    const c = await parseConfig('server:\n  cors_origins: ["${SCHEME:-http}://${GRAFANA_HOST}:${GRAFANA_PORT:-3000}"]\n', "live.yaml", { GRAFANA_HOST: "grafana" });
    assert.deepEqual(c.server.cors_origins, ["http://grafana:3000"]);
  });

  it("refuses an unset variable without a default, naming the variable and the setting", async () => {
    const found = await issues('database:\n  url: ${SHOP_DATABASE_URL}\nserver:\n  cors_origins: ["https://${GRAFANA_HOST}"]\n', {});
    assert.deepEqual(
      found.map((i) => i.path),
      ["database.url", "server.cors_origins[0]"],
    );
    assert.match(found[0]!.message, /SHOP_DATABASE_URL is not set/);
    assert.match(found[0]!.message, /\$\{SHOP_DATABASE_URL:-\}/, "and says how to make it optional");
    assert.match(found[1]!.message, /GRAFANA_HOST is not set/);
  });

  it("an explicit empty default makes a setting optional; `:-` also covers a variable set to empty", async () => {
    const c = await parseConfig("database:\n  url: ${SHOP_DATABASE_URL:-}\nserver:\n  port: ${APP_PORT:-7070}\n", "live.yaml", { APP_PORT: "" });
    assert.equal(c.database.url, undefined);
    assert.equal(c.server.port, 7070);
  });
});
