// Entry script of a CPU thread on Node.js (bundled to dist/machine-worker.js).
import { nodePlatform } from './platform-node.ts';
import { runCpuWorker } from './worker.ts';

runCpuWorker(nodePlatform);
