/**
 * How the CLI words a failure that reaches it: a database connection lost while the backend starts
 * (after the database was opened, e.g. during discovery or the demo's schema) is the database's exit
 * code with what to do, not an "unexpected error" with a stack trace.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { describeFailure } from "../../backend/cli/failure.ts";
import { EXIT } from "../../backend/cli/exit-codes.ts";

function driverError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

describe("CLI failures", () => {
  for (const [driver, code] of [
    ["postgres.js", "CONNECTION_CLOSED"],
    ["postgres.js", "CONNECTION_DESTROYED"],
    ["a socket", "ECONNRESET"],
    ["mysql2", "PROTOCOL_CONNECTION_LOST"],
  ] as const) {
    it(`a connection lost while starting (${driver} ${code}) exits with the database code and says what to do`, () => {
      const failure = describeFailure(driverError(`write ${code} 127.0.0.1:5432`, code), true);
      assert.equal(failure.code, EXIT.database);
      assert.match(failure.text, /^lost the connection to the database while starting/);
      assert.match(failure.text, /Start nomnom-live again once the database answers/);
      assert.doesNotMatch(failure.text, /^\s+at /m, "no stack trace");
      assert.equal(failure.text.trimEnd().split("\n").length, 2);
    });
  }

  it("an error nobody expected is still reported as a bug", () => {
    const failure = describeFailure(new TypeError("x is undefined"), false);
    assert.equal(failure.code, EXIT.software);
    assert.match(failure.text, /unexpected error: x is undefined/);
  });
});
