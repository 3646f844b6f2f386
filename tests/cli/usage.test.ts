/**
 * The command line: every command answers `--help`, and a mistake — an unknown command or option, an
 * option without its value, a bad value, a broken configuration — is told in one or two lines with
 * its documented exit code (64 usage, 78 configuration), never as a stack trace.
 */
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { assertFailure, cli } from "./cli-process.ts";

describe("nomnom-live --help", () => {
  for (const flag of ["--help", "-h", "help"]) {
    it(`\`nomnom-live ${flag}\` lists the commands and the exit codes`, async () => {
      const r = await cli([flag]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /Usage: nomnom-live <command>/);
      for (const command of ["init", "serve", "demo", "migrate", "generate"]) assert.match(r.stdout, new RegExp(`^  ${command} `, "m"));
      for (const code of [64, 69, 70, 73, 78, 98]) assert.match(r.stdout, new RegExp(`^  ${code} `, "m"));
    });
  }

  for (const command of ["serve", "demo", "migrate", "generate", "init"]) {
    it(`\`nomnom-live ${command} --help\` explains ${command}`, async () => {
      const r = await cli([command, "--help"]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`nomnom-live ${command}`));
      assert.match(r.stdout, /--help|-h/);
      assert.match(r.stdout, /64/, "the exit codes are named");
      assert.equal(r.stderr, "");
    });
  }

  it("`nomnom-live help serve` is serve's help", async () => {
    const r = await cli(["help", "serve"]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^Usage: nomnom-live serve/);
  });
});

describe("command-line mistakes", () => {
  it("an unknown option: 64 and the command's --help", async () => {
    const r = await cli(["serve", "--bogus"]);
    assertFailure(r, 64, /nomnom-live serve: unknown option --bogus\n.*nomnom-live serve --help/);
  });

  it("--config without its value: 64", async () => {
    assertFailure(await cli(["serve", "--config"]), 64, /--config needs a value/);
    assertFailure(await cli(["migrate", "--config", "--help"]), 64, /--config needs a value/);
  });

  it("an unknown command, or none: 64", async () => {
    assertFailure(await cli(["frobnicate"]), 64, /unknown command "frobnicate".*\n.*nomnom-live --help/);
    const none = await cli([]);
    assert.equal(none.code, 64);
    assert.match(none.stderr, /Usage: nomnom-live <command>/);
  });

  it("a bad --rate, an unexpected argument, generate's own options: 64", async () => {
    assertFailure(await cli(["demo", "--rate", "fast"]), 64, /--rate must be a number/);
    assertFailure(await cli(["serve", "extra.yaml"]), 64, /unexpected argument "extra\.yaml"/);
    assertFailure(await cli(["init", "--force=yes"]), 64, /--force takes no value/);
    assertFailure(await cli(["generate", "--bogus"]), 64, /nomnom-live generate: .*--bogus/);
  });
});

describe("configuration mistakes", () => {
  const dir = mkdtempSync(join(tmpdir(), "nn-cli-config-"));

  it("a missing file: 78, naming it", async () => {
    assertFailure(await cli(["serve", "--config", join(dir, "missing.yaml")]), 78, /missing\.yaml: invalid configuration\n.*cannot read the file \(ENOENT\)/);
  });

  it("an unset variable: 78, naming the variable and the setting", async () => {
    const file = join(dir, "unset.yaml");
    writeFileSync(file, "server:\n  port: ${NN_TEST_UNSET_PORT}\n");
    assertFailure(await cli(["serve", "--config", file], { NN_TEST_UNSET_PORT: undefined }), 78, /server\.port: the environment variable NN_TEST_UNSET_PORT is not set/);
  });

  it("a database URL of an unknown kind: 78", async () => {
    assertFailure(await cli(["serve"], { DATABASE_URL: "oracle://scott@db/orcl" }), 78, /database\.url must start with postgres:\/\//);
  });
});
