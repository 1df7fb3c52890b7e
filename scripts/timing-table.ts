// Prints the cycle models' parameter tables (bindings/timing/table.ts), as docs/timing.md carries them.
import { parameterTable } from '../bindings/timing/table.ts';
process.stdout.write(parameterTable());
