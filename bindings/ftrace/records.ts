// ftrace records: one per entry of __patchable_function_entries, the only
// reader of that section. GCC's -fpatchable-function-entry=N,M leaves N NOPs
// per traced function, M of them before the entry, and records the address of
// the first one. The function is the FUNC symbol that starts after the M
// pre-entry NOPs.
//
//   -fpatchable-function-entry=2            -fpatchable-function-entry=4,2
//   site+0  fn+0  NOP   (MOV X9, X30)        site+0   fn-8  NOP   (literal room)
//   site+4  fn+4  NOP   (BL ftrace_caller)   site+4   fn-4  NOP
//                                            site+8   fn+0  NOP   (MOV X9, X30)
//                                            site+12  fn+4  NOP   (BL ftrace_caller)
//
// A record's `ip` is the call site: the word that toggles between NOP and BL
// (the kernel's rec->ip after ftrace_call_adjust), and the address the
// trampolines pass to the callbacks.

import type { ElfImage } from '../elf/index.ts';

/** How the patchable NOPs sit around the entry. */
export type RecordLayout = 'pfe2' | 'pfe42';

export interface FtraceRecord {
  /** Position in address order (the profile tables' index). */
  index: number;
  /** The function's name. */
  fn: string;
  /** The address stored in __patchable_function_entries (the first NOP). */
  site: bigint;
  /** The function's entry, where MOV X9, X30 goes. */
  entry: bigint;
  /** The call site: entry + 4, where NOP <-> BL toggles. */
  ip: bigint;
  /** NOPs before the entry (0 for =2, 2 for =4,2). */
  preEntry: number;
  layout: RecordLayout;
}

export type RecordErrorCode = 'no-entry' | 'layout';

export class RecordError extends Error {
  override name = 'RecordError';
  constructor(readonly code: RecordErrorCode, message: string, readonly site?: bigint) {
    super(message);
  }
}

/** Pre-entry NOPs looked at before giving up on finding a function entry. */
const MAX_PRE_ENTRY = 16;

const hex = (v: bigint) => `0x${v.toString(16)}`;

/**
 * The records of an image, in address order. A site whose function cannot be
 * found (no FUNC symbol within a few words of it) is a RecordError 'no-entry';
 * sites with different numbers of pre-entry NOPs, or a pre-entry count other
 * than 0 or 2, are a RecordError 'layout'.
 */
export function ftraceRecords(image: ElfImage): FtraceRecord[] {
  const funcs = new Map<bigint, string>();
  for (const s of image.symbols) {
    if (s.type === 'FUNC' && s.sectionIndex !== 0 && !funcs.has(s.value)) funcs.set(s.value, s.name);
  }
  const sites = [...new Set(image.patchableEntries)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const out: FtraceRecord[] = [];
  for (const site of sites) {
    let found: { k: number; fn: string } | null = null;
    for (let k = 0; k <= MAX_PRE_ENTRY && !found; k++) {
      const fn = funcs.get(site + BigInt(4 * k));
      if (fn !== undefined) found = { k, fn };
    }
    if (!found) throw new RecordError('no-entry', `patchable site ${hex(site)}: no function starts within ${MAX_PRE_ENTRY} words of it`, site);
    if (found.k !== 0 && found.k !== 2) {
      throw new RecordError('layout', `patchable site ${hex(site)} (${found.fn}): ${found.k} NOPs before the entry; only =2 and =4,2 are supported`, site);
    }
    const entry = site + BigInt(4 * found.k);
    out.push({
      index: out.length,
      fn: found.fn,
      site,
      entry,
      ip: entry + 4n,
      preEntry: found.k,
      layout: found.k === 0 ? 'pfe2' : 'pfe42',
    });
  }
  const layouts = new Set(out.map((r) => r.layout));
  if (layouts.size > 1) throw new RecordError('layout', `the image mixes patchable-entry layouts (${[...layouts].join(', ')})`);
  return out;
}
