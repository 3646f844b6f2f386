/** Starts a real backend (real HTTP server, real WebSocket) on a free port for a test. */
import { WS_PATH } from "../../contract/index.ts";
import { Backend } from "../../backend/backend.ts";
import { parseConfig } from "../../backend/config/load.ts";
import type { Config } from "../../backend/config/schema.ts";
import { createLogger } from "../../backend/log.ts";
import { serveNode } from "../../backend/runtime/node/index.ts";
import type { TestDatabase } from "./databases.ts";

export interface TestBackend {
  backend: Backend;
  url: string;
  wsUrl: string;
  stop(): Promise<void>;
}

/** `yaml` is configuration text as a user writes it; the database comes from `db`. */
export async function startBackend(db: TestDatabase, yaml: string, env: Record<string, string> = {}): Promise<TestBackend> {
  const config: Config = await parseConfig(yaml, "test.yaml", env);
  config.server.port = 0;
  config.server.host = "127.0.0.1";
  const { dialect, owned } = await db.backendDialect();
  let backend: Backend;
  try {
    backend = await Backend.create({ config, dialect, log: createLogger((process.env.NOMNOM_LOG as "debug") ?? "error"), source: "test.yaml" });
  } catch (e) {
    if (owned) await dialect.close(); // a refused start must not leave the test process a pool to wait on
    throw e;
  }
  backend.start();
  const server = await serveNode(backend);
  await backend.ready();
  return {
    backend,
    url: server.url,
    wsUrl: server.url.replace(/^http/, "ws") + WS_PATH,
    async stop() {
      await backend.stop();
      await server.close();
      if (owned) await dialect.close();
    },
  };
}
