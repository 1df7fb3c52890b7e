// The browser bundle's default platform (replaces bindings/machine/default-platform.ts).
export { browserPlatform as defaultPlatform } from './platform.ts';
