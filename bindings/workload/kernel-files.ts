// Finding and reading kernel images on Node: the named images next to the
// package (guest/build/), or any ELF path. The browser bundle replaces this
// module with bindings/browser/kernel-files.ts.

import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { KERNEL_IMAGES, KernelImageError } from './kernel-names.ts';

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
