// Loads the compiled core (build/core.wasm). This file sits one folder below
// the package root, as do the bundles in dist/, so the relative URL works from
// both the sources and the bundles.

import { readFileSync } from 'node:fs';

let cached: WebAssembly.Module | undefined;

export const CORE_WASM_URL = new URL('../build/core.wasm', import.meta.url);

/** The compiled core module (compiled once per process, shared by every machine). */
export function coreModule(): WebAssembly.Module {
  if (!cached) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(CORE_WASM_URL);
    } catch (err) {
      throw new Error(`patchlab: cannot read ${CORE_WASM_URL.pathname} (run \`npm run build\`): ${(err as Error).message}`);
    }
    cached = new WebAssembly.Module(new Uint8Array(bytes));
  }
  return cached;
}
