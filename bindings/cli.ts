// patchlab command line.
//
//   patchlab run [--profile user] [--max-insns N] [--stats] [--ram SIZE] FILE [ARGS...]
//   patchlab run --profile kernel [--cpus N] [--mode threads|deterministic] [--seed S]
//                [--icache architectural|coherent] [--quantum N] [--stats] [--ram SIZE] FILE
//   patchlab hackbench [--cpus N] [--groups G] [--fds F] [--loops L] [--datasize S] [--runs R]
//                [--prologue nop-nop,mov-nop] [--mode threads|deterministic] [--seed S]
//                [--image pfe2|pfe42] [--json | --markdown] [--svg FILE]
//   patchlab trace [--tracer nop|function|function_graph] [--profile] [--filter GLOB]... [--notrace GLOB]...
//                [--graph-function F] [--list] [--image pfe2|pfe42|FILE] [--cpus N] [--mode M] [--seed S]
//                [--groups G] [--fds F] [--loops L] [--datasize S] [--buffer-kb N]
//                [--format text|perfetto] [--output FILE] [--json]
//   patchlab bench trampolines [--json] [--mode threads|deterministic] [--designs list,dynamic,call-ops]
//                [--loops N] [--runs N]
//   patchlab race [--strategy NAME | --all] [--mode threads|deterministic] [--cpus N] [--toggles N] [--search]
//                [--budget N] [--seed S] [--policy random|pct] [--patcher host|guest] [--replay TOKEN] [--json]
//   patchlab litmus FILE... [--json] [--bound N] [--fetch-ahead N] [--kinds FILE] [--no-sidecar] [--no-outcomes]

import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { readFileSync, readSync, writeSync } from 'node:fs';
import { ElfError } from './elf/index.ts';
import { GuestAccessError } from './guest-memory.ts';
import { LoadError } from './user/image.ts';
import { runUserProgram, DEFAULT_USER_RAM } from './user/run.ts';
import { hostSleep } from './user/syscalls.ts';
import { ConfigError } from './core.ts';
import { Machine } from './machine/machine.ts';
import { MachineError } from './machine/errors.ts';
import { addHackbenchCommand } from './hackbench/command.ts';
import { HackbenchError } from './hackbench/options.ts';
import { PrologueError } from './hackbench/prologue.ts';
import { addTraceCommand } from './ftrace/command.ts';
import { TraceError } from './ftrace/trace.ts';
import { addBenchCommand } from './ftrace/bench-command.ts';
import { BenchError } from './ftrace/bench-trampolines.ts';
import { addRaceCommand } from './race/command.ts';
import { RaceError } from './race/run.ts';
import { addLitmusCommand } from './litmus/command.ts';

function parseCount(v: string): bigint {
  if (!/^\d+$/.test(v.replace(/_/g, ''))) throw new InvalidArgumentError('expected a non-negative integer');
  return BigInt(v.replace(/_/g, ''));
}

/** Sizes like 256M, 1G, 65536. */
export function parseSize(v: string): number {
  const m = /^(\d+)([kKmMgG]?)(i?[bB])?$/.exec(v);
  if (!m) throw new InvalidArgumentError('expected a size such as 256M or 1G');
  const mul = { '': 1, k: 1024, m: 1 << 20, g: 1 << 30 }[m[2].toLowerCase() as '' | 'k' | 'm' | 'g'];
  return Number(m[1]) * mul;
}

// Linux errno values a failed host read or write passes to the guest; anything else is -EIO.
const HOST_ERRNO: Record<string, number> = {
  EIO: 5, ENXIO: 6, EBADF: 9, EISDIR: 21, EINVAL: 22, EFBIG: 27, ENOSPC: 28, EPIPE: 32, ECONNRESET: 104,
  EDQUOT: 122,
};
const hostErrno = (err: unknown): number => -(HOST_ERRNO[(err as NodeJS.ErrnoException).code ?? ''] ?? HOST_ERRNO.EIO);

/** Writes all of `data`; on a host error, what was written before it, or the negative Linux errno. */
function writeAll(fd: number, data: Uint8Array): number {
  let off = 0;
  while (off < data.length) {
    try {
      off += writeSync(fd, data, off, data.length - off);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EAGAIN') continue;
      return off > 0 ? off : hostErrno(err);
    }
  }
  return data.length;
}

/**
 * Up to `max` bytes of the host's stdin for the guest's read(0, ...); empty at
 * end of input, a negative Linux errno when the host read fails (-EISDIR...).
 * A non-blocking stdin is waited on.
 */
function readStdin(max: number): Uint8Array | number {
  const buf = new Uint8Array(max);
  for (;;) {
    try {
      return buf.subarray(0, readSync(0, buf, 0, max, null));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        hostSleep(1_000_000n);
        continue;
      }
      if (code === 'EOF') return buf.subarray(0, 0);
      return hostErrno(err);
    }
  }
}

function parseIntIn(lo: number, hi: number): (v: string) => number {
  return (v) => {
    if (!/^\d+$/.test(v)) throw new InvalidArgumentError(`expected an integer ${lo}..${hi}`);
    const n = Number(v);
    if (n < lo || n > hi) throw new InvalidArgumentError(`expected an integer ${lo}..${hi}`);
    return n;
  };
}

interface RunFlags {
  profile: 'user' | 'kernel';
  maxInsns?: bigint;
  stats?: boolean;
  ram: number;
  jitThreshold?: number;
  cpus?: number;
  mode?: 'threads' | 'deterministic';
  seed?: number;
  icache?: 'architectural' | 'coherent';
  quantum?: number;
}

/** The kernel profile: boots FILE on every CPU of a Machine. */
async function runKernel(file: string, args: string[], flags: RunFlags): Promise<number> {
  if (args.length) throw new ConfigError('the kernel profile takes no guest arguments');
  if (flags.maxInsns !== undefined) throw new ConfigError('--max-insns is for the user profile');
  const bytes = readFileSync(file);
  const machine = await Machine.create({
    profile: 'kernel',
    cpus: flags.cpus ?? 1,
    ramSize: flags.ram,
    mode: flags.mode ?? 'threads',
    seed: flags.seed,
    icache: flags.icache,
    quantum: flags.quantum,
    jitThreshold: flags.jitThreshold,
    onOutput: (fd, data) => void writeAll(fd, data),
    log: (m) => process.stderr.write(m + '\n'),
  });
  machine.load(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  machine.start();
  const r = await machine.exited;
  if (flags.stats) {
    process.stderr.write(
      `patchlab: ${r.insns} instructions retired on ${machine.ncpus} CPUs in ${r.seconds.toFixed(3)} s, ` +
        `${r.mips.toFixed(1)} guest MIPS (${machine.mode})\n`,
    );
    for (const c of r.perCpu) {
      process.stderr.write(
        `patchlab: CPU ${c.cpu}: ${c.insns} instructions, ${c.exceptions} exceptions, ${c.irqs} IRQs, ` +
          `${c.stale} stale, idle ${(Number(c.idleNs) / 1e6).toFixed(3)} ms\n`,
      );
    }
    for (const [k, v] of r.reports) process.stderr.write(`patchlab: report ${k} = ${v}\n`);
  }
  return r.exitCode ?? 124;
}

function runCommand(file: string, args: string[], flags: RunFlags): number | Promise<number> {
  if (flags.profile === 'kernel') return runKernel(file, args, flags);
  for (const [name, v] of [['--cpus', flags.cpus], ['--mode', flags.mode], ['--seed', flags.seed], ['--icache', flags.icache], ['--quantum', flags.quantum]] as const) {
    if (v !== undefined) throw new ConfigError(`${name} is for the kernel profile`);
  }
  const bytes = readFileSync(file);
  const result = runUserProgram(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), {
    args: [file, ...args],
    // The guest inherits patchlab's environment, as a program started by the shell (or by qemu-aarch64) does.
    env: Object.entries(process.env).map(([k, v]) => `${k}=${v ?? ''}`),
    ramSize: flags.ram,
    maxInsns: flags.maxInsns,
    jitThreshold: flags.jitThreshold,
    io: {
      write: (fd, data) => writeAll(fd, data),
      read: readStdin,
      warn: (m) => process.stderr.write(m + '\n'),
    },
  });
  if (result.fault) process.stderr.write(result.fault.report + '\n');
  if (result.stoppedAtMaxInsns) process.stderr.write(`patchlab: stopped after ${result.insns} instructions (--max-insns)\n`);
  if (flags.stats) {
    process.stderr.write(
      `patchlab: ${result.insns} instructions retired in ${result.seconds.toFixed(3)} s, ` +
        `${result.mips.toFixed(1)} guest MIPS, ${result.cacheMisses} decode-cache misses\n`,
    );
    const j = result.jit;
    process.stderr.write(
      `patchlab: translated ${j.regions} regions (${j.blocks} blocks, ${j.insns} instructions) ` +
        `in ${j.compileMs.toFixed(1)} ms; ${j.reused} reused, ${j.refused} heads left to the interpreter\n`,
    );
  }
  return result.exitCode ?? 124;
}

function reportError(err: unknown): number {
  if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2; // commander already printed the message
  if (err instanceof HackbenchError && err.code === 'bad-option') {
    process.stderr.write(`patchlab hackbench: ${err.message}\n`);
    return 2;
  }
  if (err instanceof TraceError) {
    process.stderr.write(`patchlab trace: ${err.message}\n`);
    return err.code === 'bad-option' ? 2 : 1;
  }
  if (err instanceof RaceError) {
    process.stderr.write(`patchlab race: ${err.message}\n`);
    return err.code === 'setup' ? 1 : 2;
  }
  if (err instanceof BenchError) {
    process.stderr.write(`patchlab bench: ${err.message}\n`);
    return err.code === 'bad-option' ? 2 : 1;
  }
  if (err instanceof HackbenchError || err instanceof PrologueError) {
    process.stderr.write(`patchlab hackbench: ${err.message}\n`);
    return 1;
  }
  if (err instanceof Error && 'exitCode' in err && typeof (err as { exitCode: unknown }).exitCode === 'number') {
    return (err as { exitCode: number }).exitCode; // commander already printed the message
  }
  if (err instanceof ElfError || err instanceof LoadError || err instanceof ConfigError || err instanceof GuestAccessError) {
    process.stderr.write(`patchlab: ${err.message}\n`);
    return 2;
  }
  if (err instanceof MachineError) {
    process.stderr.write(`patchlab: ${err.message}\n`);
    return 125;
  }
  if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
    process.stderr.write(`patchlab: ${(err as Error).message}\n`);
    return 2;
  }
  throw err;
}

export async function main(argv: string[]): Promise<number> {
  let code: number | Promise<number> = 0;
  const program = new Command('patchlab')
    .description('A multi-core AArch64 machine in WebAssembly for studying live code patching')
    .enablePositionalOptions()
    .exitOverride();
  program
    .command('run')
    .description('run a static AArch64 ELF; its stdout/stderr are ours, our exit code is its')
    .addOption(new Option('--profile <profile>', 'machine profile').choices(['user', 'kernel']).default('user'))
    .option('--max-insns <n>', 'stop after N instructions (user profile)', parseCount)
    .option('--stats', 'print instructions retired and guest MIPS to stderr')
    .option('--ram <size>', 'guest RAM size (default 256M)', parseSize, DEFAULT_USER_RAM)
    .option('--jit-threshold <n>', 'runs of a block head before it is translated to Wasm (0: interpret only)', (v) => Number(parseCount(v)))
    .option('--cpus <n>', 'kernel profile: number of CPUs (1..64, default 1)', parseIntIn(1, 64))
    .addOption(new Option('--mode <mode>', 'kernel profile: one thread per CPU, or seeded replayable order').choices(['threads', 'deterministic']))
    .option('--seed <s>', 'kernel profile: seed of the deterministic order', parseIntIn(0, 0xffffffff))
    .addOption(new Option('--icache <model>', 'kernel profile: instruction cache model').choices(['architectural', 'coherent']))
    .option('--quantum <n>', 'kernel profile: instructions per slice', parseIntIn(1, 0x3fffffff))
    .argument('<file>', 'AArch64 ELF executable')
    .argument('[args...]', 'arguments for the guest')
    .passThroughOptions()
    .action((file: string, args: string[], flags: RunFlags) => {
      code = runCommand(file, args, flags);
    });
  addHackbenchCommand(program, (c) => {
    code = c;
  });
  addTraceCommand(program, (c) => {
    code = c;
  });
  addBenchCommand(program, (c) => {
    code = c;
  });
  addRaceCommand(program, (c) => {
    code = c;
  });
  addLitmusCommand(program, (c) => {
    code = c;
  });
  try {
    program.parse(argv, { from: 'user' });
    return await code;
  } catch (err) {
    return reportError(err);
  }
}

process.exitCode = await main(process.argv.slice(2));
