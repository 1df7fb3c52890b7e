// `patchlab bench trampolines`: the cost per traced call for R relevant and I
// irrelevant ftrace ops under each trampoline design (bench-trampolines.ts),
// printed as the table of the arm64 CALL_OPS commit or as JSON.

import cliProgress from 'cli-progress';
import { Command, InvalidArgumentError, Option } from 'commander';
import {
  BENCH_MODES, BENCH_TRAMPOLINES_DEFAULTS, benchTrampolines, formatBenchTrampolines, TRAMPOLINE_DESIGNS,
  type BenchMode, type TrampolineDesign,
} from './bench-trampolines.ts';
import { timingOption } from '../timing/command.ts';
import type { TimingName } from '../timing/models.ts';

interface Flags {
  json?: boolean;
  mode?: BenchMode;
  designs?: string[];
  relevant?: number[];
  irrelevant?: number[];
  loops?: number;
  warmup?: number;
  runs?: number;
  image?: string;
  timing?: TimingName;
}

function integer(v: string): number {
  if (!/^\d+$/.test(v)) throw new InvalidArgumentError('expected a non-negative integer');
  return Number(v);
}

function integers(v: string): number[] {
  const parts = v.split(',').map((s) => s.trim());
  if (parts.some((p) => !/^\d+$/.test(p))) throw new InvalidArgumentError('expected a comma-separated list of non-negative integers');
  return parts.map(Number);
}

const names = (v: string): string[] => v.split(',').map((s) => s.trim()).filter(Boolean);

function progress(): { onProgress?: (done: number, total: number) => void; stop: () => void } {
  if (!process.stderr.isTTY) return { stop: () => {} };
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: 'bench trampolines [{bar}] {value}/{total} boots | ETA {eta_formatted}', hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    onProgress: (done, total) => {
      if (!started) {
        bar.start(total, 0);
        started = true;
      }
      bar.update(done);
    },
    stop: () => started && bar.stop(),
  };
}

async function runTrampolines(flags: Flags): Promise<number> {
  const p = progress();
  let result;
  try {
    result = await benchTrampolines({
      designs: flags.designs as TrampolineDesign[] | undefined,
      relevant: flags.relevant,
      irrelevant: flags.irrelevant,
      mode: flags.mode,
      loops: flags.loops,
      warmup: flags.warmup,
      runs: flags.runs,
      image: flags.image,
      timing: flags.timing,
      onProgress: p.onProgress,
    });
  } finally {
    p.stop();
  }
  process.stdout.write(flags.json ? `${JSON.stringify(result, null, 2)}\n` : formatBenchTrampolines(result));
  return 0;
}

/** Adds `bench` and its subcommands; `done` receives the exit code's promise. */
export function addBenchCommand(program: Command, done: (code: Promise<number>) => void): void {
  const d = BENCH_TRAMPOLINES_DEFAULTS;
  const bench = program.command('bench').description('microbenchmarks of the guest kernel\'s ftrace');
  bench
    .command('trampolines')
    .description('cost per traced call with R relevant and I irrelevant ftrace ops, per trampoline design (the arm64 CALL_OPS table)')
    .option('--json', 'print one JSON object: {config, rows}')
    .addOption(new Option('--mode <mode>', 'deterministic: instruction counts only; threads: host ns only (default both)').choices([...BENCH_MODES]))
    .option('--designs <list>', `trampoline designs, comma-separated (default ${TRAMPOLINE_DESIGNS.join(',')})`, names)
    .option('--relevant <list>', `numbers of relevant ops (default ${d.relevant.join(',')})`, integers)
    .option('--irrelevant <list>', `numbers of irrelevant ops (default ${d.irrelevant.join(',')})`, integers)
    .option('--loops <n>', `timed calls per boot (default ${d.loops})`, integer)
    .option('--warmup <n>', `untimed calls before them (default ${d.warmup})`, integer)
    .option('--runs <n>', `boots per configuration in threads mode, medians taken (default ${d.runs})`, integer)
    .addOption(timingOption())
    .option('--image <name>', `image of the list and dynamic designs: pfe2, pfe42 or an ELF path (default ${d.image}; call-ops runs pfe42)`)
    .action((flags: Flags) => {
      done(runTrampolines(flags));
    });
}
