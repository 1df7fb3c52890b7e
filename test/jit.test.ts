// The block translator against the interpreter, step by step.
//
// Two copies of a program run in lock step, one interpreted, one with every
// block head translated at first sight; each step() call gets the same
// pseudo-random budget on both sides, and after every call the exit reason,
// PC, instructions retired, registers, flags and the ring of taken branches
// must be identical. This is what deterministic mode relies on: translated
// code retires exactly the instructions it is given, stops between
// instructions, and leaves the same state behind.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as L from '../assembly/layout.ts';
import { assemble } from '../bindings/isa/asm.ts';
import { makeRng } from '../bindings/isa/random.ts';
import { buildModule, Code, I32, I64, Op } from '../bindings/jit/wasm.ts';
import { runUserProgram, UserProcess } from '../bindings/user/run.ts';
import { instantiateCore } from '../bindings/core.ts';
import { codeElf } from './util/elf.ts';

const noIo = { write: (_fd: number, d: Uint8Array) => d.length, warn: () => {}, random: (n: number) => new Uint8Array(n) };

/** The state both sides must agree on, as one string (cheap to compare, readable in a failure). */
function snapshot(p: UserProcess): string {
  const c = p.cpu;
  const regs = Array.from({ length: 32 }, (_, i) => c.x(i).toString(16)).join(' ');
  const ring = c.branchRing().map(([f, t]) => `${f.toString(16)}>${t.toString(16)}`).join(' ');
  return `exit ${c.exit} pc ${c.pc.toString(16)} insns ${c.insns} nzcv ${c.nzcv >>> 28}\nregs ${regs}\nring ${ring}`;
}

/**
 * Steps two processes with the same budgets, comparing after every call,
 * until the program exits or faults (or `maxCalls`); returns the calls made.
 */
function lockstep(file: Uint8Array, args: string[], opts: { seed: number; maxBudget: number; maxCalls?: number; coherentIcache?: boolean; patch?: (p: UserProcess, call: number) => void }) {
  const mk = (jitThreshold: number) => new UserProcess(file, { args, jitThreshold, io: noIo, coherentIcache: opts.coherentIcache });
  const a = mk(0), b = mk(1);
  const rng = makeRng(opts.seed);
  let calls = 0;
  while (calls < (opts.maxCalls ?? 20000)) {
    const budget = 1 + (rng() % opts.maxBudget);
    opts.patch?.(a, calls);
    opts.patch?.(b, calls);
    const ea = a.core.step(0, budget);
    b.core.step(0, budget);
    calls++;
    const sa = snapshot(a), sb = snapshot(b);
    if (sa !== sb) expect(sb, `state after step call ${calls} (budget ${budget})`).toBe(sa);
    if (ea === L.EXIT_SVC) {
      a.sys.handle(a.cpu);
      b.sys.handle(b.cpu);
      if (a.sys.exitCode !== null) break;
    } else if (ea !== L.EXIT_BUDGET) break;
  }
  expect(b.core.jit.stats.errors).toBe(0);
  return { calls, a, b };
}

const manifest = JSON.parse(readFileSync('guest/build/manifest.json', 'utf8')) as { programs: { name: string; elf: string; args: string[] }[] };
const program = (name: string) => manifest.programs.find((p) => p.name === name)!;

describe('translated code against the interpreter, in lock step', () => {
  for (const [name, args, maxBudget] of [
    ['callheavy', ['300'], 97],
    ['int128-O2-v81', [], 41],
    ['switch-Os-v80', [], 13],
    ['strings-O2-v80', [], 200],
    ['divide-O0-v81', [], 7],
    ['atomics-O2-v80', [], 31],
    ['brk-O2-v80', [], 5],
    ['smc-O2-v81', [], 23],
    ['outline-O2-v80', [], 17],
  ] as const) {
    it(`${name}: same state after every step, budgets 1..${maxBudget}`, () => {
      const p = program(name);
      const { calls, b } = lockstep(new Uint8Array(readFileSync(p.elf)), [p.elf, ...(args.length ? args : p.args)], { seed: name.length, maxBudget });
      expect(calls).toBeGreaterThan(10);
      expect(b.core.jit.stats.insns).toBeGreaterThan(50);
    });
  }

  it('a block whose words change is not run again (coherent I-cache): the new code runs', () => {
    // f returns 1; the loop calls it 300 times and sums; then the host
    // rewrites `mov x0, #1` into `mov x0, #2` and the loop runs again.
    const BASE = 0x400000n;
    const a = assemble(`
      _start:
        mov x19, #0
        mov x20, #300
      loop1: bl f
        add x19, x19, x0
        subs x20, x20, #1
        b.ne loop1
        mov x20, #300
      loop2: bl f
        add x19, x19, x0
        subs x20, x20, #1
        b.ne loop2
        mov x0, x19
        mov x8, #93
        svc #0
      f: mov x0, #1
        ret
    `, BASE);
    const file = codeElf(a.bytes, BASE);
    const f = a.labels.get('f')!;
    const movX0_2 = assemble('mov x0, #2', 0n).bytes;
    let patched = 0;
    const { a: interp, b: jit } = lockstep(file, ['smc'], {
      seed: 5, maxBudget: 50, coherentIcache: true,
      patch: (p, call) => { if (call === 40) { p.mem.write(f, movX0_2); patched++; } },
    });
    expect(patched).toBe(2);
    expect(interp.sys.exitCode).toBe(jit.sys.exitCode);
    expect(jit.core.jit.stats.regions).toBeGreaterThan(1); // the region holding f was translated again
  });
});

describe('coherent I-cache inside a translated block', () => {
  it('an instruction rewritten by the store just before it, in the same block, runs as written', () => {
    // f stores `mov x0, #i` over the instruction that follows the store, then
    // runs it: every call returns i, translated or not (sum 0 + ... + 199).
    const BASE = 0x400000n;
    const a = assemble(`
      _start:
        mov x19, #0
        mov x20, #0
        adr x21, target
        movz w22, #0xd280, lsl #16
      loop:
        orr w23, w22, w20, lsl #5
        bl f
        add x19, x19, x0
        add x20, x20, #1
        cmp x20, #200
        b.ne loop
        mov x1, #19900
        cmp x19, x1
        cset w0, ne
        mov x8, #93
        svc #0
      f:
        str w23, [x21]
      target:
        mov x0, #1
        ret
    `, BASE);
    const file = codeElf(a.bytes, BASE, true);
    for (const jitThreshold of [0, 1, 64]) {
      const r = runUserProgram(file, { jitThreshold, io: noIo });
      expect(r.exitCode, `threshold ${jitThreshold}`).toBe(0);
      if (jitThreshold) expect(r.jit.insns).toBeGreaterThan(0);
    }
  });
});

describe('translations belong to one core instance', () => {
  it('a CPU stepped by another instance over the same memory runs on (no foreign table index is called)', () => {
    const p = program('callheavy');
    const file = new Uint8Array(readFileSync(p.elf));
    const ref = new UserProcess(file, { args: [p.elf, '500'], jitThreshold: 0, io: noIo });
    const proc = new UserProcess(file, { args: [p.elf, '500'], jitThreshold: 1, io: noIo });
    const other = instantiateCore(proc.memory); // a second instance, as a second thread would have
    const cores = [proc.core, other];
    for (let k = 0; ; k++) {
      const e = cores[k % 2]!.step(0, 1000);
      const er = ref.core.step(0, 1000);
      expect(e).toBe(er);
      expect(proc.cpu.pc).toBe(ref.cpu.pc);
      if (e === L.EXIT_SVC) {
        proc.sys.handle(proc.cpu);
        ref.sys.handle(ref.cpu);
        if (proc.sys.exitCode !== null) break;
      } else expect(e).toBe(L.EXIT_BUDGET);
    }
    expect(proc.core.jit.stats.regions).toBeGreaterThan(0);
    expect(other.jit.stats.regions).toBeGreaterThan(0);
    expect(proc.sys.exitCode).toBe(0);
  });
});

describe('the Wasm writer', () => {
  it('encodes i64 and i32 constants of every size (LEB128 around the 2^53 and sign boundaries)', () => {
    const values = [0n, 1n, -1n, 63n, 64n, -64n, -65n, 127n, 128n, 0x7fffffffn, -0x80000000n, 0xffffffffn,
      (1n << 52n) - 1n, 1n << 52n, (1n << 53n) - 1n, 1n << 53n, -(1n << 53n), -(1n << 53n) - 1n,
      (1n << 63n) - 1n, -(1n << 63n), 0x123456789abcdef0n, -0x123456789abcdefn];
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    for (const v of values) {
      const c = new Code([], [I64]);
      c.i64(v);
      const c32 = new Code([], [I32]);
      c32.i32(Number(BigInt.asIntN(32, v)));
      const m = new WebAssembly.Instance(new WebAssembly.Module(buildModule([{ name: 'f', code: c }, { name: 'g', code: c32 }], 65536) as BufferSource), { env: { memory } });
      expect((m.exports.f as () => bigint)(), String(v)).toBe(BigInt.asIntN(64, v));
      expect((m.exports.g as () => number)(), String(v)).toBe(Number(BigInt.asIntN(32, v)));
    }
  });

  it('writes modules the engine validates and runs (br_table, if/else, i64 constants)', () => {
    const c = new Code([I32, I64], [I64]);
    const t = c.local(I64);
    c.block(); c.block(); c.block();
    c.get(0).brTable([0, 1], 2);
    c.end(); c.i64(-0x123456789abcdefn).set(t).br(1);
    c.end(); c.get(1).i64(1n << 63n).op(Op.i64_xor).set(t);
    c.end();
    c.get(t);
    const bytes = buildModule([{ name: 'f', code: c }], 65536);
    expect(WebAssembly.validate(bytes as BufferSource)).toBe(true);
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    const f = new WebAssembly.Instance(new WebAssembly.Module(bytes as BufferSource), { env: { memory } }).exports.f as (a: number, b: bigint) => bigint;
    expect(f(0, 5n)).toBe(-0x123456789abcdefn);
    expect(f(1, 5n)).toBe(BigInt.asIntN(64, 5n ^ (1n << 63n)));
    expect(f(7, 0n)).toBe(0n);
  });
});
