// Helpers for the ftrace tests: the kernel images, a machine booted with
// ftrace attached, hackbench sizes and their expected call counts, the CLI,
// and the LLVM tools used as an independent reader of the images.

import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Ftrace, type FtraceOptions } from '../../bindings/ftrace/ftrace.ts';
import type { GraphCall, TraceEvent } from '../../bindings/ftrace/events.ts';
import { ftraceRecords, type FtraceRecord } from '../../bindings/ftrace/records.ts';
import { parseElf } from '../../bindings/elf/index.ts';
import { Machine } from '../../bindings/machine/machine.ts';
import type { MachineResult, Mode } from '../../bindings/machine/types.ts';
import { kernelImageFile, readImage, setHbParams } from '../../bindings/workload/kernel.ts';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export type ImageName = 'pfe2' | 'pfe42';

export interface HbSize {
  groups: number;
  fds: number;
  loops: number;
  datasize?: number;
}

/** Calls of fill_message, ksys_write and check_message in one run: every sender writes L messages to each of the F receivers of its group. */
export function callsPerRun(s: HbSize): number {
  return s.groups * s.fds * s.fds * s.loops;
}

/** The three functions hackbench calls exactly callsPerRun() times each. */
export const HB_FUNCS = ['fill_message', 'ksys_write', 'check_message'] as const;

export interface Booted {
  machine: Machine;
  ft: Ftrace;
  log: string[];
  /** The record index of each function name. */
  index: Map<string, number>;
}

/**
 * A kernel machine with the image loaded, hackbench sizes written (one run)
 * and ftrace attached; not started.
 */
export async function bootTraced(
  o: { image?: ImageName; cpus: number; mode: Mode; seed?: number } & HbSize & { runs?: number },
  ftOpts: FtraceOptions = {},
): Promise<Booted> {
  const log: string[] = [];
  const machine = await Machine.create({ profile: 'kernel', cpus: o.cpus, mode: o.mode, seed: o.seed ?? 1, log: (m) => log.push(m) });
  machine.load(readImage(kernelImageFile(o.image ?? 'pfe2')));
  setHbParams(machine, { workload: 0, groups: o.groups, fds: o.fds, loops: o.loops, datasize: o.datasize ?? 64, runs: o.runs ?? 1 });
  const ft = Ftrace.attach(machine, ftOpts);
  const index = new Map(ft.records.map((r) => [r.fn, r.index]));
  return { machine, ft, log, index };
}

/** The records of a kernel image file, read without a machine. */
export function recordsOfImage(image: ImageName): FtraceRecord[] {
  return ftraceRecords(parseElf(readImage(kernelImageFile(image))));
}

/** Reports of a run as numbers. */
export function reports(r: MachineResult): Record<string, number> {
  return Object.fromEntries([...r.reports].map(([k, v]) => [k, Number(v)]));
}

/** The record a traced call-site address belongs to. */
export function recordOfIp(records: readonly FtraceRecord[]): (ip: bigint) => FtraceRecord | undefined {
  const byIp = new Map(records.map((r) => [r.ip, r]));
  return (ip) => byIp.get(ip);
}

/** Function events per function name. */
export function countByFunction(events: readonly TraceEvent[], records: readonly FtraceRecord[], type: TraceEvent['type'] = 'function'): Map<string, number> {
  const rec = recordOfIp(records);
  const out = new Map<string, number>();
  for (const e of events) {
    if (e.type !== type) continue;
    const name = rec(e.ip)?.fn ?? `?0x${e.ip.toString(16)}`;
    out.set(name, (out.get(name) ?? 0) + 1);
  }
  return out;
}

/**
 * Calls of a function_graph trace whose return is missing although the task
 * went on: an unfinished call followed, on the same CPU and task, by a call
 * at its depth or shallower. (A call still running when the trace ends, or
 * task_exit, which never returns, is unfinished with nothing after it.)
 */
export function missingExits(calls: readonly GraphCall[]): GraphCall[] {
  const byTask = new Map<string, GraphCall[]>();
  for (const c of calls) {
    const k = `${c.cpu}:${c.pid}`;
    (byTask.get(k) ?? byTask.set(k, []).get(k)!).push(c);
  }
  return calls.filter((c) => c.end === null && byTask.get(`${c.cpu}:${c.pid}`)!.some((d) => d !== c && d.start >= c.start && d.depth <= c.depth));
}

// ---- the CLI ------------------------------------------------------------------

/** Runs `node dist/cli.js trace ARGS` (dist/ is bundled by the test setup). */
export function cliTrace(args: readonly string[], timeout = 120_000): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, ['dist/cli.js', 'trace', ...args], { cwd: ROOT, encoding: 'utf8', timeout, maxBuffer: 1 << 28 });
}

// ---- LLVM tools ---------------------------------------------------------------

const READELF = process.env.LLVM_READELF ?? 'llvm-readelf';
const OBJDUMP = process.env.LLVM_OBJDUMP ?? 'llvm-objdump';

function runs(tool: string): boolean {
  const r = spawnSync(tool, ['--version'], { encoding: 'utf8' });
  return r.status === 0 && /LLVM/i.test(r.stdout);
}

let llvmTools: boolean | undefined;
/** Whether llvm-readelf and llvm-objdump can both be run. */
export function haveLlvmElfTools(): boolean {
  llvmTools ??= runs(READELF) && runs(OBJDUMP);
  return llvmTools;
}
export const NO_LLVM_ELF_REASON = `${READELF} or ${OBJDUMP} not found: the records are not checked against the LLVM tools`;

function tool(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** The u64 values of __patchable_function_entries, from `llvm-readelf -x` (in section order, duplicates kept). */
export function llvmPatchableEntries(file: string): bigint[] {
  const out = tool(READELF, ['-x', '__patchable_function_entries', file]);
  const bytes: number[] = [];
  for (const m of out.matchAll(/^\s*0x[0-9a-f]+((?:\s+[0-9a-f]{2,8}){1,4})\s/gm)) {
    for (const group of m[1]!.trim().split(/\s+/)) {
      for (let k = 0; k < group.length; k += 2) bytes.push(parseInt(group.slice(k, k + 2), 16));
    }
  }
  if (bytes.length % 8 !== 0) throw new Error(`__patchable_function_entries: ${bytes.length} bytes, not a whole number of u64`);
  const entries: bigint[] = [];
  for (let i = 0; i < bytes.length; i += 8) {
    let v = 0n;
    for (let k = 7; k >= 0; k--) v = (v << 8n) | BigInt(bytes[i + k]!);
    entries.push(v);
  }
  return entries;
}

export interface LlvmSymbol {
  value: bigint;
  size: number;
  type: string;
  name: string;
}

/** The defined symbols of `llvm-readelf -s`. */
export function llvmSymbols(file: string): LlvmSymbol[] {
  const out = tool(READELF, ['-s', '-W', file]);
  const syms: LlvmSymbol[] = [];
  for (const m of out.matchAll(/^\s*\d+:\s+([0-9a-f]+)\s+(\d+)\s+(\w+)\s+\w+\s+\w+\s+(\w+)\s+(\S+)\s*$/gm)) {
    if (m[4] === 'UND') continue;
    syms.push({ value: BigInt(`0x${m[1]}`), size: Number(m[2]), type: m[3]!, name: m[5]! });
  }
  return syms;
}

/** The instruction words of `llvm-objdump -d`, by address, with their mnemonic. */
export function llvmDisassembly(file: string): Map<bigint, { word: number; text: string }> {
  const out = tool(OBJDUMP, ['-d', file]);
  const words = new Map<bigint, { word: number; text: string }>();
  for (const m of out.matchAll(/^\s*([0-9a-f]+):\s+((?:[0-9a-f]{2} ){4})\s*(.*)$/gm)) {
    const b = m[2]!.trim().split(' ').map((x) => parseInt(x, 16));
    const word = (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
    words.set(BigInt(`0x${m[1]}`), { word, text: m[3]!.trim().replace(/\s+/g, ' ') });
  }
  return words;
}
