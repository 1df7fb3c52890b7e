// The host's usable core count (Node). The browser bundle replaces this
// module with bindings/browser/host-cores.ts.
import { availableParallelism } from 'node:os';

export const hostCores = (): number => availableParallelism();
