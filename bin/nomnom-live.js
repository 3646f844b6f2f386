#!/usr/bin/env node
// The CLI on Node.js. The npm package and the Docker image ship the backend compiled to JavaScript
// (lib/, `npm run build:backend`) and run that. A checkout runs the TypeScript sources through tsx (a
// devDependency), so a lib/ left over from an earlier build never runs instead of the code being edited;
// a checkout without tsx falls back to lib/. Deno runs the sources natively (backend/runtime/deno.ts).
import { existsSync } from "node:fs";

const sources = new URL("../backend/runtime/node-main.ts", import.meta.url);
const compiled = new URL("../lib/backend/runtime/node-main.js", import.meta.url);

async function tsxLoader() {
  try {
    const specifier = "tsx/esm/api"; // resolved at run time: present in a checkout, absent where lib/ ships
    return await import(specifier);
  } catch {
    return null;
  }
}

const tsx = existsSync(sources) ? await tsxLoader() : null;
if (tsx) {
  tsx.register();
  await import(sources.href);
} else if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  process.stderr.write("nomnom-live: the backend is not built: run `npm run build:backend` (it writes lib/), or `npm install` for tsx to run the sources.\n");
  process.exitCode = 1;
}
