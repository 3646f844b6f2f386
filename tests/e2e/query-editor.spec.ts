/**
 * The query editor with Grafana's own Table panel: a Live rows query on Order gives typed fields, and a
 * History query reaches the records endpoint through the data proxy.
 */
import { expect, test } from "@grafana/plugin-e2e";
import { PROVISIONED } from "./env.ts";

test("a Live rows query drives Grafana's Table panel", async ({ panelEditPage, readProvisionedDataSource, page }) => {
  const ds = await readProvisionedDataSource({ fileName: PROVISIONED.datasourceFile, name: PROVISIONED.datasourceName });
  await panelEditPage.datasource.set(ds.name);
  await panelEditPage.setVisualization("Table");
  const row = panelEditPage.getQueryEditorRow("A");
  await row.getByLabel("Entity").fill("Order");
  await page.getByRole("option", { name: "Order", exact: true }).click();
  await row.getByLabel("Live rows").check({ force: true });
  await expect(panelEditPage.panel.fieldNames).toContainText(["id", "order_key"]);
});

test("a History query fetches the time range's rows through the data proxy", async ({ panelEditPage, readProvisionedDataSource, page }) => {
  const ds = await readProvisionedDataSource({ fileName: PROVISIONED.datasourceFile, name: PROVISIONED.datasourceName });
  await panelEditPage.datasource.set(ds.name);
  await panelEditPage.setVisualization("Table");
  const row = panelEditPage.getQueryEditorRow("A");
  await row.getByLabel("Entity").fill("Order");
  await page.getByRole("option", { name: "Order", exact: true }).click();
  await row.getByLabel("History").check({ force: true });
  const response = panelEditPage.refreshPanel({ waitForResponsePredicateCallback: (r) => r.url().includes("/api/entities/Order/records") });
  await expect(response).toBeOK();
  await expect(panelEditPage.panel.fieldNames).toContainText(["id", "order_key"]);
});
