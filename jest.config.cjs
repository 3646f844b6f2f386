/*
 * jest for the plugin's tests (tests/plugin), extending create-plugin's base in .config/. A test
 * environment of jsdom plus Node's fetch, so the datasource talks to a real backend.
 */
const path = require("node:path");

module.exports = async () => {
  const { default: base } = await import("./.config/jest.config.js");
  return {
    ...base,
    rootDir: __dirname,
    testEnvironment: path.join(__dirname, "tests/plugin/support/environment.cjs"),
    testEnvironmentOptions: { url: "http://localhost:3000/" },
    globalSetup: path.join(__dirname, "tests/plugin/support/global-setup.cjs"),
    testMatch: ["<rootDir>/tests/plugin/**/*.test.{ts,tsx}"],
    // lib/ (npm run build:backend) holds a copy of package.json that jest's module map would see twice.
    modulePathIgnorePatterns: ["<rootDir>/lib/", "<rootDir>/build/"],
    testTimeout: 60_000,
    // The datasource tests each start a backend process; two at a time is what two cores can take.
    maxWorkers: 2,
  };
};
