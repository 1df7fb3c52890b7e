// The CPU thread script of the browser bundle, beside the controller's own script.
export const MACHINE_WORKER_URL = new URL('./cpu-worker.js', import.meta.url);
