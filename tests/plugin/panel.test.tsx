/**
 * The Entity stream panel in each state: empty, streaming, paused, filtered, disconnected — and the
 * statistics a Stats query sends, rendered with @testing-library/react from frames built by the
 * datasource's own frame builders.
 */
import { describe, expect, it } from "@jest/globals";
import "@testing-library/jest-dom/jest-globals";
import { act, fireEvent, render, screen, within } from "@testing-library/react";
import { createTheme, EventBusSrv, LoadingState, ThemeContext, type PanelData } from "@grafana/data";
import { TEST_IDS } from "../../src/constants.ts";
import { EntityPanel } from "../../src/panel/EntityPanel.tsx";
import { entityViews } from "../../src/panel/model.ts";
import type { PanelOptions } from "../../src/panel/types.ts";
import { lineFrame, orderFrame, orderHistoryFrame, panelData, stats, statsQueryFrame } from "./support/fixtures.ts";

function renderPanel(data: PanelData, options: Partial<PanelOptions> = {}, mode: "dark" | "light" = "dark") {
  const props = (d: PanelData) => ({
    id: 1,
    data: d,
    timeRange: d.timeRange,
    timeZone: "utc",
    options: { entities: [], showStats: true, ...options },
    fieldConfig: { defaults: {}, overrides: [] },
    transparent: false,
    width: 1200,
    height: 800,
    renderCounter: 0,
    title: "Entity stream",
    eventBus: new EventBusSrv(),
    onOptionsChange: () => {},
    onFieldConfigChange: () => {},
    replaceVariables: (s: string) => s,
    onChangeTimeRange: () => {},
  });
  const theme = createTheme({ colors: { mode } });
  const ui = render(
    <ThemeContext.Provider value={theme}>
      <EntityPanel {...props(data)} />
    </ThemeContext.Provider>,
  );
  return {
    ...ui,
    update: (d: PanelData) =>
      ui.rerender(
        <ThemeContext.Provider value={theme}>
          <EntityPanel {...props(d)} />
        </ThemeContext.Provider>,
      ),
  };
}

/** Each row's cells (the chosen columns) as one text; the row's header (its time, its expand button) apart. */
const rowTexts = (card: HTMLElement) => within(card).queryAllByTestId(TEST_IDS.panel.row).map((r) => [...r.querySelectorAll("td")].map((td) => td.textContent).join(""));

describe("Entity stream panel", () => {
  it("empty: explains what query to add", () => {
    renderPanel(panelData([], LoadingState.Done));
    expect(screen.getByTestId(TEST_IDS.panel.empty)).toHaveTextContent("No data yet. Add a query of the nomnom-live datasource (Live rows)");
    expect(screen.queryAllByTestId(new RegExp(`^${TEST_IDS.panel.card("")}`))).toHaveLength(0);
  });

  it("empty entity: a card that waits for inserts", () => {
    renderPanel(panelData([lineFrame(0)]));
    expect(within(screen.getByTestId(TEST_IDS.panel.card("OrderLineItem"))).getByText("No rows yet — waiting for inserts.")).toBeInTheDocument();
  });

  it("streaming: one card per entity with colour, icon, stats and the display fields, newest first", () => {
    const { update } = renderPanel(panelData([orderFrame(1, 3), lineFrame(2)]));
    expect(screen.getByTestId(TEST_IDS.panel.status)).toHaveAttribute("data-status", "connected");
    const order = screen.getByTestId(TEST_IDS.panel.card("Order"));
    expect(order).toHaveStyle({ borderLeftColor: "#3b82f6" });
    expect(within(order).getByText("📦")).toBeInTheDocument();
    expect(within(order).getAllByRole("columnheader").map((h) => h.textContent)).toEqual(["order_key", "total"]);
    expect(rowTexts(order)).toEqual(["O-33.50", "O-22.50", "O-11.50"]);
    expect(screen.getByTestId(TEST_IDS.panel.stats("Order"))).toHaveTextContent("3 rows");
    expect(screen.getByTestId(TEST_IDS.panel.stats("Order"))).toHaveTextContent("0.5/s");
    expect(rowTexts(screen.getByTestId(TEST_IDS.panel.card("OrderLineItem")))).toEqual(["2O-23", "1O-12"]);

    update(panelData([orderFrame(1, 5), lineFrame(2)]));
    expect(rowTexts(screen.getByTestId(TEST_IDS.panel.card("Order")))).toEqual(["O-55.50", "O-44.50", "O-33.50", "O-22.50", "O-11.50"]);
  });

  it("caps rows per entity at maxRecords and hides the stats when asked", () => {
    renderPanel(panelData([orderFrame(1, 20)]), { maxRecords: 4, showStats: false });
    expect(rowTexts(screen.getByTestId(TEST_IDS.panel.card("Order")))).toEqual(["O-2020.50", "O-1919.50", "O-1818.50", "O-1717.50"]);
    expect(screen.queryByTestId(TEST_IDS.panel.stats("Order"))).toBeNull();
  });

  it("paused: keeps what is shown while rows arrive, counts them, and catches up on resume", () => {
    const { update } = renderPanel(panelData([orderFrame(1, 3)]));
    fireEvent.click(screen.getByTestId(TEST_IDS.panel.pause));
    update(panelData([orderFrame(1, 6, undefined, 6)]));
    expect(screen.getByTestId(TEST_IDS.panel.root)).toHaveAttribute("data-paused", "true");
    expect(rowTexts(screen.getByTestId(TEST_IDS.panel.card("Order")))).toHaveLength(3);
    expect(screen.getByTestId(TEST_IDS.panel.pausedBanner)).toHaveTextContent("Paused — 3 new rows arrived since.");
    expect(screen.getByTestId(TEST_IDS.panel.pause)).toHaveTextContent("Resume (3 new)");
    fireEvent.click(screen.getByTestId(TEST_IDS.panel.pause));
    expect(screen.getByTestId(TEST_IDS.panel.root)).toHaveAttribute("data-paused", "false");
    expect(rowTexts(screen.getByTestId(TEST_IDS.panel.card("Order")))).toEqual(["O-66.50", "O-55.50", "O-44.50", "O-33.50", "O-22.50", "O-11.50"]);
  });

  it("paused: counts each entity's own arrivals, and a stream that started over from what it counted since", () => {
    const { update } = renderPanel(panelData([orderFrame(1, 3, undefined, 10), lineFrame(2)]));
    fireEvent.click(screen.getByTestId(TEST_IDS.panel.pause));
    // 2 orders arrive; the line items' counter is unchanged (received 2 stays 2).
    update(panelData([orderFrame(1, 5, undefined, 12), lineFrame(2)]));
    expect(screen.getByTestId(TEST_IDS.panel.pausedBanner)).toHaveTextContent("Paused — 2 new rows arrived since.");
    // The Order stream started over (query stopped and restarted): its counter is 1 now, 1 arrival since.
    update(panelData([orderFrame(1, 6, undefined, 1), lineFrame(2)]));
    expect(screen.getByTestId(TEST_IDS.panel.pausedBanner)).toHaveTextContent("Paused — 1 new row arrived since.");
  });

  it("filtered: the search narrows rows, entity toggles hide cards, the options restrict entities", () => {
    const { unmount } = renderPanel(panelData([orderFrame(1, 12), lineFrame(3)]));
    act(() => {
      fireEvent.change(screen.getByTestId(TEST_IDS.panel.search).querySelector("input") ?? screen.getByTestId(TEST_IDS.panel.search), { target: { value: "O-1" } });
    });
    expect(rowTexts(screen.getByTestId(TEST_IDS.panel.card("Order")))).toEqual(["O-1212.50", "O-1111.50", "O-1010.50", "O-11.50"]);
    expect(within(screen.getByTestId(TEST_IDS.panel.card("Order"))).getByText("4 shown (filtered)")).toBeInTheDocument();
    expect(rowTexts(screen.getByTestId(TEST_IDS.panel.card("OrderLineItem")))).toEqual(["1O-12"]);
    fireEvent.click(screen.getByTestId(TEST_IDS.panel.toggle("OrderLineItem")));
    expect(screen.queryByTestId(TEST_IDS.panel.card("OrderLineItem"))).toBeNull();
    expect(screen.getByTestId(TEST_IDS.panel.toggle("OrderLineItem"))).toHaveAttribute("aria-pressed", "false");
    unmount();

    renderPanel(panelData([orderFrame(1, 2), lineFrame(3)]), { entities: ["OrderLineItem"] });
    expect(screen.queryByTestId(TEST_IDS.panel.card("Order"))).toBeNull();
    expect(screen.getByTestId(TEST_IDS.panel.card("OrderLineItem"))).toBeInTheDocument();
  });

  it("disconnected: shows reconnecting with the reason, then the error state, and keeps the rows", () => {
    const reconnecting = { status: "reconnecting" as const, attempt: 2, since: 0, message: "the connection closed (code 1006); retrying in 2 s" };
    const { update } = renderPanel(panelData([orderFrame(1, 2, reconnecting)]));
    expect(screen.getByTestId(TEST_IDS.panel.status)).toHaveAttribute("data-status", "reconnecting");
    expect(screen.getByTestId(TEST_IDS.panel.status)).toHaveTextContent("reconnecting (attempt 2)");
    expect(screen.getByTestId(TEST_IDS.panel.banner)).toHaveTextContent("Connection lost, reconnecting: the connection closed (code 1006); retrying in 2 s");
    expect(rowTexts(screen.getByTestId(TEST_IDS.panel.card("Order")))).toHaveLength(2);

    const error = { status: "error" as const, attempt: 3, since: 0, message: "the backend refused the datasource's token" };
    update(panelData([orderFrame(1, 2, error)], LoadingState.Error));
    expect(screen.getByTestId(TEST_IDS.panel.status)).toHaveAttribute("data-status", "error");
    expect(screen.getByTestId(TEST_IDS.panel.banner)).toHaveTextContent("Disconnected from nomnom-live: the backend refused the datasource's token");
  });

  it("a card with no statistics of its own shows those a Stats query sent, whole: an estimated total, the last insert's time", () => {
    const sent = { ...stats(3), total_estimated: true, last_insert_at: "2026-11-24T12:00:00.000Z" };
    const frames = [orderHistoryFrame(1, 3), statsQueryFrame({ Order: sent })];
    expect(entityViews(frames, "utc").map((v) => [v.name, v.stats])).toEqual([["Order", sent]]);
    renderPanel(panelData(frames));
    expect(screen.getByTestId(TEST_IDS.panel.stats("Order"))).toHaveTextContent("≈3 rows");
  });

  it("follows the theme: light and dark give the cards different backgrounds", () => {
    const background = (mode: "dark" | "light") => {
      const { unmount } = renderPanel(panelData([orderFrame(1, 1)]), {}, mode);
      const bg = getComputedStyle(screen.getByTestId(TEST_IDS.panel.card("Order"))).backgroundColor;
      unmount();
      return bg;
    };
    const dark = background("dark");
    const light = background("light");
    expect(dark).not.toBe("");
    expect(light).not.toBe(dark);
  });
});
