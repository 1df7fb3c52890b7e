// Mutated ELF images through the loaders (user profile and kernel profile):
// every damage to the ELF or program headers or to segment data is a typed
// error (ElfError, LoadError) with a one-line message and nothing run; damage
// confined to the section headers (cut off, bad offsets, garbage) loads as
// Linux's loader does, the symbols simply absent. No host exception, ever.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ElfError, parseElf } from '../../bindings/elf/index.ts';
import { makeRng, below } from '../../bindings/isa/random.ts';
import { Machine } from '../../bindings/machine/machine.ts';
import { LoadError } from '../../bindings/user/image.ts';
import { UserProcess } from '../../bindings/user/run.ts';

const file = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`../../guest/build/${name}`, import.meta.url)));
const USER = file('exitcode-O2-v80.elf');
const KERNEL = file('smp-exitcode.elf');

type Outcome = { kind: 'refused'; code: string; message: string } | { kind: 'ran'; exitCode: number | null; stdout: string };

/** Loads and runs `bytes` in the user profile (at most 5 M instructions). */
function runUser(bytes: Uint8Array): Outcome {
  let stdout = '';
  let p: UserProcess;
  try {
    p = new UserProcess(bytes, {
      maxInsns: 5_000_000n,
      io: { write: (_f, d) => ((stdout += new TextDecoder().decode(d)), d.length), warn: () => {} },
    });
  } catch (err) {
    if (err instanceof ElfError) return { kind: 'refused', code: err.code, message: err.message };
    if (err instanceof LoadError) return { kind: 'refused', code: 'load', message: err.message };
    throw err;
  }
  const r = p.run();
  return { kind: 'ran', exitCode: r.exitCode, stdout };
}

const reference = runUser(USER);

/** The image's structure: header fields and where each table and segment lies. */
function layout(b: Uint8Array) {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const phoff = Number(dv.getBigUint64(32, true));
  const shoff = Number(dv.getBigUint64(40, true));
  const phnum = dv.getUint16(56, true);
  const shnum = dv.getUint16(60, true);
  const segs = Array.from({ length: phnum }, (_, i) => {
    const p = phoff + 56 * i;
    return { at: p, type: dv.getUint32(p, true), offset: Number(dv.getBigUint64(p + 8, true)), filesz: Number(dv.getBigUint64(p + 32, true)) };
  });
  const loads = segs.filter((s) => s.type === 1);
  return { phoff, shoff, phnum, shnum, segs, loads, dataEnd: Math.max(phoff + 56 * phnum, ...loads.filter((s) => s.filesz > 0).map((s) => s.offset + s.filesz)) };
}

const edit = (f: (dv: DataView, b: Uint8Array) => void, base = USER): Uint8Array => {
  const b = new Uint8Array(base);
  f(new DataView(b.buffer), b);
  return b;
};

function expectRefused(o: Outcome, what: string): void {
  expect(o.kind, what).toBe('refused');
  if (o.kind === 'refused') expect(o.message, what).toMatch(/^[^\n]+$/);
}

describe('user profile loader', () => {
  const L = layout(USER);

  it('the reference image runs to its exit', () => {
    expect(reference).toMatchObject({ kind: 'ran', exitCode: 13 });
  });

  it('truncated at every header and segment boundary: refused until the section headers, then runs', () => {
    const cuts = new Set<number>([0, 1, 4, 5, 6, 7, 16, 18, 20, 24, 32, 40, 48, 52, 54, 56, 58, 60, 62, 63, 64]);
    for (let i = 0; i <= L.phnum; i++) cuts.add(L.phoff + 56 * i);
    for (const s of L.loads) [s.offset, s.offset + 1, s.offset + s.filesz - 1, s.offset + s.filesz].forEach((c) => cuts.add(c));
    for (let i = 0; i <= L.shnum; i++) cuts.add(L.shoff + 64 * i);
    cuts.add(USER.length - 1);
    let refused = 0, ran = 0;
    for (const cut of [...cuts].sort((a, b) => a - b)) {
      if (cut > USER.length) continue;
      const o = runUser(USER.subarray(0, cut));
      if (cut < L.dataEnd) {
        expectRefused(o, `cut at ${cut}`);
        refused++;
      } else {
        expect(o, `cut at ${cut}`).toEqual(reference);
        ran++;
      }
    }
    expect(refused).toBeGreaterThan(20);
    expect(ran).toBeGreaterThan(L.shnum / 2);
  });

  it.each([
    ['e_shoff past the end', (dv: DataView) => dv.setBigUint64(40, BigInt(USER.length + 4096), true)],
    ['e_shentsize 40', (dv: DataView) => dv.setUint16(58, 40, true)],
    ['e_shstrndx 200', (dv: DataView) => dv.setUint16(62, 200, true)],
    ['e_shnum 0xffff', (dv: DataView) => dv.setUint16(60, 0xffff, true)],
    ['a section offset of 2^32', (dv: DataView) => dv.setBigUint64(L.shoff + 64 + 24, 1n << 32n, true)],
    ['section headers overwritten with 0xa5', (_dv: DataView, b: Uint8Array) => b.fill(0xa5, L.shoff)],
  ])('damaged section headers (%s) load and run as the intact image, without symbols', (_what, f) => {
    const b = edit(f);
    expect(() => parseElf(b)).toThrow(ElfError); // strict: the damage is seen
    const img = parseElf(b, { sections: 'lenient' });
    expect(img.sectionError).toBeInstanceOf(ElfError);
    expect(img.symbols).toEqual([]);
    expect(runUser(b)).toEqual(reference);
  });

  it.each([
    ['ELFCLASS32', (dv: DataView) => dv.setUint8(4, 1), 'NOT_ELF64'],
    ['big-endian', (dv: DataView) => dv.setUint8(5, 2), 'NOT_LITTLE_ENDIAN'],
    ['EI_VERSION 0', (dv: DataView) => dv.setUint8(6, 0), 'BAD_VERSION'],
    ['e_type ET_REL', (dv: DataView) => dv.setUint16(16, 1, true), 'NOT_EXECUTABLE'],
    ['e_machine x86-64', (dv: DataView) => dv.setUint16(18, 62, true), 'NOT_AARCH64'],
    ['e_machine ARM (32-bit)', (dv: DataView) => dv.setUint16(18, 40, true), 'NOT_AARCH64'],
    ['e_phoff past the end', (dv: DataView) => dv.setBigUint64(32, BigInt(USER.length), true), 'TRUNCATED'],
    ['e_phoff 2^63', (dv: DataView) => dv.setBigUint64(32, 1n << 63n, true), 'TRUNCATED'],
    ['e_phentsize 32', (dv: DataView) => dv.setUint16(54, 32, true), 'BAD_PROGRAM_HEADER'],
    ['e_phnum 0', (dv: DataView) => dv.setUint16(56, 0, true), 'NO_LOADABLE_SEGMENT'],
    ['e_entry outside every segment', (dv: DataView) => dv.setBigUint64(24, 0x10n, true), 'BAD_ENTRY'],
    ['a segment offset of 2^40', (dv: DataView) => dv.setBigUint64(L.loads[0]!.at + 8, 1n << 40n, true), 'BAD_SEGMENT'],
    ['p_filesz 2^40', (dv: DataView) => dv.setBigUint64(L.loads[0]!.at + 32, 1n << 40n, true), 'BAD_SEGMENT'],
    ['p_filesz over p_memsz', (dv: DataView) => dv.setBigUint64(L.loads[0]!.at + 40, 1n, true), 'BAD_SEGMENT'],
    ['p_memsz 2^64 - 1', (dv: DataView) => dv.setBigUint64(L.loads.at(-1)!.at + 40, (1n << 64n) - 1n, true), 'BAD_SEGMENT'],
    ['p_memsz 2^40 (fits 64 bits, not RAM)', (dv: DataView) => dv.setBigUint64(L.loads.at(-1)!.at + 40, 1n << 40n, true), 'load'],
    ['p_vaddr near 2^64', (dv: DataView) => dv.setBigUint64(L.loads.at(-1)!.at + 16, (1n << 64n) - 4096n, true), 'BAD_SEGMENT'],
    ['p_align 3', (dv: DataView) => dv.setBigUint64(L.loads[0]!.at + 48, 3n, true), 'BAD_SEGMENT'],
    ['a segment at address 0 (the NULL page)', (dv: DataView) => {
      for (const s of L.loads) dv.setBigUint64(s.at + 16, dv.getBigUint64(s.at + 16, true) - 0x400000n, true);
      dv.setBigUint64(24, dv.getBigUint64(24, true) - 0x400000n, true);
    }, 'load'],
  ])('%s is refused with a typed error', (_what, f, code) => {
    const o = runUser(edit(f));
    expectRefused(o, _what);
    if (o.kind === 'refused') expect(o.code).toBe(code);
  });

  it('overlapping segments are refused', () => {
    const b = edit((dv) => {
      if (L.loads.length < 2) return;
      const a = L.loads[0]!, c = L.loads[1]!;
      dv.setBigUint64(c.at + 16, dv.getBigUint64(a.at + 16, true), true);
      dv.setBigUint64(c.at + 48, 1n, true);
    });
    const o = runUser(b);
    expectRefused(o, 'overlap');
    if (o.kind === 'refused') expect(o.code).toBe('OVERLAPPING_SEGMENTS');
  });

  it('500 random byte changes to the ELF and program headers give a typed error or a run, never a host exception', () => {
    const rng = makeRng(17);
    const L2 = layout(USER);
    const span = L2.phoff + 56 * L2.phnum;
    let refused = 0, ran = 0;
    for (let k = 0; k < 500; k++) {
      const b = new Uint8Array(USER);
      for (let n = 1 + below(rng, 3); n > 0; n--) b[below(rng, span)] = below(rng, 256);
      const o = runUser(b);
      if (o.kind === 'refused') {
        expect(o.message).toMatch(/^[^\n]+$/);
        refused++;
      } else ran++;
    }
    expect(refused + ran).toBe(500);
    expect(refused).toBeGreaterThan(25);
  });
});

describe('kernel profile loader', () => {
  it.each([
    ['cut in the program headers', (b: Uint8Array) => b.subarray(0, 64 + 20), 'TRUNCATED'],
    ['e_machine x86-64', (b: Uint8Array) => edit((dv) => dv.setUint16(18, 62, true), b), 'NOT_AARCH64'],
    ['a segment below RAM', (b: Uint8Array) => edit((dv) => {
      for (const s of layout(b).loads) dv.setBigUint64(s.at + 16, dv.getBigUint64(s.at + 16, true) - 0x4000_0000n, true); // same offset modulo the alignment
      dv.setBigUint64(24, dv.getBigUint64(24, true) - 0x4000_0000n, true);
    }, b), 'load'],
  ])('%s is refused before anything runs; the machine stays loadable', async (_what, mutate, code) => {
    const m = await Machine.create({ cpus: 1, ramSize: 16 << 20, log: () => {} });
    let err: unknown;
    try {
      m.load(mutate(KERNEL));
    } catch (e) {
      err = e;
    }
    expect(err instanceof ElfError || err instanceof LoadError).toBe(true);
    expect(err instanceof ElfError ? err.code : 'load').toBe(code);
    expect(m.status).toBe('created');
    m.load(KERNEL); // still loadable: nothing was half-done
    expect(m.status).toBe('loaded');
    await m.terminate();
  });

  it('section headers cut off: the kernel image loads and runs, without symbols', async () => {
    const shoff = layout(KERNEL).shoff;
    const m = await Machine.create({ cpus: 2, mode: 'deterministic', ramSize: 16 << 20, log: () => {} });
    m.load(KERNEL.subarray(0, shoff + 10));
    expect(m.image?.symbols).toEqual([]);
    m.start();
    const r = await m.exited;
    const ref = await Machine.create({ cpus: 2, mode: 'deterministic', ramSize: 16 << 20, log: () => {} });
    ref.load(KERNEL);
    ref.start();
    const rr = await ref.exited;
    expect([r.end, r.exitCode, r.stdout]).toEqual([rr.end, rr.exitCode, rr.stdout]);
  });
});
