// The `kernel` profile's boot image: an AArch64 ELF whose PT_LOAD segments all
// lie inside RAM (0x4000_0000 upwards), copied there at their link addresses
// with .bss zeroed. Every CPU then starts at e_entry at EL1 with x0 = its
// index, x1 = the CPU count and SP = 0 (see README.md, "Kernel profile").

import type { ElfImage } from '../elf/index.ts';
import type { GuestMemory } from '../guest-memory.ts';
import { LoadError } from '../user/image.ts';

export const KERNEL_RAM_BASE = 0x4000_0000n;
export const DEFAULT_KERNEL_RAM = 256 << 20;

const hex = (v: bigint): string => `0x${v.toString(16)}`;

/** Refuses an image that does not fit RAM [base, base + size); changes nothing. */
export function checkKernelImage(image: ElfImage, base: bigint, size: number): void {
  const end = base + BigInt(size);
  for (const seg of image.segments) {
    const segEnd = seg.vaddr + seg.memSize;
    if (seg.vaddr < base || segEnd > end) {
      throw new LoadError(
        `kernel image: segment ${hex(seg.vaddr)}..${hex(segEnd)} is outside RAM ${hex(base)}..${hex(end)}`,
        seg.vaddr,
      );
    }
  }
  if (image.entry < base || image.entry + 4n > end) {
    throw new LoadError(`kernel image: entry point ${hex(image.entry)} is outside RAM ${hex(base)}..${hex(end)}`, image.entry);
  }
}

/** Copies the image's segments into RAM (after checkKernelImage). */
export function loadKernelImage(mem: GuestMemory, image: ElfImage): void {
  checkKernelImage(image, mem.base, mem.size);
  for (const seg of image.segments) {
    mem.write(seg.vaddr, seg.data);
    const bss = Number(seg.memSize - seg.fileSize);
    if (bss > 0) mem.fill(seg.vaddr + seg.fileSize, bss, 0);
  }
}
