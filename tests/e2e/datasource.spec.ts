/**
 * The datasource's config page in Grafana: Save & test goes through Grafana's data proxy (the plugin.json
 * route) to the backend's /api/health and reports, in the page's alert, what works or what to fix.
 */
import { expect, test } from "@grafana/plugin-e2e";
import { API_PREFIX, PLUGIN_ID, REST } from "../../contract/index.ts";
import { BACKEND_URL, BROWSER_URL, PROVISIONED } from "./env.ts";

/** Where testDatasource() reaches the backend: the data proxy's route `api` of this datasource. */
const healthPath = (uid: string) => `/api/datasources/proxy/uid/${uid}${API_PREFIX}${REST.health}`;

test("a new datasource pointed at the backend passes Save & test and names the entities", async ({ createDataSourceConfigPage, page }) => {
  const configPage = await createDataSourceConfigPage({ type: PLUGIN_ID.datasource });
  await page.getByLabel("Backend URL").fill(BACKEND_URL);
  await page.getByLabel("Browser URL").fill(BROWSER_URL);
  await expect(configPage.saveAndTest({ path: healthPath(configPage.datasource.uid) })).toBeOK();
  await expect(configPage).toHaveAlert("success", { hasText: new RegExp(`Connected to nomnom-live .*${PROVISIONED.entities.join(", ")}`) });
});

test("an unreachable backend gets an error that says what to check", async ({ createDataSourceConfigPage, page }) => {
  const configPage = await createDataSourceConfigPage({ type: PLUGIN_ID.datasource });
  const unreachable = new URL(BACKEND_URL);
  unreachable.port = "9"; // discard: nothing listens there
  await page.getByLabel("Backend URL").fill(unreachable.origin);
  await configPage.saveAndTest({ path: healthPath(configPage.datasource.uid) });
  await expect(configPage).toHaveAlert("error", { hasText: `Cannot reach the nomnom-live backend at ${unreachable.origin}` });
});

test("the provisioned datasource is installed with the generated uid", async ({ readProvisionedDataSource, gotoDataSourceConfigPage, page }) => {
  const ds = await readProvisionedDataSource({ fileName: PROVISIONED.datasourceFile, name: PROVISIONED.datasourceName });
  await gotoDataSourceConfigPage(ds.uid);
  await expect(page.getByLabel("Backend URL")).toHaveValue(String((ds.jsonData as { url?: string }).url));
});
