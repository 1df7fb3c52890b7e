// The host's usable core count in a browser (navigator.hardwareConcurrency).
export const hostCores = (): number => Math.max(1, navigator.hardwareConcurrency || 1);
