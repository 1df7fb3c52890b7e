// `patchlab hackbench`: the NOP;NOP vs MOV X9,X30;NOP prologue comparison.

import cliProgress from 'cli-progress';
import { Command, InvalidArgumentError, Option } from 'commander';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { defaultCpus, HACKBENCH_DEFAULTS, HackbenchError, type HackbenchOptions } from './options.ts';
import { PROLOGUES, type Prologue } from './prologue.ts';
import { formatMarkdown, formatSvg, formatText } from './report.ts';
import { hackbench, type HackbenchHooks } from './run.ts';
import { timingOption } from '../timing/command.ts';

/** What commander parses: the API's options, with the prologue list as given and the output switches. */
type Flags = Omit<HackbenchOptions, 'prologues' | 'preempt'> & {
  prologue?: string[];
  preempt: boolean;
  json?: boolean;
  markdown?: boolean;
  svg?: string;
};

function integer(v: string): number {
  if (!/^\d+$/.test(v)) throw new InvalidArgumentError('expected a non-negative integer');
  return Number(v);
}

function percent(v: string): number {
  const x = /^\d+(\.\d+)?$/.test(v) ? Number(v) : NaN;
  if (!(x > 0 && x <= 100)) throw new InvalidArgumentError('expected a percentage above 0 and at most 100, such as 1 or 0.5');
  return x;
}

function prologueList(v: string): string[] {
  const names = v.split(',').map((s) => s.trim()).filter(Boolean);
  for (const n of names) {
    if (!(PROLOGUES as readonly string[]).includes(n)) throw new InvalidArgumentError(`expected a comma-separated list of ${PROLOGUES.join(', ')}`);
  }
  return names;
}

function progressHooks(): { hooks: HackbenchHooks; stop: () => void } {
  if (!process.stderr.isTTY) return { hooks: {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: 'hackbench [{bar}] {value}/{total} boots | {last} | {ci} | ETA {eta_formatted}', hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    hooks: {
      onRun: (done, total, run, interval) => {
        if (!started) {
          bar.start(total, 0, { last: 'booting', ci: 'paired CI after 2 pairs' });
          started = true;
        }
        const fields: Record<string, string> = { last: run ? `${run.prologue} ${run.seconds.toFixed(3)} s` : 'booting' };
        if (interval) {
          const [lo, hi] = interval.ci95Percent;
          const s = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(2)}%`;
          fields.ci = `${interval.pairs} pairs: CI ${s(lo)}..${s(hi)} (+-${interval.halfWidthPercent.toFixed(2)}%)`;
        }
        bar.update(done, fields);
      },
    },
    stop: () => started && bar.stop(),
  };
}

async function run(flags: Flags): Promise<number> {
  if (flags.json && flags.markdown) throw new HackbenchError('bad-option', '--json and --markdown are exclusive: choose one output on stdout');
  if (flags.svg !== undefined) {
    const dir = dirname(resolve(flags.svg));
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new HackbenchError('bad-option', `--svg: directory ${dir} does not exist`);
    if (existsSync(flags.svg) && statSync(flags.svg).isDirectory()) throw new HackbenchError('bad-option', `--svg: ${flags.svg} is a directory, not a file`);
  }
  const options: HackbenchOptions = {
    cpus: flags.cpus,
    groups: flags.groups,
    fds: flags.fds,
    loops: flags.loops,
    datasize: flags.datasize,
    runs: flags.runs,
    prologues: flags.prologue as Prologue[] | undefined,
    mode: flags.mode,
    seed: flags.seed,
    image: flags.image,
    icache: flags.icache,
    quantum: flags.quantum,
    jitThreshold: flags.jitThreshold,
    preempt: flags.preempt,
    timing: flags.timing,
    patcher: flags.patcher,
    warmup: flags.warmup,
    countCalls: flags.countCalls,
    targetCi: flags.targetCi,
    maxRuns: flags.maxRuns,
  };
  const progress = progressHooks();
  let result;
  try {
    result = await hackbench(options, { ...progress.hooks, log: (m) => process.stderr.write(`patchlab: ${m}\n`) });
  } finally {
    progress.stop();
  }
  if (flags.svg !== undefined) writeFileSync(flags.svg, formatSvg(result));
  if (flags.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  else if (flags.markdown) process.stdout.write(formatMarkdown(result));
  else process.stdout.write(formatText(result));
  return 0;
}

/** Adds the hackbench command; `done` receives the exit code's promise. */
export function addHackbenchCommand(program: Command, done: (code: Promise<number>) => void): void {
  const d = HACKBENCH_DEFAULTS;
  program
    .command('hackbench')
    .description('boot the guest kernel and run hackbench, NOP;NOP vs MOV X9,X30;NOP function prologues, runs alternating')
    .option('--cpus <n>', `emulated CPUs (default: host cores, ${defaultCpus()} here)`, integer)
    .option('--groups <n>', `groups of receivers and senders (default ${d.groups})`, integer)
    .option('--fds <n>', `receivers (and senders) per group (default ${d.fds})`, integer)
    .option('--loops <n>', `messages per sender per receiver (default ${d.loops})`, integer)
    .option('--datasize <bytes>', `bytes per message, 8..4096 (default ${d.datasize})`, integer)
    .option('--runs <n>', `boots per prologue (default ${d.runs}; with --target-ci the fewest, default ${d.targetCiRuns})`, integer)
    .option('--target-ci <pct>', 'run pairs until the paired 95% interval is at most +-PCT percent wide', percent)
    .option('--max-runs <n>', `with --target-ci: the most boots per prologue (default ${d.maxRuns})`, integer)
    .option('--count-calls', 'also count traced calls per message in one profiled boot: the MOVs per message of mov-nop')
    .option('--warmup <loops>', `an untimed hackbench of this many loops in each boot before the timed one (default ${d.warmup})`, integer)
    .option('--prologue <list>', `prologues, comma-separated (default ${PROLOGUES.join(',')})`, prologueList)
    .addOption(new Option('--mode <mode>', `one thread per CPU, or a seeded replayable order (default ${d.mode})`).choices(['threads', 'deterministic']))
    .option('--seed <s>', `seed of the deterministic order; run pair k uses seed + k (default ${d.seed})`, integer)
    .option('--image <name>', `kernel image: pfe2 (-fpatchable-function-entry=2), pfe42 (=4,2) or an ELF path (default ${d.image})`)
    .addOption(new Option('--icache <model>', 'instruction cache model (default architectural)').choices(['architectural', 'coherent']))
    .option('--quantum <n>', 'instructions per slice', integer)
    .option('--jit-threshold <n>', 'runs of a block head before it is translated to Wasm (0: interpret only)', integer)
    .option('--no-preempt', 'turn off timer preemption in the guest')
    .addOption(timingOption())
    .addOption(new Option('--patcher <who>', 'who writes the MOVs of mov-nop: the host before boot, or the kernel at boot (default host)').choices(['host', 'guest']))
    .option('--json', 'print one JSON object with every run and the comparison')
    .option('--markdown', 'print the comparison table as Markdown')
    .option('--svg <file>', 'also write a plot of seconds per run to FILE')
    .action((flags: Flags) => {
      done(run(flags));
    });
}
