// The patchlab guest kernel as a workload: finding its images next to the
// package, reading them, and writing its parameter block (struct hb_params,
// guest/kernel/params.h) before the CPUs start.

import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Machine } from '../machine/machine.ts';

export const KERNEL_IMAGES = ['pfe2', 'pfe42'] as const;
export type KernelImageName = (typeof KERNEL_IMAGES)[number];

/** Field offsets of struct hb_params (every field a little-endian u32). */
export const HB = {
  workload: 8, groups: 12, fds: 16, loops: 20, datasize: 24, runs: 28, preempt: 32, tick: 36, pipe_size: 40,
  tasks: 44, warmup: 56, hb_warmup: 60,
} as const;
export type HbField = keyof typeof HB;

export class KernelImageError extends Error {
  override name = 'KernelImageError';
}

/** The file of a kernel image name ('pfe2', 'pfe42') or the path given; KernelImageError when there is none. */
export function kernelImageFile(image: string): string {
  if (!(KERNEL_IMAGES as readonly string[]).includes(image)) {
    if (!existsSync(image)) throw new KernelImageError(`image must be ${KERNEL_IMAGES.join(', ')} or a kernel ELF file; ${image} does not exist`);
    return image;
  }
  // bindings/workload/ in the sources, dist/ once bundled
  for (const rel of ['../../guest/build/', '../guest/build/']) {
    const f = fileURLToPath(new URL(`${rel}kernel-${image}.elf`, import.meta.url));
    if (existsSync(f)) return f;
  }
  throw new KernelImageError(`kernel image kernel-${image}.elf not found next to the package (guest/build/)`);
}

export function readImage(file: string): Uint8Array {
  const b = readFileSync(file);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** Writes fields of the loaded kernel's hb_params; KernelImageError when the image has none. */
export function setHbParams(machine: Machine, fields: Partial<Record<HbField, number>>): void {
  const base = machine.image?.symbolAddress('hb_params');
  if (base === undefined) throw new KernelImageError('the image has no hb_params symbol: not a patchlab kernel');
  for (const [k, v] of Object.entries(fields)) machine.mem.setU32(base + BigInt(HB[k as HbField]), v);
}
