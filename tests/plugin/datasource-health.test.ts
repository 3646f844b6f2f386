/**
 * testDatasource() explains what is wrong in words a user can act on: an unreachable backend, a token
 * the backend refuses (or none where one is required), a backend that watches no entities; and says
 * which entities it found when all is well (REST through the "proxy" with the token, WebSocket by ticket).
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { createServer } from "node:net";
import { WS_PATH } from "../../contract/index.ts";
import { startBackendProcess, type BackendHandle } from "./support/backend-process.ts";
import { installRuntime, makeDatasource } from "./support/datasource.ts";

const TOKEN = "a-token-of-at-least-16-chars";

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

describe("testDatasource", () => {
  let secured: BackendHandle;
  let empty: BackendHandle;
  beforeAll(async () => {
    [secured, empty] = await Promise.all([
      startBackendProcess(`server: { auth_tokens: ["${TOKEN}"], cors_origins: ["http://localhost:3000"] }\nentities:\n  - { name: Order, table: orders }\n  - { name: OrderLineItem, table: order_line_items }\n`),
      startBackendProcess(`server: { cors_origins: ["http://localhost:3000"] }\n`, "none"),
    ]);
  });
  afterAll(async () => {
    await Promise.all([secured?.exit(), empty?.exit()]);
  });

  it("says the backend cannot be reached, and where", async () => {
    installRuntime();
    const url = `http://127.0.0.1:${await closedPort()}`;
    const result = await makeDatasource(url).testDatasource();
    expect(result.status).toBe("error");
    expect(result.message).toMatch(new RegExp(`^Cannot reach the nomnom-live backend at ${url.replace(/[.]/g, "\\.")} \\(`));
    expect(result.message).toContain("Check that it is running and that the URL in the datasource settings is the address Grafana's server reaches it at.");
  });

  it("says the token is refused, or missing", async () => {
    installRuntime("a-wrong-token-0123456789");
    const wrong = await makeDatasource(secured.url, {}, { token: true }).testDatasource();
    expect(wrong.status).toBe("error");
    // Grafana does not tell the browser whether the Token field is set, so the message names both causes.
    expect(wrong.message).toBe(
      `The backend at ${secured.url} requires a token and did not accept this datasource's (the bearer token is not valid for this server): the Token field is empty or holds a token that is not among its server.auth_tokens. Paste one of them into the Token field and save.`,
    );

    installRuntime();
    const missing = await makeDatasource(secured.url).testDatasource();
    expect(missing.status).toBe("error");
    expect(missing.message).toBe(
      `The backend at ${secured.url} requires a token and did not accept this datasource's (this server requires Authorization: Bearer <token>): the Token field is empty or holds a token that is not among its server.auth_tokens. Paste one of them into the Token field and save.`,
    );
  });

  it("succeeds with the right token: REST with the bearer header, the WebSocket with a ticket", async () => {
    installRuntime(TOKEN);
    const ok = await makeDatasource(secured.url, {}, { token: true }).testDatasource();
    expect(ok).toEqual({ status: "success", message: "Connected to nomnom-live 0.1.0 (pglite): 2 entities — Order, OrderLineItem." });
  });

  it("says the backend watches no entities, and how to fix it", async () => {
    installRuntime();
    const result = await makeDatasource(empty.url).testDatasource();
    expect(result.status).toBe("error");
    expect(result.message).toBe(
      "Connected to nomnom-live 0.1.0, but it watches no entities. List them under `entities:` in its YAML (or create a table with a single-column integer primary key) and restart it.",
    );
  });

  it("says the browser cannot open the WebSocket when the backend refuses this page's origin", async () => {
    installRuntime(TOKEN);
    // The page (jsdom) is at http://localhost:3000; this datasource's browser URL goes to a backend that only allows another origin.
    const other = await startBackendProcess(`server: { cors_origins: ["https://grafana.example.com"] }\nentities:\n  - { name: Order, table: orders }\n`);
    try {
      installRuntime();
      const result = await makeDatasource(other.url).testDatasource();
      expect(result.status).toBe("error");
      expect(result.message).toContain(`The REST API works, but this browser cannot open the WebSocket at ${other.url.replace("http", "ws")}${WS_PATH}`);
      expect(result.message).toContain("add http://localhost:3000 to the backend's server.cors_origins");
    } finally {
      await other.exit();
    }
  });
});
