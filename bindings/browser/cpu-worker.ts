// Entry script of a CPU thread in the browser (bundled to cpu-worker.js): waits
// for its start message, runs the CPU loop of bindings/machine/worker.ts,
// and closes itself once the CPU has finished.
import { runCpuWorker } from '../machine/worker.ts';
import { browserPlatform, setWorkerData, type StartMessage } from './platform.ts';

addEventListener('message', function first(e: MessageEvent) {
  const m = e.data as StartMessage;
  if (m?.t !== 'start') return;
  removeEventListener('message', first as EventListener);
  setWorkerData(m.workerData);
  runCpuWorker(browserPlatform);
  close(); // a Web Worker does not end by itself when its work is done; its last messages are already posted
});
