// The names of the patchlab kernel images and the error for an image that
// cannot be had (shared by the Node and the browser ways of reading them).

export const KERNEL_IMAGES = ['pfe2', 'pfe42'] as const;
export type KernelImageName = (typeof KERNEL_IMAGES)[number];

export class KernelImageError extends Error {
  override name = 'KernelImageError';
}
