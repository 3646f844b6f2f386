/*
 * The base jest config of the plugin, in the place create-plugin keeps it (.config/): jsdom, swc,
 * the shared setup. The root jest.config.cjs extends it.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));

export default {
  rootDir: path.join(here, ".."),
  moduleNameMapper: {
    "\\.(css|scss|sass)$": path.join(here, "jest", "style-mock.cjs"),
  },
  modulePaths: ["<rootDir>/src"],
  setupFilesAfterEnv: ["<rootDir>/.config/jest-setup.js"],
  testEnvironment: "jest-environment-jsdom",
  transform: {
    "^.+\\.m?[tj]sx?$": [
      "@swc/jest",
      {
        sourceMaps: true,
        jsc: {
          target: "es2022",
          parser: { syntax: "typescript", tsx: true, decorators: false, dynamicImport: true },
          transform: { react: { runtime: "automatic" } },
        },
        module: { type: "commonjs" },
      },
    ],
  },
  // Packages published as ESM only are transformed too.
  transformIgnorePatterns: ["node_modules/(?!(ol|@wojtekmaj/date-utils|mimic-function|memoize|get-user-locale|react-calendar|d3-[a-z-]+|internmap|delaunator|robust-predicates|marked|@grafana/[a-z-]+/node_modules/marked)/)"],
};
