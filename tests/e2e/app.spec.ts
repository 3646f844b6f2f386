/** The app plugin loads in Grafana and its page says how to start. */
import { expect, test } from "@grafana/plugin-e2e";

test("the app's page loads and says how to start", async ({ gotoAppPage, page }) => {
  await gotoAppPage({ pluginId: "nomnom-live-app" });
  await expect(page.getByText("Getting started")).toBeVisible();
  await expect(page.getByRole("link", { name: "Add the datasource" })).toBeVisible();
});
