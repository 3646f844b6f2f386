/** The stack under test, as docker-compose.yaml runs it (see playwright.config.ts). */
export const BACKEND_URL = process.env.NOMNOM_BACKEND_URL ?? "http://backend:8080";
export const BROWSER_URL = process.env.NOMNOM_BROWSER_URL ?? "http://localhost:8080";

/** The files and names the generator writes for examples/tpch (checked against provisioning/ in CI). */
export const PROVISIONED = {
  datasourceFile: "nomnom-live.yaml",
  datasourceName: "nomnom-live",
  dashboardFile: "nomnom-live/nomnom-live.json",
  alertRulesFile: "nomnom-live-rules.yaml",
  orderAboveMax: "Order insert rate above 5000/min",
  orderBelowMin: "Order insert rate below 1/min",
  /** Panel ids in the dashboard: the Entity stream panel and the Stat panel of Order. */
  orderLivePanelId: "5",
  orderStatPanelId: "2",
  entities: ["Order", "OrderLineItem"],
} as const;
