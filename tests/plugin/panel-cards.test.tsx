/**
 * The Entity stream panel's cards: counts and rates straight from the backend's statistics (one rate,
 * singular and plural, Grafana's number formatting), the configuration's order or the latest insert
 * first, the time since the last insert turning to a warning when quieter than expected, the trend's
 * sparkline, Grafana's icons (an emoji still works), the database's banner, the layout at a phone's and
 * a wide screen's width, and the options that seed 001's `features:` switches map onto.
 */
import { describe, expect, it } from "@jest/globals";
import "@testing-library/jest-dom/jest-globals";
import { fireEvent, screen, within } from "@testing-library/react";
import { TEST_IDS } from "../../src/constants.ts";
import { cardLayouts, gridColumns } from "../../src/panel/layout.ts";
import { entityViews } from "../../src/panel/model.ts";
import { panelData } from "./support/fixtures.ts";
import { entity, entityFrame, renderPanel, rowsOf } from "./support/panel-render.tsx";

// Grafana's Sparkline draws with uPlot on a canvas, which jsdom lacks: a 2D context that draws nothing.
const noop = () => {};
HTMLCanvasElement.prototype.getContext = function getContext() {
  const context: Record<string | symbol, unknown> = { measureText: (t: string) => ({ width: String(t).length * 7 }) };
  return new Proxy(context, { get: (target, p) => (p in target ? target[p] : noop), set: () => true });
} as never;
(globalThis as { Path2D?: unknown }).Path2D ??= class {
  moveTo() {}
  lineTo() {}
  bezierCurveTo() {}
  closePath() {}
  rect() {}
  arc() {}
};

const cardNames = () => screen.getAllByTestId(new RegExp(`^${TEST_IDS.panel.card("")}`)).map((c) => c.getAttribute("data-testid")!.slice(TEST_IDS.panel.card("").length));
const statsText = (name: string) => screen.getByTestId(TEST_IDS.panel.stats(name)).textContent ?? "";

describe("Entity stream panel cards", () => {
  it("counts straight from the statistics, singular and plural, with Grafana's number formatting and one rate", () => {
    const one = entityFrame(entity("Region"), { rows: rowsOf(1, 1), stats: { total: 1, rate_per_second: 0, inserts_last_minute: 0 } });
    const many = entityFrame(entity("Customer"), { rows: rowsOf(1, 3), stats: { total: 1234567, rate_per_second: 1.5, inserts_last_minute: 17, total_estimated: true } });
    renderPanel(panelData([one, many]));
    expect(statsText("Region")).toContain("1 row");
    expect(statsText("Region")).not.toContain("1 rows");
    expect(statsText("Region")).toContain("0/s");
    expect(statsText("Customer")).toContain("≈1,234,567 rows");
    expect(statsText("Customer")).toContain("1.5/s");
    // One rate in one unit: no per-minute figure beside the per-second one.
    expect(statsText("Customer")).not.toMatch(/\/min/);
  });

  it("keeps the configuration's order however the frames arrive; the option puts the latest insert first", () => {
    const frames = (names: string[]) =>
      names.map((n) => {
        const pos = ["Order", "Customer", "Region"].indexOf(n);
        const insertedAt = new Date(Date.now() - [30_000, 1_000, 600_000][pos]!).toISOString();
        return entityFrame(entity(n), { rows: rowsOf(1, 2), position: pos, refId: n, stats: { last_insert_at: insertedAt } });
      });
    const { update, unmount } = renderPanel(panelData(frames(["Region", "Order", "Customer"])));
    expect(cardNames()).toEqual(["Order", "Customer", "Region"]);
    update(panelData(frames(["Customer", "Region", "Order"])));
    expect(cardNames()).toEqual(["Order", "Customer", "Region"]);
    unmount();
    renderPanel(panelData(frames(["Region", "Order", "Customer"])), { options: { order: "activity" } });
    expect(cardNames()).toEqual(["Customer", "Order", "Region"]);
  });

  it("says how long ago the last insert was, from the backend or else the newest row's time", () => {
    const fromBackend = entityFrame(entity("Order"), { rows: rowsOf(1, 2, Date.now() - 3_600_000), stats: { last_insert_at: new Date(Date.now() - 5_000).toISOString() } });
    const fromRows = entityFrame(entity("Region"), { rows: rowsOf(1, 2, Date.now() - 3 * 60_000) });
    const unknown = entityFrame(entity("Nation", { timestamp: null }), { rows: rowsOf(1, 2) });
    renderPanel(panelData([fromBackend, fromRows, unknown]));
    expect(screen.getByTestId(TEST_IDS.panel.lastInsert("Order"))).toHaveTextContent(/^last insert \d+ s ago$/);
    expect(screen.getByTestId(TEST_IDS.panel.lastInsert("Region"))).toHaveTextContent("last insert 3 min ago");
    expect(screen.getByTestId(TEST_IDS.panel.lastInsert("Nation"))).toHaveTextContent("no insert seen");
  });

  it("turns to the warning colour when quieter than the entity's alerts.min_per_minute, or the panel option, expects", () => {
    const twoMinutesAgo = new Date(Date.now() - 120_000).toISOString();
    const expecting = entityFrame(entity("Order", { alerts: { min_per_minute: 2 } }), { rows: rowsOf(1, 2), stats: { last_insert_at: twoMinutesAgo } });
    const lively = entityFrame(entity("Customer", { alerts: { min_per_minute: 2 } }), { rows: rowsOf(1, 2), stats: { last_insert_at: new Date().toISOString() } });
    const unexpecting = entityFrame(entity("Region"), { rows: rowsOf(1, 2), stats: { last_insert_at: twoMinutesAgo } });
    const { unmount } = renderPanel(panelData([expecting, lively, unexpecting]));
    const quiet = (name: string) => screen.getByTestId(TEST_IDS.panel.lastInsert(name)).getAttribute("data-quiet");
    expect(quiet("Order")).toBe("true");
    expect(screen.getByTestId(TEST_IDS.panel.lastInsert("Order"))).toHaveTextContent("quieter than expected (expected within 1 min)");
    expect(quiet("Customer")).toBe("false");
    expect(quiet("Region")).toBe("false");
    unmount();
    renderPanel(panelData([expecting, lively, unexpecting]), { options: { quietAfterSeconds: 300 } });
    expect(quiet("Order")).toBe("false");
    expect(quiet("Region")).toBe("false");
  });

  it("draws the inserts per minute with Grafana's Sparkline, and says them to a screen reader", () => {
    const now = Date.now();
    const trend = [0, 4, 9, 12].map((perMinute, i) => ({ time: now - (3 - i) * 60_000, perMinute }));
    renderPanel(panelData([entityFrame(entity("Order"), { rows: rowsOf(1, 2), meta: { trend } })]));
    const spark = screen.getByTestId(TEST_IDS.panel.trend("Order"));
    expect(spark).toHaveAttribute("role", "img");
    expect(spark).toHaveAttribute("aria-label", "Inserts per minute over the last 3 minutes: now 12, highest 12");
    expect(spark.querySelector("canvas")).not.toBeNull();
  });

  it("shows Grafana's icon for an icon name, and a configured emoji as it is", () => {
    renderPanel(panelData([entityFrame(entity("Order", { icon: "cube" }), { rows: rowsOf(1, 1) }), entityFrame(entity("Pet", { icon: "🐈" }), { rows: rowsOf(1, 1), refId: "B" })]));
    const order = screen.getByTestId(TEST_IDS.panel.card("Order"));
    expect(order.querySelector('svg[data-icon-src*="cube"]')).not.toBeNull();
    expect(within(order).queryByText("cube")).toBeNull();
    expect(within(screen.getByTestId(TEST_IDS.panel.card("Pet"))).getByText("🐈")).toBeInTheDocument();
    expect(screen.getByTestId(TEST_IDS.panel.toggle("Order")).querySelector('svg[data-icon-src*="cube"]')).not.toBeNull();
  });

  it("shows the database's outage in a banner, and says nothing of it while the backend itself is out of reach", () => {
    const down = { status: "unavailable" as const, message: "connect ECONNREFUSED 127.0.0.1:5432", since: 1 };
    const { update } = renderPanel(panelData([entityFrame(entity("Order"), { rows: rowsOf(1, 2), meta: { database: down } })]));
    const banner = screen.getByTestId(TEST_IDS.panel.databaseBanner);
    expect(banner).toHaveAttribute("role", "alert");
    expect(banner).toHaveTextContent("The database does not answer; new rows will follow once it does: connect ECONNREFUSED 127.0.0.1:5432");
    expect(screen.getByTestId(TEST_IDS.panel.status)).toHaveAttribute("data-status", "connected");
    const reconnecting = { status: "reconnecting" as const, attempt: 1, since: 0, message: "the connection closed" };
    update(panelData([entityFrame(entity("Order"), { rows: rowsOf(1, 2), meta: { database: down, connection: reconnecting } })]));
    expect(screen.queryByTestId(TEST_IDS.panel.databaseBanner)).toBeNull();
    expect(screen.getByTestId(TEST_IDS.panel.banner)).toBeInTheDocument();
    update(panelData([entityFrame(entity("Order"), { rows: rowsOf(1, 2), meta: { database: { status: "ok", since: 2 } } })]));
    expect(screen.queryByTestId(TEST_IDS.panel.databaseBanner)).toBeNull();
  });

  it("lays out one column on a phone and gives the busiest entity two columns and a taller table on a wide screen", () => {
    const frames = [
      entityFrame(entity("Order"), { rows: rowsOf(1, 3), stats: { inserts_last_minute: 300 }, position: 0 }),
      entityFrame(entity("Customer"), { rows: rowsOf(1, 3), stats: { inserts_last_minute: 2 }, position: 1, refId: "B" }),
      entityFrame(entity("Region"), { rows: rowsOf(1, 3), stats: { inserts_last_minute: 0 }, position: 2, refId: "C" }),
    ];
    expect(gridColumns(358)).toBe(1);
    expect(gridColumns(992)).toBe(2);
    expect(gridColumns(1888)).toBe(4);
    const views = entityViews(frames, "utc");
    const wide = cardLayouts(views, 3, 900);
    expect(wide.get("Order")).toMatchObject({ span: 2, busy: true });
    expect(wide.get("Customer")).toMatchObject({ span: 1, busy: false });
    expect(wide.get("Order")!.tableMaxHeight).toBeGreaterThan(wide.get("Region")!.tableMaxHeight);
    // In one line of the grid, every card takes the panel's height.
    const oneLine = cardLayouts(views, 4, 900);
    expect(oneLine.get("Order")!.span).toBe(2);
    expect(new Set([...oneLine.values()].map((l) => l.tableMaxHeight)).size).toBe(1);
    expect(cardLayouts(views, 1, 900).get("Order")!.span).toBe(1);
    expect(cardLayouts(views, 2, 900).get("Order")!.span).toBe(1);

    renderPanel(panelData(frames), { width: 358 });
    expect(screen.getByTestId(TEST_IDS.panel.card("Order")).parentElement!.style.gridColumn).toBe("span 1");
  });

  it("hides the search and toggles, the CSV buttons and the statistics when their features are off", () => {
    const frames = [entityFrame(entity("Order"), { rows: rowsOf(1, 2) })];
    const { unmount } = renderPanel(panelData(frames));
    for (const id of [TEST_IDS.panel.search, TEST_IDS.panel.toggle("Order"), TEST_IDS.panel.exportCsv("Order"), TEST_IDS.panel.exportCsvAll("Order"), TEST_IDS.panel.stats("Order")]) {
      expect(screen.getByTestId(id)).toBeInTheDocument();
    }
    unmount();
    renderPanel(panelData(frames), { options: { showFilters: false, exportCsv: false, showStats: false } });
    for (const id of [TEST_IDS.panel.search, TEST_IDS.panel.toggle("Order"), TEST_IDS.panel.exportCsv("Order"), TEST_IDS.panel.exportCsvAll("Order"), TEST_IDS.panel.stats("Order")]) {
      expect(screen.queryByTestId(id)).toBeNull();
    }
    expect(screen.getByTestId(TEST_IDS.panel.pause)).toBeInTheDocument();
  });

  it("labels what a keyboard reaches: the toggles' state, the actions' names, in reading order", () => {
    renderPanel(panelData([entityFrame(entity("Order"), { rows: rowsOf(1, 1) })]));
    const card = screen.getByTestId(TEST_IDS.panel.card("Order"));
    const names = within(card)
      .getAllByRole("button")
      .map((b) => b.getAttribute("aria-label") ?? b.textContent);
    expect(names).toEqual(["Choose the columns of Order", "Export Order as CSV, the columns shown", "Export Order as CSV, every column (with the key and the time)", "Show every column of Order id 1"]);
    fireEvent.click(screen.getByTestId(TEST_IDS.panel.toggle("Order")));
    expect(screen.getByTestId(TEST_IDS.panel.toggle("Order"))).toHaveAttribute("aria-pressed", "false");
    expect(screen.getByRole("group", { name: "Entities shown" })).toBeInTheDocument();
  });
});
