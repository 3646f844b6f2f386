/** The app plugin loads in Grafana and its page says how to start. */
import { expect, test } from "@grafana/plugin-e2e";
import { PLUGIN_ID } from "../../contract/index.ts";

test("the app's page loads and says how to start", async ({ gotoAppPage, page }) => {
  await gotoAppPage({ pluginId: PLUGIN_ID.app });
  await expect(page.getByText("Getting started")).toBeVisible();
  await expect(page.getByRole("link", { name: "Add the datasource" })).toBeVisible();
});
