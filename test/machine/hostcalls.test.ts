// The kernel profile's host calls at their edges: zero lengths, buffers that
// straddle the end of RAM or wrap around, the order of the errors, report
// keys outside RAM, phase (0 and no warning), unknown call numbers with high
// bits set, and the low byte of the exit code.

import { describe, expect, it } from 'vitest';
import { DATA, kernelElf, RAM, runKernel } from '../util/machine.ts';

const RAM_SIZE = 1 << 20;
const END = RAM + BigInt(RAM_SIZE);

/** movz/movk lines loading `v` into `reg`. */
function li(reg: string, v: bigint): string {
  const out: string[] = [];
  for (let sh = 0n; sh < 64n; sh += 16n) {
    const h = (v >> sh) & 0xffffn;
    if (h !== 0n || (sh === 0n && v === 0n)) out.push(`${out.length ? 'movk' : 'movz'} ${reg}, #0x${h.toString(16)}, lsl #${sh}`);
  }
  return out.join('\n');
}

/** One host call: x8 = nr, x0..x2 = args; x0 goes to DATA + 8 * slot. */
function call(slot: number, nr: bigint, a0: bigint, a1: bigint, a2: bigint): string {
  return `${li('x8', nr)}\n${li('x0', a0)}\n${li('x1', a1)}\n${li('x2', a2)}\nhvc #0\n${li('x9', DATA + BigInt(8 * slot))}\nstr x0, [x9]`;
}

const CALLS: [string, bigint, bigint, bigint, bigint, bigint][] = [
  // name, nr, a0, a1, a2, expected x0
  ['write of 0 bytes in RAM', 64n, 1n, DATA, 0n, 0n],
  ['write to fd 0', 64n, 0n, DATA, 1n, -9n],
  ['write to a bad fd with a bad buffer: EBADF first', 64n, 7n, 0x1000n, 4n, -9n],
  ['write of 0 bytes outside RAM', 64n, 1n, 0x1000n, 0n, -14n],
  ['write straddling the end of RAM', 64n, 1n, END - 2n, 4n, -14n],
  ['write of the last 2 bytes of RAM', 64n, 2n, END - 2n, 2n, 2n],
  ['write wrapping around 2^64', 64n, 1n, 0xffff_ffff_ffff_fff0n, 0x20n, -14n],
  ['write above 1 MiB', 64n, 1n, DATA, (1n << 20n) + 1n, -22n],
  ['report with an empty key', 0x100n, DATA, 0n, 1n, -22n],
  ['report with a 257-byte key', 0x100n, DATA, 257n, 1n, -22n],
  ['report with a key outside RAM', 0x100n, 0x1000n, 4n, 1n, -14n],
  ['phase', 0x102n, 3n, 9n, 0n, 0n],
  ['unknown call 65', 65n, 0n, 0n, 0n, -38n],
  ['unknown call 64 + 2^32', 64n + (1n << 32n), 1n, DATA, 1n, -38n],
  ['unknown call 2^64 - 1', 0xffff_ffff_ffff_ffffn, 0n, 0n, 0n, -38n],
];

describe('host calls at their edges', () => {
  it.each(['deterministic', 'threads'] as const)('%s: each returns its result or -errno; exit keeps the low byte', async (mode) => {
    const src = [...CALLS.map(([, nr, a0, a1, a2], i) => call(i, nr, a0, a1, a2)), call(CALLS.length, 65n, 0n, 0n, 0n), li('x0', 0x1234n), 'mov x8, #93', 'hvc #0'].join('\n');
    const { result, machine, log } = await runKernel(kernelElf(src), { mode, ramSize: RAM_SIZE });
    expect(result.exitCode).toBe(0x34);
    CALLS.forEach(([name, , , , , want], i) => expect(BigInt.asIntN(64, machine.mem.u64(DATA + BigInt(8 * i))), name).toBe(want));
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('\0\0');
    // one warning per unknown call number, however often it is made
    expect(log.filter((l) => l.includes('unknown host call'))).toHaveLength(3);
    expect(result.reports.size).toBe(0);
  });
});
