// The litmus runner's public surface.

export type { Condition, InitEntry, LitmusTest, Observable, Prop, Quantifier, ThreadCode, Value } from './ast.ts';
export { formatProp } from './ast.ts';
export { LitmusError, type LitmusErrorCode } from './errors.ts';
export { explore, type Exploration, type ExploreOptions, type Outcome } from './explorer.ts';
export { KINDS, parseKinds, type Kind } from './kinds.ts';
export { DEFAULT_FETCH_AHEAD } from './model.ts';
export { formatLitmusText, litmusJson } from './output.ts';
export { parseLitmus } from './parser.ts';
export { buildProgram, type Program } from './program.ts';
export { readLitmus, runLitmus, runTest, type LitmusOptions, type LitmusResult, type Verdict } from './run.ts';
