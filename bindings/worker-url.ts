// Where the CPU thread script is. This file sits one folder below the package
// root, as do the bundles in dist/, so the same relative URL works from the
// sources and from dist/index.js.
export const MACHINE_WORKER_URL = new URL('../dist/machine-worker.js', import.meta.url);
