// Kernel images in the browser: the page's controller fetches the named
// images once (provideKernelImages) and the workloads read them from here,
// synchronously as on Node. Replaces bindings/workload/kernel-files.ts in the
// browser bundle.

import { KERNEL_IMAGES, KernelImageError } from '../workload/kernel-names.ts';

const images = new Map<string, Uint8Array>();

/** Makes the images fetched by the page available under their file names (kernel-NAME.elf). */
export function provideKernelImages(files: ReadonlyMap<string, Uint8Array>): void {
  for (const [name, bytes] of files) images.set(name, bytes);
}

/** The file name of a kernel image name; in the browser only the named images exist. */
export function kernelImageFile(image: string): string {
  if (!(KERNEL_IMAGES as readonly string[]).includes(image)) {
    throw new KernelImageError(`image must be ${KERNEL_IMAGES.join(' or ')} in the browser (no file system), got ${JSON.stringify(image)}`);
  }
  return `kernel-${image}.elf`;
}

export function readImage(file: string): Uint8Array {
  const b = images.get(file);
  if (!b) throw new KernelImageError(`${file} was not fetched by the page`);
  return b;
}
