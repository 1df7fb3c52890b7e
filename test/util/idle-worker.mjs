// A CPU thread for the wake-up test: steps one CPU of a shared memory and,
// when it goes idle (EXIT_WFI/EXIT_WFE), parks with Atomics.wait while its
// C_WAKE still equals C_WFI_SEEN. A park that times out means a lost wake-up.
// Plain JavaScript: worker threads load it without a TypeScript step.
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';

const { memory, wasm, cpu, L, timeoutMs } = workerData;
// No block translator here: its import does nothing, the CPU is interpreted.
const table = new WebAssembly.Table({ element: 'anyfunc', initial: 1 });
const instance = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(wasm)), { env: { memory, table, jit_compile: () => {} } });
const core = instance.exports;
core.init();
const i32 = new Int32Array(memory.buffer);
const base = L.CPU_BASE + cpu * L.CPU_STRIDE;
let idles = 0;
let lost = 0;
for (;;) {
  const r = core.step(cpu, 100_000);
  if (r === L.EXIT_STOP) break;
  if (r === L.EXIT_WFI || r === L.EXIT_WFE) {
    idles++;
    const seen = Atomics.load(i32, (base + L.C_WFI_SEEN) >> 2);
    if (Atomics.wait(i32, (base + L.C_WAKE) >> 2, seen, timeoutMs) === 'timed-out') {
      lost++;
      break;
    }
  } else if (r !== L.EXIT_BUDGET) {
    parentPort.postMessage({ error: `unexpected exit ${r}` });
    process.exit(0);
  }
}
parentPort.postMessage({ idles, lost });
