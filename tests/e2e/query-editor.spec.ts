/**
 * The query editor with Grafana's own Table panel: a Live rows query on Order gives typed fields, and a
 * History query reaches the records endpoint through the data proxy.
 */
import { expect, test, type PanelEditPage } from "@grafana/plugin-e2e";
import type { Page } from "@playwright/test";
import { API_PREFIX, recordsPath } from "../../contract/index.ts";
import { PROVISIONED } from "./env.ts";

type Fixtures = { panelEditPage: PanelEditPage; readProvisionedDataSource: (args: { fileName: string; name?: string }) => Promise<{ name: string }>; page: Page };

/** A Table panel on the provisioned datasource with query A on Order, of the given query type. */
async function orderQuery({ panelEditPage, readProvisionedDataSource, page }: Fixtures, queryType: "Live rows" | "History") {
  const ds = await readProvisionedDataSource({ fileName: PROVISIONED.datasourceFile, name: PROVISIONED.datasourceName });
  await panelEditPage.datasource.set(ds.name);
  await panelEditPage.setVisualization("Table");
  const row = panelEditPage.getQueryEditorRow("A");
  await row.getByLabel("Entity").fill("Order");
  await page.getByRole("option", { name: "Order", exact: true }).click();
  await row.getByLabel(queryType).check({ force: true });
}

test("a Live rows query drives Grafana's Table panel", async ({ panelEditPage, readProvisionedDataSource, page }) => {
  await orderQuery({ panelEditPage, readProvisionedDataSource, page }, "Live rows");
  await expect(panelEditPage.panel.fieldNames).toContainText(["id", "order_key"]);
});

test("a History query fetches the time range's rows through the data proxy", async ({ panelEditPage, readProvisionedDataSource, page }) => {
  await orderQuery({ panelEditPage, readProvisionedDataSource, page }, "History");
  const response = panelEditPage.refreshPanel({ waitForResponsePredicateCallback: (r) => r.url().includes(`${API_PREFIX}${recordsPath("Order")}`) });
  await expect(response).toBeOK();
  await expect(panelEditPage.panel.fieldNames).toContainText(["id", "order_key"]);
});
