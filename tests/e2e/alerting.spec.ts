/** The generated Grafana-managed alert rules load in Grafana's rule editor and evaluate against Prometheus. */
import { expect, test } from "@grafana/plugin-e2e";
import { PROVISIONED } from "./env.ts";

for (const ruleTitle of [PROVISIONED.orderAboveMax, PROVISIONED.orderBelowMin]) {
  test(`the provisioned rule "${ruleTitle}" evaluates`, async ({ readProvisionedAlertRule, gotoAlertRuleEditPage }) => {
    const rule = await readProvisionedAlertRule({ fileName: PROVISIONED.alertRulesFile, ruleTitle });
    const editPage = await gotoAlertRuleEditPage(rule);
    await expect(editPage.evaluate()).toBeOK();
  });
}
