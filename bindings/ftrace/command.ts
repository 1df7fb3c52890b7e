// `patchlab trace`: one traced hackbench boot with the function or
// function_graph tracer and the profiler, printed in the kernel's trace
// layouts, as trace-event JSON for Perfetto, or as trace-cmd's trace.dat.

import { Command, InvalidArgumentError, Option } from 'commander';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { timingOption } from '../timing/command.ts';
import type { TimingName } from '../timing/models.ts';
import {
  FORMATS, formatTrace, toTraceDat, trace, TRACE_DEFAULTS, traceableFunctions, traceJson, TraceError, TRACERS,
  type TraceFormat, type TraceOptions, type Tracer,
} from './trace.ts';

interface Flags {
  tracer?: Tracer;
  profile?: boolean;
  filter: string[];
  notrace: string[];
  graphFunction: string[];
  redirect: string[];
  list?: boolean;
  image?: string;
  cpus?: number;
  mode?: TraceOptions['mode'];
  seed?: number;
  groups?: number;
  fds?: number;
  loops?: number;
  datasize?: number;
  bufferKb?: number;
  patcher?: TraceOptions['patcher'];
  trampoline?: TraceOptions['trampoline'];
  farTrampolines?: boolean;
  ram?: number;
  icache?: TraceOptions['icache'];
  quantum?: number;
  jitThreshold?: number;
  timing?: TimingName;
  format: TraceFormat;
  output?: string;
  json?: boolean;
}

function integer(v: string): number {
  if (!/^\d+$/.test(v)) throw new InvalidArgumentError('expected a non-negative integer');
  return Number(v);
}

const collect = (v: string, prev: string[]): string[] => [...prev, ...v.split(',').map((s) => s.trim()).filter(Boolean)];

function parseRedirect(v: string): { from: string; to: string } {
  const m = /^([^:]+):([^:]+)$/.exec(v);
  if (!m) throw new TraceError('bad-option', `--redirect wants FROM:TO (two function names), got '${v}'`);
  return { from: m[1]!, to: m[2]! };
}

async function run(flags: Flags): Promise<number> {
  if (flags.list) {
    const { records } = traceableFunctions(flags.image);
    process.stdout.write(records.map((r) => `${r.fn}\n`).join(''));
    return 0;
  }
  if (flags.format === 'trace-dat' && flags.output === undefined) {
    throw new TraceError('bad-option', '--format trace-dat is binary: it needs --output FILE');
  }
  if (flags.output !== undefined) {
    const out = resolve(flags.output);
    const dir = dirname(out);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new TraceError('bad-option', `--output: directory ${dir} does not exist`);
    if (existsSync(out) && statSync(out).isDirectory()) throw new TraceError('bad-option', `--output: ${out} is a directory`);
  }
  const result = await trace({
    tracer: flags.tracer,
    profile: flags.profile,
    filter: flags.filter,
    notrace: flags.notrace,
    graphFunction: flags.graphFunction,
    redirect: flags.redirect.map(parseRedirect),
    image: flags.image,
    cpus: flags.cpus,
    mode: flags.mode,
    seed: flags.seed,
    groups: flags.groups,
    fds: flags.fds,
    loops: flags.loops,
    datasize: flags.datasize,
    bufferKb: flags.bufferKb,
    patcher: flags.patcher,
    trampoline: flags.trampoline,
    farTrampolines: flags.farTrampolines,
    ramSize: flags.ram,
    icache: flags.icache,
    quantum: flags.quantum,
    jitThreshold: flags.jitThreshold,
    timing: flags.timing,
  });
  for (const c of result.perCpu) {
    if (c.lost > 0) process.stderr.write(`patchlab trace: CPU ${c.cpu} lost ${c.lost} events (buffer of ${result.bufferEvents} events full; --buffer-kb)\n`);
  }
  const text = flags.format === 'trace-dat' ? toTraceDat(result) : formatTrace(result, flags.format);
  if (flags.output !== undefined) {
    try {
      writeFileSync(flags.output, text);
    } catch (err) {
      throw new TraceError('output', `cannot write ${flags.output}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  if (flags.json) return writeStdout(`${JSON.stringify(traceJson(result), null, 2)}\n`);
  if (flags.output === undefined) return writeStdout(text);
  return 0;
}

/** Writes to stdout; 0 once written, 141 (as SIGPIPE would end it) when the reader has gone. */
function writeStdout(text: string | Uint8Array): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') resolve(141);
      else reject(new TraceError('output', `cannot write the trace to stdout: ${err.code ?? err.message}`));
    };
    process.stdout.once('error', onError);
    process.stdout.write(text, (err) => {
      if (err) return; // the 'error' event reports it
      process.stdout.off('error', onError);
      resolve(0);
    });
  });
}

/** Adds the trace command; `done` receives the exit code's promise. */
export function addTraceCommand(program: Command, done: (code: Promise<number>) => void): void {
  const d = TRACE_DEFAULTS;
  program
    .command('trace')
    .description('boot the guest kernel, trace one hackbench run with ftrace (tracing on after boot, off at the end)')
    .addOption(new Option('--tracer <name>', 'current_tracer (default function)').choices([...TRACERS]))
    .option('--profile', 'also run the function profiler (hits, time, average, s^2 per function)')
    .option('--filter <glob>', 'set_ftrace_filter pattern; repeat or comma-separate (default: every function)', collect, [])
    .option('--notrace <glob>', 'set_ftrace_notrace pattern; repeat or comma-separate', collect, [])
    .option('--graph-function <f>', 'set_graph_function: only F and what it calls (function_graph)', collect, [])
    .option('--redirect <from:to>', 'while tracing, calls of FROM run TO instead (livepatch\'s mechanism); repeatable', (v: string, p: string[]) => [...p, v], [])
    .option('--list', 'print the traceable functions, one per line (available_filter_functions), and exit')
    .option('--image <name>', 'kernel image: pfe2, pfe42 or an ELF path (default pfe2)')
    .option('--cpus <n>', `emulated CPUs (default ${d.cpus})`, integer)
    .addOption(new Option('--mode <mode>', 'one thread per CPU, or a seeded replayable order (default threads)').choices(['threads', 'deterministic']))
    .option('--seed <s>', 'seed of the deterministic order (default 1)', integer)
    .option('--groups <n>', `hackbench groups (default ${d.groups})`, integer)
    .option('--fds <n>', `receivers (and senders) per group (default ${d.fds})`, integer)
    .option('--loops <n>', `messages per sender per receiver (default ${d.loops})`, integer)
    .option('--datasize <bytes>', `bytes per message (default ${d.datasize})`, integer)
    .option('--buffer-kb <n>', `ring buffer per CPU in KiB, 4..65536 (default ${d.bufferKb})`, integer)
    .addOption(new Option('--patcher <who>', 'who writes the call sites while the CPUs run: the host\'s patch API or the kernel\'s patcher task (default host)').choices(['host', 'guest']))
    .addOption(new Option('--trampoline <design>', 'how sites reach the callbacks: ftrace_caller and the list walk, a trampoline per ops, or the =4,2 per-site ops literal (default list)').choices(['list', 'dynamic', 'call-ops']))
    .option('--far-trampolines', 'place dynamic trampolines beyond BL\'s +-128 MiB: sites reach them through veneers')
    .option('--ram <bytes>', 'guest RAM in bytes (default 256 MiB)', integer)
    .addOption(new Option('--icache <model>', 'instruction cache model (default architectural)').choices(['architectural', 'coherent']))
    .option('--quantum <n>', 'instructions per slice', integer)
    .option('--jit-threshold <n>', 'runs of a block head before it is translated to Wasm (0: interpret only)', integer)
    .addOption(timingOption())
    .addOption(new Option('--format <format>', 'trace output: the kernel\'s text layouts, Chrome trace-event JSON for ui.perfetto.dev, or trace-cmd\'s trace.dat (needs --output)').choices([...FORMATS]).default('text'))
    .option('--output <file>', 'write the trace to FILE instead of stdout')
    .option('--json', 'print one JSON object with the configuration, counts and profile')
    .action((flags: Flags) => {
      done(run(flags));
    });
}
