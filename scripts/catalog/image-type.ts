/**
 * A screenshot's type as the plugin-validator's screenshots pass tells it: from the file's first bytes
 * (Go's http.DetectContentType, with text holding `<svg` taken as SVG), which must be one Grafana's
 * catalog shows and must be the type its extension names.
 */
import { closeSync, openSync, readSync } from "node:fs";
import { extname } from "node:path";

const BY_EXTENSION: Record<string, string> = { ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif", ".svg": "image/svg+xml" };

function sniff(head: Buffer): string {
  if (head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return "image/png";
  if (head.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff]))) return "image/jpeg";
  if (/^GIF8[79]a/.test(head.subarray(0, 6).toString("latin1"))) return "image/gif";
  const binary = head.some((b) => b < 0x09 || (b > 0x0d && b < 0x20 && b !== 0x1b));
  if (!binary && head.toString("utf8").includes("<svg")) return "image/svg+xml";
  return binary ? "application/octet-stream" : "text/plain";
}

/** Why the image at `file` is not a screenshot the catalog takes, or null. */
export function screenshotProblem(file: string): string | null {
  let head: Buffer;
  try {
    const fd = openSync(file, "r");
    try {
      head = Buffer.alloc(512);
      head = head.subarray(0, readSync(fd, head, 0, 512, 0));
    } finally {
      closeSync(fd);
    }
  } catch {
    return `invalid screenshot path: "${file}"`;
  }
  const type = sniff(head);
  if (!Object.values(BY_EXTENSION).includes(type)) return `invalid screenshot image: "${file}". Accepted image types: image/jpeg, image/png, image/gif, image/svg+xml`;
  if (BY_EXTENSION[extname(file).toLowerCase()] !== type) return `screenshot image has extension mismatch: "${file}" has extension "${extname(file)}" but content is ${type}`;
  return null;
}
