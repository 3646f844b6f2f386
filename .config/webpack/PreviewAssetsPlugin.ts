/**
 * What the preview build adds to webpack's output so the page loads fast: its JavaScript minified with
 * swc (terser takes minutes on ~10 MB of @grafana/ui on a small machine, swc seconds), a `.br` and a `.gz`
 * copy of every large text asset for the backend to send as they are (precompressed once here rather
 * than on every request), and `manifest.json` naming each entry's hashed files, which is how the page's
 * HTML finds them.
 */
import { promisify } from "node:util";
import { brotliCompress, constants, gzip } from "node:zlib";
import { minify } from "@swc/core";
import { Compilation, sources, type Compiler } from "webpack";

const brotli = promisify(brotliCompress);
const gz = promisify(gzip);
const NAME = "PreviewAssetsPlugin";
const TEXT = /\.(js|css|json|svg)$/;
const COMPRESS_FROM = 1024;

export interface PreviewAssetsOptions {
  /** swc-minify the JavaScript (the production preview); the compatibility builds skip it. */
  minify: boolean;
  /** Write `.br` / `.gz` beside each large text asset. */
  compress: boolean;
  /** The manifest's file name (the backend reads it: see backend/http/preview.ts). */
  manifest: string;
}

/** `{ entries: { <entry>: [<file>, …] } }`: each entry's initial files in load order. */
export interface PreviewManifest {
  entries: Record<string, string[]>;
}

export class PreviewAssetsPlugin {
  constructor(private readonly options: PreviewAssetsOptions) {}

  apply(compiler: Compiler): void {
    compiler.hooks.thisCompilation.tap(NAME, (compilation) => {
      if (this.options.minify) {
        compilation.hooks.processAssets.tapPromise({ name: NAME, stage: Compilation.PROCESS_ASSETS_STAGE_OPTIMIZE_SIZE }, async (assets) => {
          for (const name of Object.keys(assets).filter((n) => n.endsWith(".js"))) {
            const { code } = await minify(assets[name]!.source().toString(), { compress: { passes: 1 }, mangle: true, ecma: 2020, module: false });
            compilation.updateAsset(name, new sources.RawSource(code), { minimized: true });
          }
        });
      }
      // After the content hashes are final (OPTIMIZE_HASH), so the names the manifest gives are the names on disk.
      compilation.hooks.processAssets.tap({ name: NAME, stage: Compilation.PROCESS_ASSETS_STAGE_OPTIMIZE_TRANSFER - 1 }, () => {
        const manifest: PreviewManifest = { entries: {} };
        for (const [entry, point] of compilation.entrypoints) manifest.entries[entry] = point.getFiles().filter((f) => !f.endsWith(".map"));
        compilation.emitAsset(this.options.manifest, new sources.RawSource(JSON.stringify(manifest, null, 2) + "\n"));
      });
      if (this.options.compress) {
        compilation.hooks.processAssets.tapPromise({ name: NAME, stage: Compilation.PROCESS_ASSETS_STAGE_OPTIMIZE_TRANSFER }, async (assets) => {
          const names = Object.keys(assets).filter((n) => TEXT.test(n) && assets[n]!.size() >= COMPRESS_FROM);
          await Promise.all(
            names.map(async (name) => {
              const buffer = assets[name]!.buffer();
              const [br, gzipped] = await Promise.all([brotli(buffer, { params: { [constants.BROTLI_PARAM_QUALITY]: 10, [constants.BROTLI_PARAM_SIZE_HINT]: buffer.length } }), gz(buffer, { level: 9 })]);
              compilation.emitAsset(`${name}.br`, new sources.RawSource(br));
              compilation.emitAsset(`${name}.gz`, new sources.RawSource(gzipped));
            }),
          );
        });
      }
    });
  }
}
