// The platform a Machine uses unless told otherwise. This is the one module
// that picks the host: a browser bundle maps it to its Web Worker platform.
export { nodePlatform as defaultPlatform } from './platform-node.ts';
