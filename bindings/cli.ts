// patchlab command line.
//
//   patchlab run [--profile user] [--max-insns N] [--stats] [--ram SIZE] FILE [ARGS...]

import { Command, InvalidArgumentError, Option } from 'commander';
import { readFileSync, writeSync } from 'node:fs';
import { ElfError } from './elf/index.ts';
import { GuestAccessError } from './guest-memory.ts';
import { LoadError } from './user/image.ts';
import { runUserProgram, DEFAULT_USER_RAM } from './user/run.ts';
import { ConfigError } from './core.ts';

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

function writeAll(fd: number, data: Uint8Array): number {
  let off = 0;
  while (off < data.length) {
    try {
      off += writeSync(fd, data, off, data.length - off);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EAGAIN') continue;
      throw err;
    }
  }
  return data.length;
}

interface RunFlags {
  profile: 'user';
  maxInsns?: bigint;
  stats?: boolean;
  ram: number;
  jitThreshold?: number;
}

function runCommand(file: string, args: string[], flags: RunFlags): number {
  const bytes = readFileSync(file);
  const result = runUserProgram(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), {
    args: [file, ...args],
    env: [],
    ramSize: flags.ram,
    maxInsns: flags.maxInsns,
    jitThreshold: flags.jitThreshold,
    io: {
      write: (fd, data) => writeAll(fd, data),
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

export function main(argv: string[]): number {
  let code = 0;
  const program = new Command('patchlab')
    .description('A multi-core AArch64 machine in WebAssembly for studying live code patching')
    .enablePositionalOptions()
    .exitOverride();
  program
    .command('run')
    .description('run a static AArch64 ELF; its stdout/stderr are ours, our exit code is its')
    .addOption(new Option('--profile <profile>', 'machine profile').choices(['user']).default('user'))
    .option('--max-insns <n>', 'stop after N instructions', parseCount)
    .option('--stats', 'print instructions retired and guest MIPS to stderr')
    .option('--ram <size>', 'guest RAM size', parseSize, DEFAULT_USER_RAM)
    .option('--jit-threshold <n>', 'runs of a block head before it is translated to Wasm (0: interpret only)', (v) => Number(parseCount(v)))
    .argument('<file>', 'AArch64 ELF executable')
    .argument('[args...]', 'arguments for the guest')
    .passThroughOptions()
    .action((file: string, args: string[], flags: RunFlags) => {
      code = runCommand(file, args, flags);
    });
  try {
    program.parse(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof Error && 'exitCode' in err && typeof (err as { exitCode: unknown }).exitCode === 'number') {
      return (err as { exitCode: number }).exitCode; // commander already printed the message
    }
    if (err instanceof ElfError || err instanceof LoadError || err instanceof ConfigError || err instanceof GuestAccessError) {
      process.stderr.write(`patchlab: ${err.message}\n`);
      return 2;
    }
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      process.stderr.write(`patchlab: ${(err as Error).message}\n`);
      return 2;
    }
    throw err;
  }
  return code;
}

process.exitCode = main(process.argv.slice(2));
