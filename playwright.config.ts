/**
 * @grafana/plugin-e2e specs (tests/e2e) for a real Grafana: the stack of docker-compose.yaml.
 *
 *   npm install && npm run build && docker compose up -d --build
 *   npm run e2e
 *
 * GRAFANA_URL (default http://localhost:3000) is the Grafana to test; NOMNOM_BACKEND_URL and
 * NOMNOM_BROWSER_URL are the backend's addresses as Grafana's server and the browser reach it (compose:
 * http://backend:8080 and http://localhost:8080). The browser is Debian's /usr/bin/chromium when
 * present (or PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH), else Playwright's own (`npx playwright install chromium`).
 * No Grafana can run on the project's CI machines, so CI only checks that these specs compile, are
 * listed, and name provisioned files and titles that exist (tests/generator/e2e-specs.test.ts).
 */
import { existsSync } from "node:fs";
import { dirname } from "node:path";
import { createRequire } from "node:module";
import type { PluginOptions } from "@grafana/plugin-e2e";
import { defineConfig, devices } from "@playwright/test";

const require = createRequire(import.meta.url);
const pluginE2eAuth = `${dirname(require.resolve("@grafana/plugin-e2e"))}/auth`;
const executablePath = process.env.PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH ?? (existsSync("/usr/bin/chromium") ? "/usr/bin/chromium" : undefined);

export default defineConfig<PluginOptions>({
  testDir: "./tests/e2e",
  testMatch: /.*\.spec\.ts/,
  fullyParallel: true,
  forbidOnly: Boolean(process.env.CI),
  retries: process.env.CI ? 1 : 0,
  reporter: "list",
  use: {
    baseURL: process.env.GRAFANA_URL ?? "http://localhost:3000",
    trace: "on-first-retry",
    launchOptions: executablePath ? { executablePath } : {},
    // The generated provisioning: datasources, dashboard and alert rules the specs read.
    provisioningRootDir: "provisioning",
  },
  projects: [
    // Logs in as admin (admin/admin, as docker-compose.yaml sets) and stores the session.
    { name: "auth", testDir: pluginE2eAuth, testMatch: [/.*\.js/] },
    {
      name: "run-tests",
      use: { ...devices["Desktop Chrome"], storageState: "playwright/.auth/admin.json" },
      dependencies: ["auth"],
    },
  ],
});
