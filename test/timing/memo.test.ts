// The block memos' state tables (assembly/timing-memo.ts, timing-canon.ts)
// through the core's exports: a canonical state materialized over another
// (stale) state and taken again is the same state (the same id), for random
// states of both models, so materialize leaves nothing of the stale one that
// matters; and when
// the states fill their table, a block's end empties it and gives the entry
// state a new id that still stands for the same state, with the memo recorded
// under it.

import { describe, expect, it } from 'vitest';
import * as L from '../../assembly/layout.ts';
import * as T from '../../assembly/timing-layout.ts';
import { createMemory, instantiateCore, planMemory, writeMachineBlock } from '../../bindings/core.ts';
import { A53 } from '../../bindings/timing/a53.ts';
import { A57 } from '../../bindings/timing/a57.ts';
import { installTiming } from '../../bindings/timing/install.ts';
import type { CycleModel } from '../../bindings/timing/models.ts';

function setup(m: CycleModel) {
  const plan = planMemory(1, 1 << 20);
  const memory = createMemory(plan);
  writeMachineBlock(memory, plan, { base: 0n, lo: 0x1000n, hi: 1n << 20n, coherentIcache: true, jitThreshold: 0 });
  const core = instantiateCore(memory);
  installTiming(memory, 0, m);
  const tm = L.CACHE_BASE + L.TM_OFFSET;
  const dv = new DataView(memory.buffer);
  return { core, tm, dv };
}

/** A random timing state at clock clk: what ticks could have left (values at or before the clock, or a little after). */
function randomState(dv: DataView, tm: number, clk: bigint, rnd: () => number, ooo: boolean): void {
  const near = (span: number) => clk - 8n + BigInt(Math.floor(rnd() * (span + 9)));
  for (let r = 0; r < 36; r++) {
    dv.setBigUint64(tm + T.TM_READY + 8 * r, near(20), true);
    dv.setUint8(tm + T.TM_GROUP + r, rnd() < 0.5 ? 1 : 0);
  }
  for (const at of [T.TM_LDISSUE, T.TM_STISSUE, T.TM_LDBAR, T.TM_STBAR]) dv.setBigUint64(tm + at, ooo ? near(6) : clk - BigInt(Math.floor(rnd() * 3)), true);
  dv.setUint32(tm + T.TM_USED, Math.floor(rnd() * 3), true);
  dv.setBigUint64(tm + T.TM_FETCH, clk - BigInt(Math.floor(rnd() * 12)), true);
  dv.setBigUint64(tm + T.TM_LASTPC, BigInt(0x1000 + 4 * Math.floor(rnd() * 64)), true);
  if (!ooo) {
    for (let i = 0; i < 6; i++) dv.setBigUint64(tm + T.TM_BUSY + 8 * i, near(3), true);
    dv.setBigUint64(tm + T.TM_LASTWB, near(6), true);
    return;
  }
  // in flight: the youngest micro-ops, retire cycles growing with age order; reservations near the clock
  const rob = dv.getUint32(tm + T.TM_ROB, true), pos = dv.getUint32(tm + T.TM_ROBPOS, true);
  let t = clk + BigInt(1 + Math.floor(rnd() * 40));
  dv.setBigUint64(tm + T.TM_RETIRE, t, true);
  const inflight = Math.floor(rnd() * 30);
  for (let k = 0; k < rob; k++) dv.setBigUint64(tm + T.TM_ROBR + 8 * k, clk - 1n, true);
  for (let k = 0; k < inflight; k++) {
    dv.setBigUint64(tm + T.TM_ROBR + 8 * ((pos - 1 - k) & (rob - 1)), t, true);
    if (rnd() < 0.3 && t > clk + 1n) t--;
  }
  dv.setBigUint64(tm + T.TM_RESWORD, (clk + 1n) >> 6n, true);
  let most = clk;
  for (let inst = 0; inst < 7; inst++) {
    for (let w = 0; w < T.TM_RES_WORDS; w++) dv.setBigUint64(tm + T.TM_RES + 8 * (inst * T.TM_RES_WORDS + w), 0n, true);
    for (let b = 0; b < 4; b++) {
      const c = clk + 1n + BigInt(Math.floor(rnd() * 200));
      const at = tm + T.TM_RES + 8 * (inst * T.TM_RES_WORDS + Number((c >> 6n) & BigInt(T.TM_RES_WORDS - 1)));
      dv.setBigUint64(at, dv.getBigUint64(at, true) | (1n << (c & 63n)), true);
      if (c > most) most = c;
    }
  }
  dv.setBigUint64(tm + T.TM_RESMAX, most, true);
}

function lcg(seed: number): () => number {
  let x = seed;
  return () => { x = (Math.imul(x, 1103515245) + 12345) & 0x7fffffff; return x / 0x80000000; };
}

describe('block memo states', () => {
  for (const m of [A53, A57]) {
    it(`${m.name}: a random state materialized over another and canonicalized again is the same state`, () => {
      const { core, tm, dv } = setup(m);
      const rnd = lcg(7);
      let clk = 1000n;
      for (let k = 0; k < 500; k++) {
        clk += BigInt(1 + Math.floor(rnd() * 50));
        randomState(dv, tm, clk, rnd, m.pipeline === 'out-of-order');
        const a = core.tmCanon(tm, clk);
        expect(a).toBeGreaterThan(0);
        // materialized at the same clock over another state, as a stale area holds one from an earlier clock
        randomState(dv, tm, clk - BigInt(Math.floor(rnd() * 100)), rnd, m.pipeline === 'out-of-order');
        core.tmMaterialize(tm, a, clk);
        expect(core.tmCanon(tm, clk)).toBe(a);
      }
    });
  }

  it('a57: a reservation past the window has no canonical form', () => {
    const { core, tm, dv } = setup(A57);
    const clk = 5000n;
    randomState(dv, tm, clk, lcg(3), true);
    dv.setBigUint64(tm + T.TM_RESMAX, clk + BigInt(T.TM_CANON_WINDOW) + 1n, true);
    expect(core.tmCanon(tm, clk)).toBe(0);
  });

  it('a53: a block ending when the states are full empties the tables and keeps its entry state under a new id', () => {
    const { core, tm, dv } = setup(A53);
    const rnd = lcg(11);
    const clk0 = 2000n;
    randomState(dv, tm, clk0, rnd, false);
    const s0 = core.tmCanon(tm, clk0);
    const entry = new Uint8Array(dv.buffer, tm, T.TM_NSTATES).slice(T.TM_READY, T.TM_READY + 8 * 36);
    // distinct states until one more would fill the index
    let clk = clk0;
    while (dv.getUint32(tm + T.TM_NSTATES, true) + 1 < T.TM_SINDEX_N / 2) {
      randomState(dv, tm, clk, rnd, false);
      dv.setBigUint64(tm + T.TM_LASTPC, BigInt(dv.getUint32(tm + T.TM_NSTATES, true)) * 4n, true);
      core.tmCanon(tm, clk);
    }
    expect(dv.getUint32(tm + T.TM_MEMO_FLUSHES, true)).toBe(0);
    // the block's exit state: new, it fills the table
    const clk1 = clk0 + 7n;
    randomState(dv, tm, clk1, rnd, false);
    dv.setBigUint64(tm + T.TM_LASTPC, 0x123456n, true);
    dv.setBigUint64(tm + T.TM_ISSUE, clk1, true);
    const s1 = core.tmEnd(tm, clk1, 77, s0, 0, clk0);
    expect(dv.getUint32(tm + T.TM_MEMO_FLUSHES, true)).toBe(1);
    const s0b = dv.getUint32(tm + T.TM_S0, true);
    expect(s1).toBeGreaterThan(0);
    expect(s0b).toBeGreaterThan(0);
    expect(s0b).not.toBe(s1);
    // the new id stands for the entry state: materialized, it gives the same ready cycles
    core.tmMaterialize(tm, s0b, clk0);
    const back = new Uint8Array(dv.buffer, tm, T.TM_NSTATES).slice(T.TM_READY, T.TM_READY + 8 * 36);
    const ready = (b: Uint8Array) => Array.from({ length: 36 }, (_, r) => {
      const t = new DataView(b.buffer).getBigUint64(8 * r, true);
      return t > clk0 ? t - clk0 : 0n;
    });
    expect(ready(back)).toEqual(ready(entry));
    expect(core.tmCanon(tm, clk0)).toBe(s0b);
    // and the memo is recorded under it: (block 77, s0b, redirect 0) -> s1, 7 cycles
    let found = false;
    for (let k = 0; k < T.TM_MEMO_N; k++) {
      const at = tm + T.TM_MEMO + k * T.TM_MEMO_BYTES;
      if (dv.getUint32(at, true) === 77 && dv.getUint32(at + 4, true) === s0b) {
        found = true;
        expect(dv.getUint32(at + 8, true)).toBe(s1);
        expect(dv.getUint16(at + 12, true)).toBe(7);
        expect(dv.getUint16(at + 14, true)).toBe(0);
      }
    }
    expect(found).toBe(true);
  });
});
