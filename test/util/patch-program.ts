// The small user-profile program the patch tests rewrite while it runs: it
// sums f() over 400 calls and exits with the sum & 0xff; g is two NOPs and a
// RET, a site that never runs.

import { assemble } from '../../bindings/isa/asm.ts';

export const BASE = 0x400000n;

/** The encoding of one instruction. */
export const word = (src: string): number => new DataView(assemble(src, 0n).bytes.buffer).getUint32(0, true);

export const NOP = word('nop');
export const MOV1 = word('mov x0, #1');
export const MOV2 = word('mov x0, #2');

export const SRC = `
  _start:
    mov x19, #0
    mov x20, #400
  again: bl f
    add x19, x19, x0
    subs x20, x20, #1
    b.ne again
    and x0, x19, #0xff
    mov x8, #93
    svc #0
  f: mov x0, #1
    ret
  g: nop
    nop
    ret
`;
