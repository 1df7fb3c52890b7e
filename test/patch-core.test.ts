// The core's host patch primitives (assembly/patch.ts), called directly:
// patchWord's compare-and-exchange and its refusals, notePatch's epoch and
// log entries, the lock it shares with the CPUs' IC IVAU, and what a CPU
// runs once the lines reach it.

import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import * as L from '../assembly/layout.ts';
import { assemble } from '../bindings/isa/asm.ts';
import { UserProcess } from '../bindings/user/run.ts';
import { BASE, MOV1, MOV2, NOP, SRC, word } from './util/patch-program.ts';
import { codeElf } from './util/elf.ts';

const MOV3 = word('mov x0, #3');

function setup(opts: { coherentIcache?: boolean; jitThreshold?: number } = {}) {
  const a = assemble(SRC, BASE);
  const p = new UserProcess(codeElf(a.bytes, BASE), { ...opts, io: { write: (_f, d) => d.length, warn: () => {} } });
  const u32 = new Uint32Array(p.memory.buffer);
  const machine = new DataView(p.memory.buffer, L.MACHINE_BASE, L.MACHINE_SIZE);
  const ring = new BigUint64Array(p.memory.buffer, L.MACHINE_BASE + L.M_INV_RING, L.INV_RING);
  const lines = new BigUint64Array(p.memory.buffer, L.MACHINE_BASE + L.M_PATCH_LINES, L.PATCH_LINES);
  return {
    p, u32, ring, lines,
    at: (label: string) => p.mem.ramOffset + Number(a.labels.get(label)! - p.mem.base),
    guest: (label: string) => a.labels.get(label)!,
    epoch: () => machine.getUint32(L.M_CODE_EPOCH, true),
    invSeq: () => machine.getUint32(L.M_INV_SEQ, true),
    seen: () => machine.getUint32(L.M_PATCH_SEEN, true),
  };
}

describe('patchWord', () => {
  it('writes the new word only over the expected old one', () => {
    const { p, u32, at, epoch, invSeq, seen } = setup();
    const g = at('g');
    expect(p.core.patchWord(g, MOV1, MOV2)).toBe(L.PATCH_MISMATCH);
    expect(u32[g >> 2]).toBe(NOP);
    expect(seen()).toBe(NOP);
    expect(p.core.patchWord(g, NOP, MOV2)).toBe(L.PATCH_WRITTEN);
    expect(u32[g >> 2]).toBe(MOV2);
    expect(p.core.patchWord(g, NOP, MOV3)).toBe(L.PATCH_MISMATCH);
    expect(u32[g >> 2]).toBe(MOV2);
    expect(seen()).toBe(MOV2);
    // words with bit 31 set pass through the i32 boundary unchanged
    expect(p.core.patchWord(g, MOV2, 0xd4200000)).toBe(L.PATCH_WRITTEN);
    expect(p.core.patchWord(g, 0xd4200000 | 0, NOP)).toBe(L.PATCH_WRITTEN);
    expect(u32[g >> 2]).toBe(NOP);
    // the record of the change is notePatch's
    expect(epoch()).toBe(0);
    expect(invSeq()).toBe(0);
  });

  it('refuses a misaligned offset or one outside guest RAM and touches nothing', () => {
    const { p, u32, at, seen } = setup();
    const g = at('g');
    const ram = p.mem.ramOffset, end = ram + p.mem.size;
    expect(p.core.patchWord(g, NOP, MOV2)).toBe(L.PATCH_WRITTEN);
    expect(p.core.patchWord(g, 0, MOV1)).toBe(L.PATCH_MISMATCH);
    const outside = [ram - 4, 0, L.MACHINE_BASE + L.M_CODE_EPOCH];
    const before = outside.map((o) => u32[o >> 2]);
    for (const o of [g + 2, g + 1, ...outside, end]) { // end: the memory ends with RAM here
      const current = u32[o >> 2] ?? 0;
      expect(p.core.patchWord(o, current, MOV3), `offset 0x${o.toString(16)}`).toBe(L.PATCH_OUTSIDE);
    }
    expect(outside.map((o) => u32[o >> 2])).toEqual(before);
    expect(u32[g >> 2]).toBe(MOV2);
    expect(seen()).toBe(MOV2); // not overwritten by the refusals
    // the first and the last word of RAM are inside
    for (const o of [ram, end - 4]) {
      const w = u32[o >> 2]!;
      expect(p.core.patchWord(o, w, MOV3)).toBe(L.PATCH_WRITTEN);
      expect(p.core.patchWord(o, MOV3, w)).toBe(L.PATCH_WRITTEN);
    }
  });
});

describe('notePatch', () => {
  it('moves the code epoch and appends the lines to the invalidation log', () => {
    const { p, ring, lines, epoch, invSeq } = setup();
    const put = [0x400000n, 0x400040n, 0x7fffc0n];
    put.forEach((l, i) => (lines[i] = l));
    expect(p.core.notePatch(put.length)).toBe(3);
    expect(epoch()).toBe(1);
    expect(invSeq()).toBe(3);
    expect([...ring.slice(0, 3)]).toEqual(put);
    // no lines: the epoch still moves
    expect(p.core.notePatch(0)).toBe(0);
    expect(epoch()).toBe(2);
    expect(invSeq()).toBe(3);
  });

  it('logs PATCH_LINES lines as they are, and more as one invalidate-all', () => {
    const { p, ring, lines, epoch, invSeq } = setup();
    for (let i = 0; i < L.PATCH_LINES; i++) lines[i] = BASE + BigInt(i * L.ICACHE_LINE);
    expect(p.core.notePatch(L.PATCH_LINES)).toBe(L.PATCH_LINES);
    expect(invSeq()).toBe(L.PATCH_LINES);
    expect(ring[L.PATCH_LINES - 1]).toBe(BASE + BigInt((L.PATCH_LINES - 1) * L.ICACHE_LINE));
    expect(p.core.notePatch(L.PATCH_LINES + 1)).toBe(1);
    expect(invSeq()).toBe(L.PATCH_LINES + 1);
    expect(ring[L.PATCH_LINES]).toBe(BigInt(L.INV_ALL));
    expect(epoch()).toBe(2);
  });

  it('waits for the log\'s lock while another thread holds it, and releases it', async () => {
    const { p, invSeq } = setup();
    const lockAt = L.MACHINE_BASE + L.M_INV_LOCK;
    const flag = new Int32Array(new SharedArrayBuffer(4));
    const holdMs = 150;
    const worker = new Worker(`
      const { workerData: { buffer, lockAt, flag, holdMs } } = require('node:worker_threads');
      const lock = new Int32Array(buffer, lockAt, 1);
      while (Atomics.compareExchange(lock, 0, 0, 1) !== 0) {}
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, holdMs);
      Atomics.store(flag, 0, 2);
      Atomics.store(lock, 0, 0);
    `, { eval: true, workerData: { buffer: p.memory.buffer, lockAt, flag, holdMs } });
    const exited = new Promise((resolve, reject) => { worker.on('exit', resolve); worker.on('error', reject); });
    expect(Atomics.wait(flag, 0, 0, 10_000)).not.toBe('timed-out');
    p.core.notePatch(0);
    // notePatch returned only after the worker let the lock go
    expect(Atomics.load(flag, 0)).toBe(2);
    expect(invSeq()).toBe(0);
    expect(new Int32Array(p.memory.buffer, lockAt, 1)[0]).toBe(0);
    await exited;
  });
});

describe('a CPU after patchWord and notePatch (architectural I-cache model)', () => {
  // f is patched from `mov x0, #1` to `mov x0, #2` after 100 calls, and the CPU is asked to synchronize.
  const run = (note: boolean, jitThreshold: number) => {
    const { p, lines, at, guest } = setup({ coherentIcache: false, jitThreshold });
    p.core.step(0, 2 + 6 * 100);
    expect(p.core.patchWord(at('f'), MOV1, MOV2)).toBe(L.PATCH_WRITTEN);
    if (note) {
      lines[0] = guest('f') & ~BigInt(L.ICACHE_LINE - 1);
      p.core.notePatch(1);
    }
    new Int32Array(p.memory.buffer)[(L.CPU_BASE + L.C_SYNC_REQ) >> 2] = 1;
    const r = p.run();
    return { exit: r.exitCode!, stale: p.cpu.stale };
  };
  const sum = (newCalls: number) => ((400 - newCalls) + 2 * newCalls) & 0xff;

  for (const t of [0, 16]) {
    it(`with the line logged the CPU runs the new word after its context synchronization (threshold ${t})`, () => {
      expect(run(true, t)).toEqual({ exit: sum(300), stale: 0n });
    });
    it(`without it the CPU keeps the old instruction (threshold ${t})`, () => {
      expect(run(false, t).exit).toBe(sum(0));
    });
  }
});
