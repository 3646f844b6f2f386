/**
 * A small AMD loader standing in for Grafana's: plugin bundles are anonymous `define([deps], factory)`
 * modules whose dependencies are the packages Grafana provides (the externals), registered here by name.
 */
type Factory = (...deps: unknown[]) => unknown;
interface Definition {
  deps: string[];
  factory: Factory | unknown;
}

const registry = new Map<string, unknown>();
/** Anonymous definitions by the script that made them, so modules can load side by side. */
const definitions = new WeakMap<Element, Definition>();

export function register(name: string, value: unknown): void {
  registry.set(name, value);
}

export function provided(): string[] {
  return [...registry.keys()].sort();
}

function define(nameOrDeps: string | string[] | Factory, depsOrFactory?: string[] | Factory, maybeFactory?: Factory): void {
  if (typeof nameOrDeps === "string") {
    const deps = Array.isArray(depsOrFactory) ? depsOrFactory : [];
    const factory = Array.isArray(depsOrFactory) ? maybeFactory : depsOrFactory;
    registry.set(nameOrDeps, instantiate({ deps, factory }, nameOrDeps));
    return;
  }
  const script = document.currentScript;
  if (!script) throw new Error("an anonymous define() outside a module script loaded by the host");
  definitions.set(script, Array.isArray(nameOrDeps) ? { deps: nameOrDeps, factory: depsOrFactory } : { deps: [], factory: nameOrDeps });
}
(define as unknown as { amd: object }).amd = {};

function instantiate(def: Definition, uri: string): unknown {
  const exports: Record<string, unknown> = {};
  const missing = def.deps.filter((d) => !["module", "exports", "require"].includes(d) && !registry.has(d));
  if (missing.length) throw new Error(`${uri} needs ${missing.join(", ")}, which the host does not provide`);
  const args = def.deps.map((d) => (d === "module" ? { uri, id: uri } : d === "exports" ? exports : d === "require" ? (n: string) => registry.get(n) : registry.get(d)));
  const result = typeof def.factory === "function" ? (def.factory as Factory)(...args) : def.factory;
  return result ?? exports;
}

/** Installs `define` globally (call it after the host's own bundle has run). */
export function installDefine(): void {
  (window as unknown as { define: typeof define }).define = define;
}

/** Loads one AMD module by URL, as Grafana loads a plugin's module.js. */
export function load(url: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = url;
    script.async = false;
    script.onload = () => {
      const def = definitions.get(script);
      script.remove();
      if (!def) return reject(new Error(`${url} did not define an AMD module`));
      try {
        resolve(instantiate(def, url));
      } catch (e) {
        reject(e);
      }
    };
    script.onerror = () => reject(new Error(`could not load ${url}`));
    document.head.appendChild(script);
  });
}
