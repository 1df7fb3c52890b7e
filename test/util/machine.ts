// Helpers for the Machine tests: the prebuilt kernel-profile programs and
// small kernel images assembled on the fly.

import { readFileSync } from 'node:fs';
import { writeElf } from '../../bindings/elf/index.ts';
import { Machine, type MachineOptions, type MachineResult, type Platform, type WorkerHandle } from '../../bindings/index.ts';
import { nodePlatform } from '../../bindings/machine/platform-node.ts';
import { assemble } from '../../bindings/isa/asm.ts';

export const RAM = 0x4000_0000n;
export const DATA = RAM + 0x10000n;

/** guest/build/smp-NAME.elf */
export function smpElf(name: string): Uint8Array {
  const b = readFileSync(new URL(`../../guest/build/smp-${name}.elf`, import.meta.url));
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** A kernel image from assembly text: code at RAM, a zeroed writable page at DATA; labels become symbols. */
export function kernelElf(src: string): Uint8Array {
  const a = assemble(src, RAM);
  return writeElf({
    entry: RAM,
    segments: [
      { vaddr: RAM, data: a.bytes, flags: { r: true, x: true } },
      { vaddr: DATA, data: new Uint8Array(0), memSize: 4096, flags: { r: true, w: true } },
    ],
    symbols: [...a.labels].map(([name, value]) => ({ name, value, type: 'FUNC' as const, binding: 'GLOBAL' as const })),
  });
}

export interface Ran {
  machine: Machine;
  result: MachineResult;
  log: string[];
}

/** Creates a kernel-profile machine, runs `elf` to its end and returns the result and the log lines. */
export async function runKernel(elf: Uint8Array, opts: MachineOptions): Promise<Ran> {
  const log: string[] = [];
  const machine = await Machine.create({ profile: 'kernel', log: (m) => log.push(m), ...opts });
  machine.load(elf);
  machine.start();
  const result = await machine.exited;
  return { machine, result, log };
}

/** Address of a symbol of the loaded image. */
export function sym(machine: Machine, name: string): bigint {
  const a = machine.image?.symbolAddress(name);
  if (a === undefined) throw new Error(`no symbol ${name}`);
  return a;
}

/** Node's platform, keeping the handles so a test can kill a CPU thread. */
export function recordingPlatform(): { platform: Platform; handles: WorkerHandle[] } {
  const handles: WorkerHandle[] = [];
  return {
    handles,
    platform: {
      ...nodePlatform,
      spawn(url, opts) {
        const h = nodePlatform.spawn(url, opts);
        handles.push(h);
        return h;
      },
    },
  };
}
