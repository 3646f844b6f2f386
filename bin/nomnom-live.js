#!/usr/bin/env node
// The CLI is TypeScript; tsx runs it on Node without a build step (Deno runs it natively).
import { register } from "tsx/esm/api";

register();
await import("../backend/runtime/node-main.ts");
