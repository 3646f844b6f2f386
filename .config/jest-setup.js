/*
 * Shared jest setup (jsdom): the DOM matchers and the browser APIs jsdom lacks that Grafana's packages use.
 */
import "@testing-library/jest-dom";

if (!window.matchMedia) {
  Object.defineProperty(window, "matchMedia", {
    writable: true,
    value: (query) => ({ matches: false, media: query, onchange: null, addListener() {}, removeListener() {}, addEventListener() {}, removeEventListener() {}, dispatchEvent: () => false }),
  });
}
if (!window.ResizeObserver) {
  window.ResizeObserver = class {
    observe() {}
    unobserve() {}
    disconnect() {}
  };
}
if (!window.IntersectionObserver) {
  window.IntersectionObserver = class {
    observe() {}
    unobserve() {}
    disconnect() {}
    takeRecords() {
      return [];
    }
  };
}

// @grafana/ui's icons are SVG files fetched at run time from Grafana's public folder, which tests do not
// serve: render a plain <svg> naming the icon instead (as Grafana's own tests do).
jest.mock("react-inlinesvg", () => {
  const React = require("react");
  const InlineSVG = ({ src, title, className }) => React.createElement("svg", { "data-icon-src": src, className, "aria-label": title });
  return { __esModule: true, default: InlineSVG };
});

// jsdom has no canvas; @grafana/ui measures text with one (auto-sized comboboxes).
HTMLCanvasElement.prototype.getContext = function getContext() {
  return { measureText: (text) => ({ width: String(text).length * 7 }), font: "" };
};
