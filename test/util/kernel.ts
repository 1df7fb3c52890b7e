// Helpers for the guest kernel tests: the committed kernel images and the
// parameter block (guest/kernel/params.h) written through the ELF symbol.

import { readFileSync } from 'node:fs';
import { Machine, type MachineOptions, type MachineResult } from '../../bindings/index.ts';

export type KernelImage = 'pfe2' | 'pfe42';

/** guest/build/kernel-pfe2.elf or kernel-pfe42.elf */
export function kernelImage(which: KernelImage = 'pfe2'): Uint8Array {
  const b = readFileSync(new URL(`../../guest/build/kernel-${which}.elf`, import.meta.url));
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** Field order of struct hb_params: each a u32 at 4 x its index. */
export const HB_FIELDS = [
  'magic', 'version', 'workload', 'groups', 'fds', 'loops', 'datasize', 'runs',
  'preempt', 'tick', 'pipe_size', 'tasks', 'spin_loops', 'verbose', 'warmup',
] as const;
export type HbParams = Partial<Record<(typeof HB_FIELDS)[number], number>>;
export const WORKLOAD = { hackbench: 0, spin: 1, pingpong: 2, callloop: 3 } as const;

export interface KernelRun {
  machine: Machine;
  result: MachineResult;
  log: string[];
  /** Reports as numbers. */
  r: Record<string, number>;
}

/** Boots the kernel with `params` written over the defaults and runs it to its end. */
export async function bootKernel(params: HbParams, opts: MachineOptions & { image?: KernelImage } = {}): Promise<KernelRun> {
  const log: string[] = [];
  const { image, ...mopts } = opts;
  const machine = await Machine.create({ profile: 'kernel', log: (m) => log.push(m), ...mopts });
  machine.load(kernelImage(image));
  const base = machine.image!.symbolAddress('hb_params');
  if (base === undefined) throw new Error('no hb_params symbol');
  for (const [k, v] of Object.entries(params)) {
    const i = HB_FIELDS.indexOf(k as (typeof HB_FIELDS)[number]);
    if (i < 0) throw new Error(`unknown parameter ${k}`);
    machine.mem.setU32(base + BigInt(4 * i), v!);
  }
  machine.start();
  const result = await machine.exited;
  const r = Object.fromEntries([...result.reports].map(([k, v]) => [k, Number(v)]));
  return { machine, result, log, r };
}
