// `patchlab serve`: the browser page over HTTP with cross-origin isolation.
// The first line on stdout is the page's URL; it serves until interrupted.

import { Command, InvalidArgumentError } from 'commander';
import { serve } from './server.ts';

function port(v: string): number {
  const n = /^\d+$/.test(v) ? Number(v) : NaN;
  if (!(n >= 0 && n <= 65535)) throw new InvalidArgumentError('expected a port number 0..65535 (0: any free port)');
  return n;
}

async function run(flags: { port: number; host: string }): Promise<number> {
  const s = await serve({ port: flags.port, host: flags.host });
  process.stdout.write(`${s.url}\n`);
  process.stderr.write('patchlab serve: the page with COOP same-origin and COEP require-corp; Ctrl-C stops\n');
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await s.close();
  return 0;
}

/** Adds `serve`; `done` receives the exit code's promise. */
export function addServeCommand(program: Command, done: (code: Promise<number>) => void): void {
  program
    .command('serve')
    .description('serve the browser page (hackbench, tracer, race lab, patch site) with the headers shared memory needs')
    .option('--port <n>', 'port to listen on (0: any free port)', port, 8080)
    .option('--host <h>', 'address to listen on', '127.0.0.1')
    .action((flags: { port: number; host: string }) => {
      done(run(flags));
    });
}
