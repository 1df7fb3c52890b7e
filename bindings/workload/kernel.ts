// The patchlab guest kernel as a workload: finding its images next to the
// package, reading them, and writing its parameter block (struct hb_params,
// guest/kernel/params.h) before the CPUs start.

import type { Machine } from '../machine/machine.ts';
import { KernelImageError } from './kernel-names.ts';

export { KERNEL_IMAGES, KernelImageError, type KernelImageName } from './kernel-names.ts';
export { kernelImageFile, readImage } from './kernel-files.ts';

/** Field offsets of struct hb_params (every field a little-endian u32). */
export const HB = {
  workload: 8, groups: 12, fds: 16, loops: 20, datasize: 24, runs: 28, preempt: 32, tick: 36, pipe_size: 40,
  tasks: 44, warmup: 56, hb_warmup: 60,
} as const;
export type HbField = keyof typeof HB;

/** Writes fields of the loaded kernel's hb_params; KernelImageError when the image has none. */
export function setHbParams(machine: Machine, fields: Partial<Record<HbField, number>>): void {
  const base = machine.image?.symbolAddress('hb_params');
  if (base === undefined) throw new KernelImageError('the image has no hb_params symbol: not a patchlab kernel');
  for (const [k, v] of Object.entries(fields)) machine.mem.setU32(base + BigInt(HB[k as HbField]), v);
}
