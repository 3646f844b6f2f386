/**
 * The panel's shared clock (src/panel/clock.ts): React asks a store for its snapshot twice in a row and
 * needs the same answer, so a first render on a clock that moves between the two questions must not
 * read it twice (React then warns, and with a value that changes on every read it renders forever).
 */
import { afterEach, describe, expect, it, jest } from "@jest/globals";
import { render } from "@testing-library/react";
import React from "react";
import { useClock } from "../../src/panel/clock.ts";

function Now() {
  return <span>{useClock((now) => now)}</span>;
}

describe("useClock", () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it("gives a first render the same reading however often React asks, even as the clock moves", () => {
    let t = 1_000_000;
    jest.spyOn(Date, "now").mockImplementation(() => (t += 1500));
    const errors = jest.spyOn(console, "error").mockImplementation(() => {});
    const { container, unmount } = render(<Now />);
    const shown = Number(container.textContent);
    expect(shown).toBeGreaterThan(1_000_000);
    expect(errors.mock.calls.map((c) => String(c[0])).filter((m) => /getSnapshot/.test(m))).toEqual([]);
    unmount();
  });
});
