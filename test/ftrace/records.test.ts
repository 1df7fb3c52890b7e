// ftraceRecords() on the two kernel images, checked against the ELF as the
// LLVM tools read it: __patchable_function_entries from `llvm-readelf -x`,
// the FUNC symbols from `llvm-readelf -s`, the words from `llvm-objdump -d`.
//
// What this catches: a record missing or invented for a section entry, a
// record attributed to the wrong function (a neighbour, or the symbol at the
// site instead of after the pre-entry NOPs in the =4,2 layout), `entry` or
// `ip` off by a word (the BL going over MOV X9, X30 or past the NOPs), the
// layout names or pre-entry counts swapped, records out of address order.

import { describe, expect, it } from 'vitest';
import { parseElf } from '../../bindings/elf/index.ts';
import { ftraceRecords, type FtraceRecord } from '../../bindings/ftrace/records.ts';
import { kernelImageFile, readImage } from '../../bindings/workload/kernel.ts';
import {
  haveLlvmElfTools, llvmDisassembly, llvmPatchableEntries, llvmSymbols, NO_LLVM_ELF_REASON, type ImageName,
} from '../util/ftrace.ts';

const NOP = 0xd503201f;
const IMAGES: { image: ImageName; preEntry: number }[] = [
  { image: 'pfe2', preEntry: 0 },
  { image: 'pfe42', preEntry: 2 },
];

const hex = (v: bigint) => `0x${v.toString(16)}`;

describe.skipIf(!haveLlvmElfTools())(haveLlvmElfTools() ? 'records against the LLVM tools' : NO_LLVM_ELF_REASON, () => {
  describe.each(IMAGES)('the $image image', ({ image, preEntry }) => {
    const file = kernelImageFile(image);
    const records: FtraceRecord[] = ftraceRecords(parseElf(readImage(file)));
    const entries = haveLlvmElfTools() ? llvmPatchableEntries(file) : [];
    const funcs = haveLlvmElfTools() ? llvmSymbols(file).filter((s) => s.type === 'FUNC') : [];
    const words = haveLlvmElfTools() ? llvmDisassembly(file) : new Map<bigint, { word: number; text: string }>();

    it('has one record per section entry, in address order, indexed by position', () => {
      expect(entries.length).toBeGreaterThan(50);
      const unique = [...new Set(entries)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      expect(records.map((r) => hex(r.site))).toEqual(unique.map(hex));
      records.forEach((r, i) => expect(r.index).toBe(i));
    });

    it(`names the function whose symbol starts ${4 * preEntry} bytes after the site; entry and ip follow`, () => {
      const at = new Map<bigint, string[]>();
      for (const s of funcs) at.set(s.value, [...(at.get(s.value) ?? []), s.name]);
      for (const r of records) {
        const where = `${r.fn} @ ${hex(r.site)}`;
        const names = at.get(r.site + BigInt(4 * preEntry));
        expect(names, `${where}: no FUNC symbol at site + ${4 * preEntry}`).toBeDefined();
        expect(names, where).toContain(r.fn);
        if (preEntry > 0) expect(at.has(r.site), `${where}: a FUNC symbol at the site itself`).toBe(false);
        expect(hex(r.entry), where).toBe(hex(r.site + BigInt(4 * preEntry)));
        expect(hex(r.ip), where).toBe(hex(r.entry + 4n));
        expect(r.preEntry, where).toBe(preEntry);
        expect(r.layout, where).toBe(image);
        // the function is big enough to hold its entry words
        const sym = funcs.find((s) => s.value === r.entry && s.name === r.fn)!;
        expect(sym.size, where).toBeGreaterThanOrEqual(8);
      }
    });

    it('finds NOPs in the file at every patchable word: the pre-entry ones, the entry and the call site', () => {
      for (const r of records) {
        for (let a = r.site; a <= r.ip; a += 4n) {
          const w = words.get(a);
          expect(w, `${r.fn}: no instruction at ${hex(a)} in llvm-objdump -d`).toBeDefined();
          expect(w!.word >>> 0, `${r.fn} @ ${hex(a)}`).toBe(NOP);
          expect(w!.text, `${r.fn} @ ${hex(a)}`).toBe('nop');
        }
        // the word after the call site is the function's own code, not one more NOP of the entry
        expect(words.get(r.ip + 4n), `${r.fn}: nothing after the call site`).toBeDefined();
      }
    });

    it('covers the functions the tracer tests rely on', () => {
      const names = new Set(records.map((r) => r.fn));
      for (const f of ['fill_message', 'ksys_write', 'check_message', 'vfs_write', 'pipe_write', 'pipe_lock', 'strlen', 'sender', 'receiver']) {
        expect(names.has(f), f).toBe(true);
      }
      for (const f of ['ftrace_ops_list_func', 'function_trace_call', 'fgraph_entry_call', 'ftrace_return_to_handler', 'memcpy']) {
        expect(names.has(f), `${f} is notrace`).toBe(false);
      }
    });
  });

  it('gives both images the same functions, in the same order', () => {
    const names = (image: ImageName) => ftraceRecords(parseElf(readImage(kernelImageFile(image)))).map((r) => r.fn);
    expect(names('pfe42')).toEqual(names('pfe2'));
  });
});
