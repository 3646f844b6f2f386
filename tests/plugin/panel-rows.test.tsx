/**
 * The Entity stream panel's rows: each headed by the entity's time (relative or absolute), numbers
 * right-aligned through Grafana's display processor (so the panel's standard field options and
 * overrides by field name apply), new rows marked (still under reduced motion), the column chooser, a
 * row opened to every column or its JSON, and CSV of the columns shown or of every column.
 */
import { describe, expect, it } from "@jest/globals";
import "@testing-library/jest-dom/jest-globals";
import { act, fireEvent, screen, within } from "@testing-library/react";
import { FieldMatcherID } from "@grafana/data";
import { TEST_IDS } from "../../src/constants.ts";
import { viewCsv } from "../../src/panel/csv.ts";
import { entityViews } from "../../src/panel/model.ts";
import { panelData } from "./support/fixtures.ts";
import { entity, entityFrame, renderPanel, rowsOf } from "./support/panel-render.tsx";

const NOW = Date.parse("2026-11-24T12:00:00.000Z");
const card = () => screen.getByTestId(TEST_IDS.panel.card("Order"));
const rows = () => within(card()).getAllByTestId(TEST_IDS.panel.row);
const cells = (row: HTMLElement) => [...row.querySelectorAll("td")].map((td) => td.textContent);
const frame = (to = 3, newest = Date.now(), apartMs = 1000) => entityFrame(entity("Order"), { rows: rowsOf(1, to, newest, apartMs) });

describe("Entity stream panel rows", () => {
  it("heads each row with its time, relative by default or as date and time", () => {
    // A minute apart, the newest two and a half minutes ago: half a minute of slack for a slow machine.
    const { unmount } = renderPanel(panelData([frame(3, Date.now() - 150_000, 60_000)]));
    expect(rows().map((r) => r.querySelector("th")!.textContent)).toEqual(["2 min ago", "3 min ago", "4 min ago"]);
    expect(rows()[0]!.querySelector("time")).toHaveAttribute("title", expect.stringMatching(/^created_at: \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/));
    expect(within(card()).getAllByRole("columnheader").map((h) => h.textContent)).toEqual(["label", "amount"]);
    unmount();
    renderPanel(panelData([frame(3, NOW)]), { options: { timeDisplay: "absolute" } });
    expect(rows().map((r) => r.querySelector("th")!.textContent)).toEqual(["2026-11-24 12:00:00", "2026-11-24 11:59:59", "2026-11-24 11:59:58"]);
  });

  it("right-aligns numbers and formats them with Grafana's display processor and the panel's field options", () => {
    const { unmount } = renderPanel(panelData([frame(2)]));
    expect(cells(rows()[0]!)).toEqual(["L-2", "2001"]);
    const amount = rows()[0]!.querySelectorAll("td")[1]!;
    expect(getComputedStyle(amount).textAlign).toBe("right");
    expect(getComputedStyle(rows()[0]!.querySelectorAll("td")[0]!).textAlign).toBe("left");
    unmount();
    const fieldConfig = {
      defaults: { decimals: 1 },
      overrides: [{ matcher: { id: FieldMatcherID.byName, options: "amount" }, properties: [{ id: "unit", value: "currencyUSD" }] }],
    };
    renderPanel(panelData([frame(2)]), { fieldConfig });
    expect(cells(rows()[0]!)).toEqual(["L-2", "$2.0K"]);
  });

  it("marks rows that arrive while one watches, not those there at first; the flash only without reduced motion", () => {
    const { update } = renderPanel(panelData([frame(2)]));
    expect(rows().map((r) => r.getAttribute("data-fresh"))).toEqual([null, null]);
    update(panelData([frame(4)]));
    expect(rows().map((r) => r.getAttribute("data-fresh"))).toEqual(["true", "true", null, null]);
    const rules = [...document.styleSheets].flatMap((s) => [...s.cssRules].map((r) => r.cssText)).join("\n");
    expect(rules).toMatch(/@media \(prefers-reduced-motion: no-preference\) *\{[^}]*animation:/);
  });

  it("marks nothing when highlighting is off", () => {
    const { update } = renderPanel(panelData([frame(2)]), { options: { highlightNew: false } });
    update(panelData([frame(4)]));
    expect(rows().map((r) => r.getAttribute("data-fresh"))).toEqual([null, null, null, null]);
  });

  it("chooses the columns shown, every column of the frames offered", () => {
    renderPanel(panelData([frame(2)]));
    const button = screen.getByTestId(TEST_IDS.panel.columns("Order"));
    expect(button).toHaveAttribute("aria-expanded", "false");
    fireEvent.click(button);
    expect(button).toHaveAttribute("aria-expanded", "true");
    const chooser = screen.getByTestId(TEST_IDS.panel.columnChooser("Order"));
    expect(within(chooser).getAllByRole("checkbox").map((c) => (c as HTMLInputElement).checked)).toEqual([false, true, true, false]);
    fireEvent.click(within(chooser).getByLabelText("id"));
    fireEvent.click(within(chooser).getByLabelText("amount"));
    expect(within(card()).getAllByRole("columnheader").map((h) => h.textContent)).toEqual(["id", "label"]);
    expect(cells(rows()[0]!)).toEqual(["2", "L-2"]);
    fireEvent.click(within(chooser).getByRole("button", { name: "Configured" }));
    expect(within(card()).getAllByRole("columnheader").map((h) => h.textContent)).toEqual(["label", "amount"]);
  });

  it("opens a row to every column, and to its exact JSON", () => {
    renderPanel(panelData([frame(2, NOW)]), { options: { timeDisplay: "absolute" } });
    const expand = within(rows()[0]!).getByTestId(TEST_IDS.panel.expand);
    expect(expand).toHaveAttribute("aria-expanded", "false");
    fireEvent.click(expand);
    expect(expand).toHaveAttribute("aria-expanded", "true");
    const details = within(card()).getByTestId(TEST_IDS.panel.rowDetails);
    expect(expand).toHaveAttribute("aria-controls", details.id);
    const pairs = [...details.querySelectorAll("dt")].map((dt) => [dt.textContent, dt.nextElementSibling!.textContent]);
    expect(pairs).toEqual([
      ["id", "2"],
      ["label", "L-2"],
      ["amount", "2001"],
      ["created_at", "2026-11-24 12:00:00"],
    ]);
    act(() => fireEvent.click(within(details).getByRole("button", { name: "Show as JSON" })));
    expect(JSON.parse(details.querySelector("pre")!.textContent)).toEqual({ id: 2, label: "L-2", amount: 2001, created_at: "2026-11-24T12:00:00.000Z" });
    fireEvent.click(expand);
    expect(within(card()).queryByTestId(TEST_IDS.panel.rowDetails)).toBeNull();
  });

  it("writes CSV of the columns shown as shown, or of every column with the key and the exact time", () => {
    // Shown: as Grafana's display processor shows a number without set decimals; every column: exactly.
    const [view] = entityViews([frame(2, NOW)], "utc");
    const shown = view!.rows;
    expect(viewCsv(view!, shown, ["label", "amount"], "shown")).toBe("label,amount\r\nL-2,2001\r\nL-1,1001\r\n");
    expect(viewCsv(view!, shown, ["label", "amount"], "all")).toBe("id,label,amount,created_at\r\n2,L-2,2001,2026-11-24T12:00:00.000Z\r\n1,L-1,1000.5,2026-11-24T11:59:59.000Z\r\n");
  });
});
