// The compiled core in the browser: the page's controller fetches and
// compiles core.wasm once (provideCoreModule) before any machine is made.
// Replaces bindings/wasm.ts in the browser bundle.

let cached: WebAssembly.Module | undefined;

/** core.wasm beside the bundle. */
export const CORE_WASM_URL = new URL('./core.wasm', import.meta.url);

export function provideCoreModule(module: WebAssembly.Module): void {
  cached = module;
}

/** The compiled core module; an error until the page has provided it. */
export function coreModule(): WebAssembly.Module {
  if (!cached) throw new Error('patchlab: the core module was not loaded (provideCoreModule before the first machine)');
  return cached;
}
