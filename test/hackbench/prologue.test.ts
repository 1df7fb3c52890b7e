// Prologues the Linux way: MOV X9, X30 written at the entry of every site of
// __patchable_function_entries before any CPU starts, through the validated
// batch patch API; both kernel images; refusal of a site that is not NOP;NOP.

import { describe, expect, it } from 'vitest';
import {
  applyPrologue, countMovSites, MOV_X9_X30, NOP, PrologueError, prologueSites,
} from '../../bindings/hackbench/prologue.ts';
import { Machine } from '../../bindings/index.ts';
import { haveLlvmMc, llvmEncode, NO_LLVM_REASON } from '../util/llvm.ts';
import { kernelImage, type KernelImage } from '../util/kernel.ts';

async function loaded(which: KernelImage) {
  const m = await Machine.create({ profile: 'kernel', cpus: 2, mode: 'deterministic' });
  m.load(kernelImage(which));
  const [text] = m.image!.textRanges;
  const snapshot = () => {
    const b = m.mem.read(text!.start, Number(text!.end - text!.start));
    return new Uint32Array(b.buffer, b.byteOffset, b.byteLength / 4);
  };
  /** Addresses whose word differs between two snapshots. */
  const changed = (a: Uint32Array, b: Uint32Array) => {
    const out: bigint[] = [];
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) out.push(text!.start + BigInt(4 * i));
    return out;
  };
  return { m, snapshot, changed };
}

describe('the words', () => {
  it('MOV X9, X30 is ORR X9, XZR, X30 = 0xaa1e03e9 and NOP is 0xd503201f', () => {
    expect(MOV_X9_X30).toBe(0xaa1e03e9);
    expect(NOP).toBe(0xd503201f);
  });

  it.skipIf(!haveLlvmMc())('match llvm-mc\'s encodings', () => {
    expect(llvmEncode(['mov x9, x30', 'nop'])).toEqual([MOV_X9_X30, NOP]);
  });
  if (!haveLlvmMc()) it.skip(NO_LLVM_REASON, () => {});
});

describe.each([
  ['pfe2', 0n],
  ['pfe42', 8n],
] as const)('kernel-%s.elf', (which, entryOffset) => {
  it(`finds each site's function entry at site + ${entryOffset}`, async () => {
    const { m } = await loaded(which);
    const img = m.image!;
    const sites = prologueSites(img);
    expect(sites.length).toBe(img.patchableEntries.length);
    expect(sites.length).toBeGreaterThan(50);
    for (const s of sites) {
      expect(s.entry - s.site).toBe(entryOffset);
      expect(img.symbolize(s.entry)).toEqual({ name: s.fn, offset: 0n });
    }
    expect(sites.map((s) => s.fn)).toContain('pipe_write');
  });

  it('mov-nop rewrites exactly the entry NOP of every recorded site, and nothing else', async () => {
    const { m, snapshot, changed } = await loaded(which);
    const sites = prologueSites(m.image!);
    const before = snapshot();
    const r = applyPrologue(m, 'mov-nop');
    const after = snapshot();
    expect(r).toEqual({ prologue: 'mov-nop', sites: sites.length, written: sites.length, movSites: sites.length });
    const recorded = m.image!.patchableEntries.map((a) => a + entryOffset).sort((a, b) => (a < b ? -1 : 1));
    expect(changed(before, after)).toEqual(recorded);
    for (const a of recorded) expect(m.image!.symbolize(a)?.offset).toBe(0n); // a function's first instruction
    for (const s of sites) {
      expect(m.mem.u32(s.entry)).toBe(MOV_X9_X30);
      expect(m.mem.u32(s.entry + 4n)).toBe(NOP);
      for (let a = s.site; a < s.entry; a += 4n) expect(m.mem.u32(a)).toBe(NOP); // pre-entry words untouched
    }
    expect(countMovSites(m.mem, sites)).toBe(sites.length);
  });

  it('nop-nop checks every site and writes nothing', async () => {
    const { m, snapshot, changed } = await loaded(which);
    const before = snapshot();
    const r = applyPrologue(m, 'nop-nop');
    expect(r.written).toBe(0);
    expect(r.movSites).toBe(0);
    expect(r.sites).toBe(m.image!.patchableEntries.length);
    expect(changed(before, snapshot())).toEqual([]);
  });

  it.each([
    ['entry word', 0n],
    ['second word', 4n],
  ])('refuses a site whose %s is not NOP, naming it, and writes nothing', async (_what, off) => {
    const { m, snapshot, changed } = await loaded(which);
    const sites = prologueSites(m.image!);
    const victim = sites.find((s) => s.fn === 'pipe_read')!;
    const odd = 0xd503203f; // YIELD
    m.mem.setU32(victim.entry + off, odd);
    const before = snapshot();
    let err: unknown;
    try {
      applyPrologue(m, 'mov-nop');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PrologueError);
    const pe = err as PrologueError;
    expect(pe.code).toBe('not-nop-nop');
    expect(pe.site).toBe(victim.site);
    expect(pe.fn).toBe('pipe_read');
    expect(pe.message).toContain('pipe_read');
    expect(pe.message).toContain(`0x${victim.site.toString(16)}`);
    expect(pe.words).toContain(odd);
    expect(changed(before, snapshot())).toEqual([]);
    expect(countMovSites(m.mem, sites)).toBe(0);
  });
});

it('refuses a machine without an image, or one already started', async () => {
  const bare = await Machine.create({ profile: 'kernel', cpus: 1 });
  expect(() => applyPrologue(bare, 'mov-nop')).toThrow(expect.objectContaining({ code: 'bad-state' }));
  const m = await Machine.create({ profile: 'kernel', cpus: 1, mode: 'deterministic' });
  m.load(kernelImage('pfe2'));
  m.start();
  expect(() => applyPrologue(m, 'mov-nop')).toThrow(PrologueError);
  await m.terminate();
});
