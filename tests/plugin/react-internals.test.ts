/**
 * dist/ carries none of React: no built module.js contains React's private internals (what a bundled
 * `react/jsx-runtime` reads, and React 19 removed), nor the JSX runtime's element symbols, nor imports
 * `react/jsx-runtime` (Grafana shares it with plugins only from 12.3 and a few backports: a module that
 * imports it does not load in Grafana 10.4 to 12.2). And the plugin's code leaves the window's location
 * alone, as Grafana's plugin validator asks.
 */
import { describe, expect, it } from "@jest/globals";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

const ROOT = path.resolve(__dirname, "../..");
const MODULES = ["module.js", "datasource/module.js", "panel/module.js"];

/** Markers of React's own code: its internals object and what the JSX runtime reads from it, and its element tags. */
const REACT_INTERNALS = [
  "__SECRET_INTERNALS_DO_NOT_USE_OR_YOU_WILL_BE_FIRED",
  "__CLIENT_INTERNALS_DO_NOT_USE_OR_WARN_USERS_THEY_CANNOT_UPGRADE",
  "ReactCurrentOwner",
  "ReactCurrentDispatcher",
  "react.element",
  "react.transitional.element",
  "react.fragment",
];

const read = (file: string) => readFileSync(path.join(ROOT, "dist", file), "utf8");
const amdDependencies = (source: string) => JSON.parse(/(?:^|\n)define\((\[[^\]]*\])/.exec(source)![1]!) as string[];

describe("the built modules", () => {
  it.each(MODULES)("%s contains none of React's internals", (file) => {
    const source = read(file);
    for (const marker of REACT_INTERNALS) expect({ file, marker, found: source.includes(marker) }).toEqual({ file, marker, found: false });
  });

  it.each(MODULES)("%s takes React from Grafana and does not import the JSX runtime", (file) => {
    const deps = amdDependencies(read(file));
    expect(deps.filter((d) => d.startsWith("react/"))).toEqual([]);
    // (the app's module renders JSX too: the classic transform's React.createElement needs `react`)
    expect(deps).toContain("react");
  });
});

describe("the plugin's code", () => {
  it("does not read the window's location (Grafana's validator: use locationService)", () => {
    const dir = path.join(ROOT, "src");
    const offenders = (readdirSync(dir, { recursive: true }) as string[])
      .filter((f) => /\.tsx?$/.test(f))
      .flatMap((f) =>
        readFileSync(path.join(dir, f), "utf8")
          .split("\n")
          .map((line, i) => ({ at: `src/${f}:${i + 1}`, line }))
          .filter(({ line }) => !/^\s*(\*|\/\/)/.test(line) && /\b(window|document|globalThis|self)\.location\b|(^|[^.\w])location\.(href|origin|search|hash|pathname|host|assign|replace|reload)\b/.test(line)),
      );
    expect(offenders).toEqual([]);
  });
});
