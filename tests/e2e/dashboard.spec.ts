/**
 * The provisioned dashboard in Grafana: the Entity stream panel connects and shows rows as the compose
 * stack's demo writer inserts them (5 orders a second); Grafana's Stat and Time series panels run their
 * queries without error.
 */
import { expect, test } from "@grafana/plugin-e2e";
import { TEST_IDS } from "../../src/constants.ts";
import { PROVISIONED } from "./env.ts";

test("the Entity stream panel connects and its Order total grows live", async ({ readProvisionedDashboard, gotoDashboardPage }) => {
  const dashboard = await readProvisionedDashboard({ fileName: PROVISIONED.dashboardFile });
  const dashboardPage = await gotoDashboardPage(dashboard);
  const panel = dashboardPage.getPanelById(PROVISIONED.orderLivePanelId);
  await panel.scrollIntoView();
  await expect(panel.locator.getByTestId(TEST_IDS.panel.status)).toHaveAttribute("data-status", "connected");
  const card = panel.locator.getByTestId(TEST_IDS.panel.card("Order"));
  await expect(card.getByTestId(TEST_IDS.panel.row).first()).toBeVisible();
  const stats = card.getByTestId(TEST_IDS.panel.stats("Order"));
  const before = await stats.innerText();
  await expect(stats).not.toHaveText(before, { timeout: 15_000 });
});

test("Grafana's Stat panel shows the Order stats without error", async ({ readProvisionedDashboard, gotoDashboardPage }) => {
  const dashboard = await readProvisionedDashboard({ fileName: PROVISIONED.dashboardFile });
  const dashboardPage = await gotoDashboardPage(dashboard);
  const panel = dashboardPage.getPanelById(PROVISIONED.orderStatPanelId);
  await panel.scrollIntoView();
  await expect(panel.locator).toContainText(/\d/);
  await expect(panel.getErrorIcon()).toHaveCount(0);
});
