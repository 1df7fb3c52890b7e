// Writes guest/kernel/ftrace_layout.h from bindings/ftrace/layout.ts.
import { writeFileSync } from 'node:fs';
import { renderHeader } from '../bindings/ftrace/layout.ts';
writeFileSync(new URL('../guest/kernel/ftrace_layout.h', import.meta.url), renderHeader());
