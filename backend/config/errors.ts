/** A configuration problem, always naming the file, the path inside it and what is wrong. */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly issues: { path: string; message: string }[],
  ) {
    super(`${file}: invalid configuration\n${issues.map((i) => `  - ${i.path || "(top level)"}: ${i.message}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Turns zod issue paths into the dotted/indexed form users see in their YAML: `entities[0].table`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, part) => (typeof part === "number" ? `${out}[${part}]` : out ? `${out}.${String(part)}` : String(part)), "");
}
