// patchlab command line.
//
//   patchlab run [--profile user] [--max-insns N] [--timing none|a53|a57] [--stats] [--ram SIZE] FILE [ARGS...]
//   patchlab run --profile kernel [--cpus N] [--mode threads|deterministic] [--seed S]
//                [--icache architectural|coherent] [--quantum N] [--timing none|a53|a57] [--stats] [--ram SIZE] FILE
//   patchlab hackbench [--cpus N] [--groups G] [--fds F] [--loops L] [--datasize S] [--runs R]
//                [--prologue nop-nop,mov-nop] [--mode threads|deterministic] [--seed S]
//                [--image pfe2|pfe42] [--json | --markdown] [--svg FILE]
//   patchlab trace [--tracer nop|function|function_graph] [--profile] [--filter GLOB]... [--notrace GLOB]...
//                [--graph-function F] [--list] [--image pfe2|pfe42|FILE] [--cpus N] [--mode M] [--seed S]
//                [--groups G] [--fds F] [--loops L] [--datasize S] [--buffer-kb N]
//                [--format text|perfetto|trace-dat] [--output FILE] [--json]
//   patchlab bench trampolines [--json] [--mode threads|deterministic] [--designs list,dynamic,call-ops]
//                [--loops N] [--runs N]
//   patchlab race [--strategy NAME | --all] [--mode threads|deterministic] [--cpus N] [--toggles N] [--search]
//                [--budget N] [--seed S] [--policy random|pct] [--patcher host|guest] [--replay TOKEN] [--json]
//   patchlab litmus FILE... [--json] [--bound N] [--fetch-ahead N] [--kinds FILE] [--no-sidecar] [--no-outcomes]

import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { readFileSync, readlinkSync, readSync, writeSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { ElfError } from './elf/index.ts';
import { GuestAccessError } from './guest-memory.ts';
import { ImageFileError, readImageFile } from './image-file.ts';
import { LoadError } from './user/image.ts';
import { runUserProgram, DEFAULT_USER_RAM } from './user/run.ts';
import { hostSleep } from './user/syscalls.ts';
import { hostFiles } from './user/host-files.ts';
import { ConfigError, MAX_RAM } from './core.ts';
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
import { addServeCommand } from './serve/command.ts';
import { timingOption, timingStats } from './timing/command.ts';
import type { TimingName } from './timing/models.ts';
import { ServeError } from './serve/server.ts';

function parseCount(v: string): bigint {
  if (!/^\d+$/.test(v.replace(/_/g, ''))) throw new InvalidArgumentError('expected a non-negative integer');
  return BigInt(v.replace(/_/g, ''));
}

/** Sizes like 256M, 1G, 65536: a guest RAM size, a multiple of 64 KiB from 64 KiB to 2 GiB. */
export function parseSize(v: string): number {
  const m = /^(\d+)([kKmMgG]?)(i?[bB])?$/.exec(v);
  if (!m) throw new InvalidArgumentError('expected a size such as 256M or 1G');
  const mul = { '': 1, k: 1024, m: 1 << 20, g: 1 << 30 }[m[2].toLowerCase() as '' | 'k' | 'm' | 'g'];
  const n = Number(m[1]) * mul;
  if (!Number.isSafeInteger(n) || n < 65536 || n > MAX_RAM || n % 65536 !== 0) {
    throw new InvalidArgumentError('expected a multiple of 64 KiB from 64 KiB to 2 GiB (64K .. 2G)');
  }
  return n;
}

// Linux errno values a failed host read or write passes to the guest; anything else is -EIO.
const HOST_ERRNO: Record<string, number> = {
  EIO: 5, ENXIO: 6, EBADF: 9, EISDIR: 21, EINVAL: 22, EFBIG: 27, ENOSPC: 28, EPIPE: 32, ECONNRESET: 104,
  EDQUOT: 122,
};
const hostErrno = (err: unknown): number => -(HOST_ERRNO[(err as NodeJS.ErrnoException).code ?? ''] ?? HOST_ERRNO.EIO);
const errnoName = (n: number): string => Object.entries(HOST_ERRNO).find(([, v]) => v === -n)?.[0] ?? `errno ${-n}`;

/**
 * Whether patchlab was started with `fd` closed (`>&-`): Node then opens
 * /dev/null read-write in its place, where a shell's `>/dev/null` is
 * write-only. Linux-specific (/proc); false elsewhere.
 */
function closedAtStart(fd: number): boolean {
  try {
    if (readlinkSync(`/proc/self/fd/${fd}`) !== '/dev/null') return false;
    const flags = /^flags:\s*([0-7]+)/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'));
    return flags !== null && (parseInt(flags[1]!, 8) & 3) === 2; // O_RDWR
  } catch {
    return false;
  }
}
const CLOSED = { 1: closedAtStart(1), 2: closedAtStart(2) };

/** Writes all of `data`; on a host error, what was written before it, or the negative Linux errno. */
function writeAll(fd: number, data: Uint8Array): number {
  if (CLOSED[fd as 1 | 2]) return -HOST_ERRNO.EBADF; // as write(2) on a closed descriptor
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
  strace?: boolean;
  env: string[];
  inheritEnv?: boolean;
  allowRead: string[];
  stats?: boolean;
  ram: number;
  jitThreshold?: number;
  cpus?: number;
  mode?: 'threads' | 'deterministic';
  seed?: number;
  icache?: 'architectural' | 'coherent';
  quantum?: number;
  timing: TimingName;
}

/** The kernel profile: boots FILE on every CPU of a Machine. */
async function runKernel(file: string, args: string[], flags: RunFlags): Promise<number> {
  if (args.length) throw new ConfigError('the kernel profile takes no guest arguments');
  if (flags.maxInsns !== undefined) throw new ConfigError('--max-insns is for the user profile');
  if (flags.strace) throw new ConfigError('--strace is for the user profile');
  if (flags.env.length || flags.inheritEnv) throw new ConfigError('--env and --inherit-env are for the user profile');
  if (flags.allowRead.length) throw new ConfigError('--allow-read is for the user profile');
  const bytes = readImageFile(file, flags.ram);
  let outputError: number | null = null;
  const machine: Machine = await Machine.create({
    profile: 'kernel',
    cpus: flags.cpus ?? 1,
    ramSize: flags.ram,
    mode: flags.mode ?? 'threads',
    seed: flags.seed,
    icache: flags.icache,
    quantum: flags.quantum,
    jitThreshold: flags.jitThreshold,
    timing: flags.timing,
    onOutput: (fd, data) => {
      if (outputError !== null) return;
      const n = writeAll(fd, data);
      if (n >= 0) return;
      // Nobody reads the console any more (EPIPE: end as SIGPIPE would), or it cannot be written.
      outputError = n;
      if (n !== -HOST_ERRNO.EPIPE) process.stderr.write(`patchlab: cannot write the guest's ${fd === 1 ? 'stdout' : 'stderr'}: ${errnoName(n)}\n`);
      void machine.terminate();
    },
    log: (m) => process.stderr.write(m + '\n'),
  });
  machine.load(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  machine.start();
  const r = await machine.exited;
  if (outputError !== null) return outputError === -HOST_ERRNO.EPIPE ? 141 : 1;
  if (flags.stats) {
    process.stderr.write(
      `patchlab: ${r.insns} instructions retired on ${machine.ncpus} CPUs in ${r.seconds.toFixed(3)} s, ` +
        `${r.mips.toFixed(1)} guest MIPS (${machine.mode})\n`,
    );
    if (machine.timing) process.stderr.write(`patchlab: ${timingStats(machine.timing, r.insns, r.perCpu.map((c) => c.timing!))}\n`);
    for (const c of r.perCpu) {
      process.stderr.write(
        `patchlab: CPU ${c.cpu}: ${c.insns} instructions, ${c.exceptions} exceptions, ${c.irqs} IRQs, ` +
          `${c.stale} stale, idle ${(Number(c.idleNs) / 1e6).toFixed(3)} ms` +
          (machine.timing ? `; ${timingStats(machine.timing, c.insns, [c.timing!])}` : '') + '\n',
      );
    }
    for (const [k, v] of r.reports) process.stderr.write(`patchlab: report ${k} = ${v}\n`);
  }
  return r.exitCode ?? 124;
}

/**
 * The guest's environment: nothing of patchlab's unless --inherit-env (then
 * in its order), then each --env K=V in order, replacing an earlier K.
 */
function guestEnv(flags: RunFlags): string[] {
  const env = new Map<string, string>();
  if (flags.inheritEnv) for (const [k, v] of Object.entries(process.env)) env.set(k, v ?? '');
  for (const kv of flags.env) {
    const k = kv.slice(0, kv.indexOf('='));
    env.delete(k);
    env.set(k, kv.slice(k.length + 1));
  }
  return [...env].map(([k, v]) => `${k}=${v}`);
}

/** Parses one --env K=V (K not empty, no NUL anywhere). */
function parseEnv(kv: string, prev: string[]): string[] {
  const eq = kv.indexOf('=');
  if (eq <= 0 || kv.includes('\0')) throw new InvalidArgumentError(`expected K=V with a name K, got '${kv}'`);
  return [...prev, kv];
}

function runCommand(file: string, args: string[], flags: RunFlags): number | Promise<number> {
  if (flags.profile === 'kernel') return runKernel(file, args, flags);
  for (const [name, v] of [['--cpus', flags.cpus], ['--mode', flags.mode], ['--seed', flags.seed], ['--icache', flags.icache], ['--quantum', flags.quantum]] as const) {
    if (v !== undefined) throw new ConfigError(`${name} is for the kernel profile`);
  }
  const bytes = readImageFile(file, flags.ram);
  let closed: { fd: number; errno: number } | null = null;
  const result = runUserProgram(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), {
    args: [file, ...args],
    exe: resolvePath(file),
    env: guestEnv(flags),
    ramSize: flags.ram,
    maxInsns: flags.maxInsns,
    jitThreshold: flags.jitThreshold,
    timing: flags.timing,
    io: {
      write: (fd, data) => {
        const n = writeAll(fd, data);
        if (n === -HOST_ERRNO.EBADF && !closed) closed = { fd, errno: n }; // patchlab's own stdout or stderr is closed
        return n;
      },
      read: readStdin,
      warn: (m) => process.stderr.write(m + '\n'),
      files: flags.allowRead.length ? hostFiles(flags.allowRead) : undefined,
      strace: flags.strace ? (line) => process.stderr.write(`patchlab: strace: ${line}\n`) : undefined,
    },
  });
  if (result.fault) process.stderr.write(result.fault.report + '\n');
  const lost = closed as { fd: number; errno: number } | null;
  if (lost) {
    // The guest saw -EBADF, as under Linux; the output is lost, which patchlab reports.
    process.stderr.write(`patchlab: the guest's ${lost.fd === 1 ? 'stdout' : 'stderr'} is closed (${errnoName(lost.errno)}): its output was lost\n`);
  }
  if (result.stoppedAtMaxInsns) process.stderr.write(`patchlab: stopped after ${result.insns} instructions (--max-insns)\n`);
  if (flags.stats) {
    process.stderr.write(
      `patchlab: ${result.insns} instructions retired in ${result.seconds.toFixed(3)} s, ` +
        `${result.mips.toFixed(1)} guest MIPS, ${result.cacheMisses} decode-cache misses\n`,
    );
    if (result.timing) process.stderr.write(`patchlab: ${timingStats(result.timing.model, result.insns, [result.timing])}\n`);
    const j = result.jit;
    process.stderr.write(
      `patchlab: translated ${j.regions} regions (${j.blocks} blocks, ${j.insns} instructions) ` +
        `in ${j.compileMs.toFixed(1)} ms; ${j.reused} reused, ${j.refused} heads left to the interpreter\n`,
    );
  }
  if (lost && result.exitCode === 0) return 1;
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
  if (err instanceof ServeError) {
    process.stderr.write(`patchlab serve: ${err.message}\n`);
    return err.code === 'bad-option' ? 2 : 1;
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
  if (
    err instanceof ElfError || err instanceof LoadError || err instanceof ConfigError || err instanceof GuestAccessError ||
    err instanceof ImageFileError
  ) {
    process.stderr.write(`patchlab: ${err.message}\n`);
    return 2;
  }
  if (err instanceof MachineError) {
    process.stderr.write(`patchlab: ${err.message}\n`);
    return 125;
  }
  const errno = err as NodeJS.ErrnoException;
  if (err instanceof Error && typeof errno.code === 'string' && typeof errno.syscall === 'string') {
    process.stderr.write(`patchlab: ${err.message}\n`); // a file named on the command line (ENOENT, EACCES, EISDIR...)
    return 2;
  }
  // A bug of patchlab's own: one line, the stack only when asked for.
  process.stderr.write(`patchlab: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
  if (process.env.PATCHLAB_DEBUG && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  return 70;
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
    .option('--strace', 'user profile: print every system call, its arguments and result to stderr')
    .option('--env <K=V>', 'user profile: a variable of the guest\'s environment (repeatable; none of patchlab\'s by default)', parseEnv, [])
    .option('--inherit-env', 'user profile: give the guest patchlab\'s environment too (before the --env ones)')
    .option('--allow-read <dir>', 'user profile: the guest may open and read files inside DIR (repeatable; none by default)', (d: string, prev: string[]) => [...prev, d], [])
    .option('--stats', 'print instructions retired and guest MIPS (and modelled cycles under --timing) to stderr')
    .addOption(timingOption())
    .option('--ram <size>', 'guest RAM size (default 256M)', parseSize, DEFAULT_USER_RAM)
    .option('--jit-threshold <n>', 'runs of a block head before it is translated to Wasm (0: interpret only)', parseIntIn(0, 65535))
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
  addServeCommand(program, (c) => {
    code = c;
  });
  // A stdout that fails later (the reader of a pipe went away) must not end
  // patchlab with an unhandled 'error' event: EPIPE ends it as SIGPIPE would
  // (141), any other error with one line.
  let stdoutError: NodeJS.ErrnoException | null = null;
  const onStdoutError = (err: NodeJS.ErrnoException): void => {
    stdoutError ??= err;
  };
  process.stdout.on('error', onStdoutError);
  let status: number;
  try {
    program.parse(argv, { from: 'user' });
    status = await code;
  } catch (err) {
    status = reportError(err);
  }
  const failed = stdoutError as NodeJS.ErrnoException | null;
  if (failed && status === 0) {
    if (failed.code === 'EPIPE') return 141;
    process.stderr.write(`patchlab: cannot write to stdout: ${failed.code ?? failed.message}\n`);
    return 1;
  }
  return status;
}

process.exitCode = await main(process.argv.slice(2));
