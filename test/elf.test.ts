import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ELF_ERROR_CODES, ElfError, parseElf, writeElf,
  type ElfErrorCode, type ElfImage, type WriteElfOptions,
} from '../bindings/elf/index.ts';
import { fuzzParse, truncationFailures, type FuzzResult } from './fixtures/elf/fuzz.ts';
import {
  GCC, HAVE_GCC, HAVE_OBJDUMP, HAVE_QEMU, HAVE_READELF, NOP, READELF,
  objdumpMnemonics, readelfSections, readelfSectionWords, readelfSegments, readelfSymbols, run, wordAt,
} from './fixtures/elf/tools.ts';

if (!HAVE_GCC) console.warn(`elf.test: skipping compiled-ELF tests: ${GCC} not found in PATH`);
if (!HAVE_READELF) console.warn(`elf.test: skipping readelf comparisons: ${READELF} not found in PATH`);
if (!HAVE_OBJDUMP) console.warn('elf.test: skipping disassembly checks: llvm-objdump not found in PATH');
if (!HAVE_QEMU) console.warn('elf.test: skipping execution checks: qemu-aarch64 not found in PATH');

function expectFuzzClean(r: FuzzResult): void {
  expect(r.failures).toEqual([]);
  expect(r.accepted).toBeGreaterThan(0);
  expect(r.slowestMs).toBeLessThan(1000);
  expect(r.totalMs).toBeLessThan(60_000);
}

let tmp = '';
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'patchlab-elf-'));
});
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------
// Compiled ELF

const C_SOURCE = fileURLToPath(new URL('./fixtures/elf/prog.c', import.meta.url));
const FUNCS = ['add', 'twice', 'tls_get', '_start'];

function compile(name: string, flags: string[]): string {
  const out = join(tmp, name);
  run(GCC, ['-O1', '-static', '-nostdlib', '-ffreestanding', ...flags, '-o', out, C_SOURCE]);
  return out;
}

describe.skipIf(!HAVE_GCC || !HAVE_READELF)('parseElf on a compiled static executable', () => {
  let file2 = '';
  let file42 = '';
  let img2: ElfImage;
  let img42: ElfImage;
  beforeAll(() => {
    file2 = compile('pfe2', ['-fpatchable-function-entry=2']);
    file42 = compile('pfe42', ['-fpatchable-function-entry=4,2']);
    img2 = parseElf(readFileSync(file2));
    img42 = parseElf(readFileSync(file42));
  });

  it('matches readelf: header, segments, sections, symbols', () => {
    for (const [file, img] of [[file2, img2], [file42, img42]] as const) {
      const header = run(READELF, ['-W', '-h', file]);
      expect(img.type).toBe('EXEC');
      expect(img.entry).toBe(BigInt(/Entry point address:\s+(0x[0-9a-f]+)/.exec(header)![1]!));
      expect(img.entry).toBe(img.symbolAddress('_start'));

      const segs = readelfSegments(file);
      const loads = segs.filter((s) => s.type === 'LOAD');
      expect(img.segments.map((s) => [s.offset, s.vaddr, s.fileSize, s.memSize,
        `${s.flags.r ? 'R' : ' '}${s.flags.w ? 'W' : ' '}${s.flags.x ? 'E' : ' '}`]))
        .toEqual(loads.map((s) => [s.offset, s.vaddr, s.fileSize, s.memSize, s.flags]));
      for (const s of img.segments) expect(s.data.length).toBe(Number(s.fileSize));
      const tls = segs.find((s) => s.type === 'TLS')!;
      expect(img.tlsSegment).not.toBeNull();
      expect([img.tlsSegment!.vaddr, img.tlsSegment!.memSize, img.tlsSegment!.offset])
        .toEqual([tls.vaddr, tls.memSize, tls.offset]);
      const text = img.segments.filter((s) => s.flags.x);
      expect(img.textRanges).toEqual(text.map((s) => ({ start: s.vaddr, end: s.vaddr + s.memSize })));

      const secs = readelfSections(file);
      expect(secs.length).toBe(img.sections.length - 1);
      for (const t of secs) {
        const s = img.sections[t.index]!;
        expect([s.name, s.typeName, s.addr, s.offset, s.size]).toEqual([t.name, t.type, t.addr, t.offset, t.size]);
      }

      const syms = readelfSymbols(file);
      expect(syms.length).toBe(img.symbols.length + 1);
      for (const t of syms.slice(1)) {
        const s = img.symbols[t.num - 1]!;
        expect(s.index).toBe(t.num);
        expect([s.value, s.size, s.type, s.binding]).toEqual([t.value, t.size, t.type, t.bind]);
        const ndx = t.ndx === 'UND' ? 0 : t.ndx === 'ABS' ? 0xfff1 : t.ndx === 'COM' ? 0xfff2 : Number(t.ndx);
        expect(s.sectionIndex).toBe(ndx);
        if (s.type !== 'SECTION') expect(s.name).toBe(t.name);
      }
      const counter = syms.find((s) => s.name === 'counter')!;
      expect(img.symbolAddress('counter')).toBe(counter.value);
      expect(img.symbolAddress('no_such_symbol')).toBeUndefined();
    }
  });

  it('symbolizes addresses', () => {
    for (const img of [img2, img42]) {
      const add = img.symbolAddress('add')!;
      expect(img.symbolize(add)).toEqual({ name: 'add', offset: 0n });
      expect(img.symbolize(add + 4n)).toEqual({ name: 'add', offset: 4n });
      const start = img.symbols.find((s) => s.name === '_start')!;
      expect(img.symbolize(start.value + start.size - 4n)).toEqual({ name: '_start', offset: start.size - 4n });
      // Size-0 assembly label: covered up to the next symbol.
      const helper = img.symbolAddress('asm_helper')!;
      expect(img.symbolize(helper + 8n)).toEqual({ name: 'asm_helper', offset: 8n });
      expect(img.symbolize(0n)).toBeNull();
      expect(img.symbolize(0xffff_ffff_ffff_fff0n)).toBeNull();
    }
    // With =4,2 the two NOPs before a function belong to no function.
    const add42 = img42.symbolAddress('add')!;
    expect(img42.symbolize(add42 - 8n)?.name).not.toBe('add');
  });

  it('-fpatchable-function-entry=2: entries match readelf and hold two NOPs', () => {
    const entries = img2.patchableEntries;
    expect(entries).toEqual(readelfSectionWords(file2, '__patchable_function_entries'));
    expect([...entries].sort((a, b) => Number(a - b)))
      .toEqual(FUNCS.map((f) => img2.symbolAddress(f)!).sort((a, b) => Number(a - b)));
    for (const site of entries) {
      expect(wordAt(img2, site)).toBe(NOP);
      expect(wordAt(img2, site + 4n)).toBe(NOP);
    }
  });

  it('-fpatchable-function-entry=4,2: entries point 8 bytes before each function', () => {
    const entries = img42.patchableEntries;
    expect(entries).toEqual(readelfSectionWords(file42, '__patchable_function_entries'));
    expect([...entries].sort((a, b) => Number(a - b)))
      .toEqual(FUNCS.map((f) => img42.symbolAddress(f)! - 8n).sort((a, b) => Number(a - b)));
    for (const site of entries) {
      for (let k = 0n; k < 4n; k++) expect(wordAt(img42, site + 4n * k)).toBe(NOP);
    }
  });

  it.skipIf(!HAVE_OBJDUMP)('patch sites disassemble as NOPs in llvm-objdump', () => {
    const dis2 = objdumpMnemonics(file2);
    for (const site of img2.patchableEntries) {
      expect([dis2.get(site), dis2.get(site + 4n)]).toEqual(['nop', 'nop']);
    }
    const dis42 = objdumpMnemonics(file42);
    for (const site of img42.patchableEntries) {
      expect([0n, 4n, 8n, 12n].map((d) => dis42.get(site + d))).toEqual(['nop', 'nop', 'nop', 'nop']);
    }
  });

  it.skipIf(!HAVE_QEMU)('the compiled program exits with 42 under qemu', () => {
    expect(spawnSync('qemu-aarch64', [file2]).status).toBe(42);
  });

  it('accepts a static-pie (ET_DYN) image', () => {
    const pie = compile('pie', ['-static-pie', '-fPIE', '-fpatchable-function-entry=2']);
    const img = parseElf(readFileSync(pie));
    expect(img.type).toBe('DYN');
    expect([...img.patchableEntries].sort((a, b) => Number(a - b)))
      .toEqual(FUNCS.map((f) => img.symbolAddress(f)!).sort((a, b) => Number(a - b)));
  });

  it('every truncation of the compiled ELF throws ElfError', () => {
    const bytes = readFileSync(file2);
    expect(truncationFailures(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length))).toEqual([]);
  });

  it('random mutations of the compiled ELF only ever throw ElfError', () => {
    const bytes = readFileSync(file2);
    expectFuzzClean(fuzzParse(new Uint8Array(bytes), 20_000, 0xc0ffee));
  });
});

// ---------------------------------------------------------------------------
// Writer

function encode(words: number[]): Uint8Array {
  const out = new Uint8Array(words.length * 4);
  words.forEach((w, i) => new DataView(out.buffer).setUint32(i * 4, w, true));
  return out;
}
const CODE = encode([0xd2800540, 0xd2800ba8, 0xd4000001]); // movz x0,#42; movz x8,#93; svc #0

function sampleOptions(): WriteElfOptions {
  return {
    entry: 0x400000n,
    segments: [
      { vaddr: 0x410010n, data: new Uint8Array([1, 2, 3, 4, 5]), memSize: 0x100n, flags: { r: true, w: true } },
      { vaddr: 0x400000n, data: CODE, memSize: 0x3000n, flags: { r: true, x: true } },
      { vaddr: 0x420000n, data: new Uint8Array([9, 8, 7]), flags: { r: true } },
    ],
    symbols: [
      { name: '_start', value: 0x400000n, size: 12n, type: 'FUNC' },
      { name: 'label', value: 0x400004n, type: 'NOTYPE', binding: 'LOCAL' },
      { name: 'buffer', value: 0x410010n, size: 0x100n, type: 'OBJECT', binding: 'WEAK' },
      { name: 'consts', value: 0x420000, size: 3, type: 'OBJECT' },
    ],
    patchableEntries: [0x400000n, 0x400008n],
  };
}

describe('writeElf', () => {
  it('round-trips through parseElf', () => {
    const opts = sampleOptions();
    const img = parseElf(writeElf(opts));
    expect(img.type).toBe('EXEC');
    expect(img.entry).toBe(0x400000n);
    const want = [...opts.segments].sort((a, b) => Number(BigInt(a.vaddr) - BigInt(b.vaddr)));
    expect(img.segments.length).toBe(want.length);
    img.segments.forEach((s, i) => {
      const w = want[i]!;
      expect(s.vaddr).toBe(BigInt(w.vaddr));
      expect(s.memSize).toBe(BigInt(w.memSize ?? w.data.length));
      expect([...s.data.subarray(0, w.data.length)]).toEqual([...w.data]);
      // Non-writable segments with a zero-filled tail are zero-padded in the file up to the page end.
      const padded = !w.flags.w && s.memSize > BigInt(w.data.length);
      expect(s.fileSize).toBe(padded ? 0x1000n : BigInt(w.data.length));
      expect(s.data.subarray(w.data.length).every((v) => v === 0)).toBe(true);
      expect(s.flags).toEqual({ r: !!w.flags.r, w: !!w.flags.w, x: !!w.flags.x });
      expect(BigInt(s.offset) % 0x1000n).toBe(s.vaddr % 0x1000n);
    });
    const key = (s: { name: string }): string => s.name;
    expect(img.symbols.map((s) => ({ name: s.name, value: s.value, size: s.size, type: s.type, binding: s.binding }))
      .sort((a, b) => key(a).localeCompare(key(b))))
      .toEqual(opts.symbols!.map((s) => ({ name: s.name, value: BigInt(s.value), size: BigInt(s.size ?? 0),
        type: s.type, binding: s.binding ?? 'GLOBAL' })).sort((a, b) => key(a).localeCompare(key(b))));
    expect(img.patchableEntries).toEqual([0x400000n, 0x400008n]);
    expect(img.textRanges).toEqual([{ start: 0x400000n, end: 0x403000n }]);
    expect(img.tlsSegment).toBeNull();
    expect(img.sections.map((s) => s.name)).toEqual(['', '.text', '.bss', '.data', '.bss.1', '.rodata',
      '__patchable_function_entries', '.symtab', '.strtab', '.shstrtab']);
    expect(img.symbolize(0x400000n)).toEqual({ name: '_start', offset: 0n });
    expect(img.symbolize(0x400008n)).toEqual({ name: 'label', offset: 4n });
    // 'label' has no size: it extends to the end of its segment (no later symbol).
    expect(img.symbolize(0x40000cn)).toEqual({ name: 'label', offset: 8n });
    expect(img.symbolize(0x403000n)).toBeNull();
    expect(img.symbolize(0x3ffffcn)).toBeNull();
  });

  it('writes an ELF without symbols', () => {
    const img = parseElf(writeElf({ entry: 0x1000, segments: [{ vaddr: 0x1000, data: CODE, flags: { r: true, x: true } }] }));
    expect(img.symbols).toEqual([]);
    expect(img.sections.map((s) => s.name)).toEqual(['', '.text', '.shstrtab']);
    expect(img.symbolize(0x1000n)).toBeNull();
  });

  it('rejects invalid descriptions', () => {
    const bad = (opts: WriteElfOptions): void => {
      expect(() => writeElf(opts)).toThrowError(expect.objectContaining({ code: 'BAD_WRITER_INPUT' }));
    };
    const seg = { vaddr: 0x400000n, data: CODE, flags: { x: true } };
    bad({ entry: 0x400000n, segments: [] });
    bad({ entry: 0x500000n, segments: [seg] });
    bad({ entry: 0x400002n, segments: [seg] });
    bad({ entry: 0x400000n, segments: [seg, { ...seg, vaddr: 0x400008n }] });
    bad({ entry: 0x400000n, segments: [{ ...seg, memSize: 4n }] });
    bad({ entry: 0x400000n, segments: [{ ...seg, vaddr: -1 }] });
    bad({ entry: 0x400000n, segments: [seg], symbols: [{ name: '', value: 0 }] });
    bad({ entry: 0x400000n, segments: [seg], patchableEntries: [0x400001n] });
  });

  it.skipIf(!HAVE_READELF)('is accepted by readelf without warnings', () => {
    const file = join(tmp, 'written.elf');
    writeFileSync(file, writeElf(sampleOptions()));
    const r = spawnSync(READELF, ['-a', '-W', file], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(readelfSymbols(file).map((s) => s.name)).toEqual(['', 'label', '_start', 'buffer', 'consts']);
  });

  it.skipIf(!HAVE_OBJDUMP)('is disassembled by llvm-objdump', () => {
    const file = join(tmp, 'written-dis.elf');
    writeFileSync(file, writeElf(sampleOptions()));
    const dis = objdumpMnemonics(file);
    expect([dis.get(0x400000n), dis.get(0x400004n), dis.get(0x400008n)]).toEqual(['mov', 'mov', 'svc']);
  });

  it.skipIf(!HAVE_QEMU)('produces a program that exits with 42 under qemu', () => {
    const file = join(tmp, 'exit42.elf');
    writeFileSync(file, writeElf(sampleOptions()));
    chmodSync(file, 0o755);
    const r = spawnSync('qemu-aarch64', [file]);
    expect(r.error).toBeUndefined();
    expect(r.status).toBe(42);
  });
});

// ---------------------------------------------------------------------------
// Malformed inputs

function sample(): Uint8Array {
  return writeElf(sampleOptions());
}

function expectCode(bytes: Uint8Array, code: ElfErrorCode, seen: Set<string>): ElfError {
  let err: unknown;
  try {
    parseElf(bytes);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ElfError);
  const e = err as ElfError;
  expect(e.code, e.message).toBe(code);
  expect(e.message).toMatch(/^ELF: [^\n]+$/);
  seen.add(code);
  return e;
}

describe('parseElf error codes', () => {
  const seen = new Set<string>();
  const base = sample();
  const img = parseElf(base);
  const shoff = Number(new DataView(base.buffer).getBigUint64(40, true));
  const sec = (name: string): number => shoff + 64 * img.sections.findIndex((s) => s.name === name);
  const ph = (i: number): number => 64 + 56 * i; // program headers sorted by vaddr: text, data, rodata
  const symtabOff = img.sections.find((s) => s.name === '.symtab')!.offset;
  const strtab = img.sections.find((s) => s.name === '.strtab')!;
  const patchOff = img.sections.find((s) => s.name === '__patchable_function_entries')!.offset;
  const edit = (f: (dv: DataView, b: Uint8Array) => void): Uint8Array => {
    const b = new Uint8Array(base);
    f(new DataView(b.buffer), b);
    return b;
  };

  it('reaches every error code with a hand-made input', () => {
    expectCode(base.subarray(0, 0), 'TRUNCATED', seen);
    expectCode(base.subarray(0, 63), 'TRUNCATED', seen);
    expectCode(base.subarray(0, base.length - 1), 'TRUNCATED', seen);
    expectCode(edit((dv) => dv.setBigUint64(32, BigInt(base.length - 100), true)), 'TRUNCATED', seen);
    expectCode(edit((_, b) => { b[1] = 0x45 ^ 0x20; }), 'BAD_MAGIC', seen);
    expectCode(new Uint8Array([0x7f, 0x45, 0x4c, 0x47]), 'BAD_MAGIC', seen);
    expectCode(edit((_, b) => { b[4] = 1; }), 'NOT_ELF64', seen);
    expectCode(edit((_, b) => { b[5] = 2; }), 'NOT_LITTLE_ENDIAN', seen);
    expectCode(edit((_, b) => { b[6] = 0; }), 'BAD_VERSION', seen);
    expectCode(edit((dv) => dv.setUint32(20, 2, true)), 'BAD_VERSION', seen);
    const notArm = expectCode(edit((dv) => dv.setUint16(18, 62, true)), 'NOT_AARCH64', seen);
    expect([notArm.offset, notArm.value]).toEqual([18, 62n]);
    expectCode(edit((dv) => dv.setUint16(16, 1, true)), 'NOT_EXECUTABLE', seen);
    expectCode(edit((dv) => dv.setUint16(52, 52, true)), 'BAD_HEADER', seen);
    expectCode(edit((dv) => dv.setUint16(58, 40, true)), 'BAD_HEADER', seen);
    expectCode(edit((dv) => dv.setBigUint64(40, 0n, true)), 'BAD_HEADER', seen);
    expectCode(edit((dv) => dv.setUint16(54, 32, true)), 'BAD_PROGRAM_HEADER', seen);
    expectCode(edit((dv) => { dv.setUint32(ph(1), 7, true); dv.setUint32(ph(2), 7, true); }), 'BAD_PROGRAM_HEADER', seen);
    const seg = expectCode(edit((dv) => dv.setBigUint64(ph(2) + 32, 0x10000n, true)), 'BAD_SEGMENT', seen);
    expect(seg.message).toMatch(/^ELF: program header 2: segment file range 0x[0-9a-f]+\+0x10000 exceeds file size 0x[0-9a-f]+$/);
    expectCode(edit((dv) => dv.setBigUint64(ph(2) + 40, 1n, true)), 'BAD_SEGMENT', seen); // filesz > memsz
    expectCode(edit((dv) => dv.setBigUint64(ph(0) + 40, 0xffff_ffff_ffc0_0001n, true)), 'BAD_SEGMENT', seen); // overflow
    expectCode(edit((dv) => dv.setBigUint64(ph(0) + 48, 0x1800n, true)), 'BAD_SEGMENT', seen); // align
    expectCode(edit((dv) => dv.setBigUint64(ph(0) + 16, 0x400010n, true)), 'BAD_SEGMENT', seen); // congruence
    expectCode(edit((dv) => dv.setUint16(56, 0, true)), 'NO_LOADABLE_SEGMENT', seen);
    expectCode(edit((dv) => { for (let i = 0; i < 3; i++) dv.setUint32(ph(i), 4, true); }), 'NO_LOADABLE_SEGMENT', seen);
    expectCode(edit((dv) => dv.setBigUint64(ph(1) + 16, 0x402010n, true)), 'OVERLAPPING_SEGMENTS', seen);
    expectCode(edit((dv) => dv.setBigUint64(24, 0x400002n, true)), 'BAD_ENTRY', seen);
    expectCode(edit((dv) => dv.setBigUint64(24, 0x410010n, true)), 'BAD_ENTRY', seen); // not executable
    expectCode(edit((dv) => dv.setBigUint64(24, 0x401000n, true)), 'BAD_ENTRY', seen); // bss of the text segment
    expectCode(edit((dv) => dv.setBigUint64(sec('.text') + 24, 0xffff_ffffn, true)), 'BAD_SECTION_HEADER', seen);
    expectCode(edit((dv) => dv.setUint16(62, 1, true)), 'BAD_SECTION_HEADER', seen); // shstrndx -> .text
    expectCode(edit((dv) => dv.setUint16(62, 200, true)), 'BAD_SECTION_HEADER', seen);
    expectCode(edit((dv) => dv.setBigUint64(sec('.text') + 48, 3n, true)), 'BAD_SECTION_HEADER', seen);
    expectCode(edit((dv) => dv.setUint32(symtabOff + 24, 0x10000, true)), 'BAD_STRING_TABLE', seen);
    expectCode(edit((_, b) => { b[strtab.offset + Number(strtab.size) - 1] = 0x41; }), 'BAD_STRING_TABLE', seen);
    expectCode(edit((dv) => dv.setUint32(sec('.text'), 0x10000, true)), 'BAD_STRING_TABLE', seen);
    expectCode(edit((dv) => dv.setBigUint64(sec('.symtab') + 56, 16n, true)), 'BAD_SYMBOL_TABLE', seen);
    expectCode(edit((dv) => dv.setUint32(sec('.symtab') + 40, 1, true)), 'BAD_SYMBOL_TABLE', seen);
    expectCode(edit((dv) => dv.setUint16(symtabOff + 24 + 6, 500, true)), 'BAD_SYMBOL_TABLE', seen);
    expectCode(edit((dv) => dv.setUint32(sec('.strtab') + 4, 2, true)), 'BAD_SYMBOL_TABLE', seen); // two symtabs
    const pfe = expectCode(edit((dv) => dv.setBigUint64(patchOff + 8, 0x410010n, true)), 'BAD_PATCHABLE_ENTRIES', seen);
    expect([pfe.offset, pfe.value]).toEqual([patchOff + 8, 0x410010n]);
    expectCode(edit((dv) => dv.setBigUint64(patchOff, 0x400002n, true)), 'BAD_PATCHABLE_ENTRIES', seen);
    expectCode(edit((dv) => dv.setBigUint64(sec('__patchable_function_entries') + 32, 12n, true)),
      'BAD_PATCHABLE_ENTRIES', seen);
    expectCode(edit((dv) => dv.setUint32(sec('__patchable_function_entries') + 4, 8, true)),
      'BAD_PATCHABLE_ENTRIES', seen);
    try {
      writeElf({ entry: 0, segments: [] });
    } catch (e) {
      expect(e).toBeInstanceOf(ElfError);
      seen.add((e as ElfError).code);
    }
    expect([...seen].sort()).toEqual([...ELF_ERROR_CODES].sort());
  });

  it('accepts ET_DYN and a PT_TLS segment', () => {
    const dyn = parseElf(edit((dv) => dv.setUint16(16, 3, true)));
    expect(dyn.type).toBe('DYN');
    const tls = parseElf(edit((dv) => dv.setUint32(ph(2), 7, true)));
    expect(tls.tlsSegment?.vaddr).toBe(0x420000n);
    expect(tls.segments.length).toBe(2);
  });

  it('supports extended section and program header numbering', () => {
    const ext = parseElf(edit((dv) => {
      const shnum = dv.getUint16(60, true);
      const shstrndx = dv.getUint16(62, true);
      const phnum = dv.getUint16(56, true);
      dv.setUint16(60, 0, true);
      dv.setBigUint64(shoff + 32, BigInt(shnum), true);
      dv.setUint16(62, 0xffff, true);
      dv.setUint32(shoff + 40, shstrndx, true);
      dv.setUint16(56, 0xffff, true);
      dv.setUint32(shoff + 44, phnum, true);
    }));
    expect(ext.sections.map((s) => s.name)).toEqual(img.sections.map((s) => s.name));
    expect(ext.segments.map((s) => s.vaddr)).toEqual(img.segments.map((s) => s.vaddr));
    expect(ext.symbols).toEqual(img.symbols);
    expectCode(edit((dv) => { dv.setUint16(60, 0, true); dv.setBigUint64(shoff + 32, 0x1_0000_0000n, true); }),
      'BAD_HEADER', seen);
  });

  it('bounds the work spent on pathological string tables', () => {
    // 3000 symbols whose names all start at different offsets inside one 60 KB name.
    const longName = 'x'.repeat(60_000);
    const syms = Array.from({ length: 3000 }, (_, i) => ({ name: i === 0 ? longName : `s${i}`, value: 0x400000n }));
    const b = writeElf({ ...sampleOptions(), symbols: syms });
    const st = parseElf(b).sections.find((s) => s.name === '.symtab')!;
    const dv = new DataView(b.buffer);
    for (let j = 1; j <= 3000; j++) dv.setUint32(st.offset + 24 * j, 1 + j, true);
    const t0 = performance.now();
    expectCode(b, 'BAD_STRING_TABLE', new Set());
    expect(performance.now() - t0).toBeLessThan(2000);
  });
});


describe('robustness', () => {
  it('every truncation of a written ELF throws ElfError', () => {
    expect(truncationFailures(sample())).toEqual([]);
  });

  it('20,000 random mutations of a written ELF only ever throw ElfError', () => {
    expectFuzzClean(fuzzParse(sample(), 20_000, 12345));
  });
});
