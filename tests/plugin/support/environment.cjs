/**
 * jsdom, plus Node's fetch (jsdom has none), so the datasource's REST calls reach the real backend the
 * tests start. jsdom's own WebSocket is kept: it is a real client that sends the page's Origin.
 */
const { TestEnvironment } = require("jest-environment-jsdom");

class JsdomWithFetch extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of ["fetch", "Headers", "Request", "Response", "AbortController", "AbortSignal", "TextEncoder", "TextDecoder", "ReadableStream", "structuredClone"]) {
      if (globalThis[name]) this.global[name] = globalThis[name];
    }
  }
}

module.exports = JsdomWithFetch;
