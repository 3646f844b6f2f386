/**
 * The plugin-validator's unsafe-SVG check (its pkg/svgvalidate, after hamochi/safesvg): an SVG is unsafe
 * when it holds an element that can run script or embed other documents (<script>, <iframe>, <noscript>,
 * MathML, …), an event-handler attribute (`onload`, `onclick`: any attribute starting with "on", none of
 * which is on its list of SVG attributes), or is not well-formed XML (Go's decoder fails on it).
 */

/** Elements the validator forbids, by local name (a prefix such as `svg:` does not hide one). */
const FORBIDDEN_ELEMENTS = new Set([
  "annotation-xml", "audio", "colgroup", "iframe", "math", "mi", "mn", "mo", "ms", "mtext", "noembed", "noframes", "noscript",
  "plaintext", "script", "template", "thead", "xmp",
]);

/** `<`, `</`, name, attributes (quoted values), optional `/`, `>`. */
const TAG = /^<(\/?)([^\s/>]+)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/;
const ATTRIBUTE = /([^\s=]+)\s*=/g;

/** Constructs that are skipped whole: comment, CDATA, processing instruction, doctype. */
const SKIPPED: Array<[open: string, close: string]> = [
  ["<!--", "-->"],
  ["<![CDATA[", "]]>"],
  ["<?", "?>"],
  ["<!", ">"],
];

/** Why the SVG is unsafe, or null when the validator accepts it. */
export function svgProblem(svg: string): string | null {
  const open: string[] = [];
  let at = 0;
  for (;;) {
    const lt = svg.indexOf("<", at);
    if (lt < 0) break;
    const skipped = SKIPPED.find(([start]) => svg.startsWith(start, lt));
    if (skipped) {
      const end = svg.indexOf(skipped[1], lt + skipped[0].length);
      if (end < 0) return "XML syntax error: unexpected EOF";
      at = end + skipped[1].length;
      continue;
    }
    const tag = TAG.exec(svg.slice(lt));
    if (!tag) return `XML syntax error at offset ${lt}`;
    const [whole, closing, name, attributes, selfClosing] = tag as unknown as [string, string, string, string, string];
    const local = name.slice(name.indexOf(":") + 1);
    if (FORBIDDEN_ELEMENTS.has(local)) return `Invalid element ${local}`;
    if (closing) {
      const expected = open.pop();
      if (expected !== name) return `XML syntax error: element <${expected ?? ""}> closed by </${name}>`;
    } else {
      for (const [, attribute] of attributes.matchAll(ATTRIBUTE)) {
        if (attribute!.toLowerCase().startsWith("on")) return `Invalid attribute ${attribute}`;
      }
      if (!selfClosing) open.push(name);
    }
    at = lt + whole.length;
  }
  return open.length > 0 ? "XML syntax error: unexpected EOF" : null;
}
