/**
 * Reading the Dockerfile and .dockerignore the way Docker does, for the tests that check them without a
 * Docker engine: the Dockerfile's stages (the last is the image), their instructions, and whether a path
 * of the build context is left out by .dockerignore (its patterns in order, `!` taking a path back in,
 * `*` within a path segment, `**` across them, a pattern matching a folder leaving out all it holds).
 */

export interface Instruction {
  keyword: string;
  args: string;
}

export interface Stage {
  /** `FROM <image> [AS <name>]`. */
  image: string;
  name?: string;
  instructions: Instruction[];
}

/** The stages of a Dockerfile, in order (comments dropped, `\` continuations joined). */
export function dockerStages(dockerfile: string): Stage[] {
  const lines = dockerfile
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
  const stages: Stage[] = [];
  for (const line of lines) {
    const [, keyword = "", args = ""] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    if (keyword.toUpperCase() === "FROM") {
      const [image = "", as, name] = args.split(/\s+/);
      stages.push({ image, name: as?.toUpperCase() === "AS" ? name : undefined, instructions: [] });
    } else {
      stages.at(-1)?.instructions.push({ keyword: keyword.toUpperCase(), args });
    }
  }
  return stages;
}

/** A `COPY` instruction's sources, destination and `--from` stage. */
export function copyOf(args: string): { from?: string; sources: string[]; dest: string } {
  const words = args.split(/\s+/);
  const from = words.find((w) => w.startsWith("--from="))?.slice("--from=".length);
  const paths = words.filter((w) => !w.startsWith("--"));
  return { from, sources: paths.slice(0, -1), dest: paths.at(-1) ?? "" };
}

function globToRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*" && glob[i + 1] === "*") {
      re += glob[i + 2] === "/" ? "(?:.*/)?" : ".*";
      i += glob[i + 2] === "/" ? 2 : 1;
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else re += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

/** Whether .dockerignore's `patterns` leave `path` (relative to the context, `/`-separated) out of the build context. */
export function dockerIgnored(path: string, patterns: string[]): boolean {
  const prefixes = path.split("/").map((_, i, parts) => parts.slice(0, i + 1).join("/"));
  let ignored = false;
  for (const raw of patterns) {
    const negated = raw.startsWith("!");
    const pattern = (negated ? raw.slice(1) : raw).trim().replace(/^\/+|\/+$/g, "");
    const re = globToRegExp(pattern);
    if (prefixes.some((p) => re.test(p))) ignored = !negated;
  }
  return ignored;
}

/** The patterns of a .dockerignore file. */
export function dockerignorePatterns(text: string): string[] {
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
}
