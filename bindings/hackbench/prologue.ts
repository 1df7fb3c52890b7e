// Function prologues the way arm64 Linux sets them up at boot.
//
// GCC's -fpatchable-function-entry=N[,M] leaves N NOPs per traced function,
// M of them before the entry, and records the address of the first one in
// __patchable_function_entries. At boot, ftrace_init_nop turns the first NOP
// at the entry into MOV X9, X30 (the return address saved in a scratch
// register), so that later only the second NOP has to toggle between NOP and
// BL ftrace_caller, a pair the architecture lets other CPUs run while it
// changes.
//
//   -fpatchable-function-entry=2         -fpatchable-function-entry=4,2
//   site+0  fn:  NOP -> MOV X9, X30      site+0       NOP   (literal room)
//   site+4       NOP                     site+4       NOP
//                                        site+8  fn:  NOP -> MOV X9, X30
//                                        site+12      NOP
//
// The sites and their entries come from the image's ftrace records
// (bindings/ftrace/records.ts).

import type { ElfImage } from '../elf/index.ts';
import type { GuestMemory } from '../guest-memory.ts';
import type { GuestPatchQueue } from '../ftrace/patcher.ts';
import { ftraceRecords, RecordError } from '../ftrace/records.ts';
import { assemble } from '../isa/asm.ts';
import type { Machine } from '../machine/machine.ts';

export type Prologue = 'nop-nop' | 'mov-nop';
export const PROLOGUES: readonly Prologue[] = ['nop-nop', 'mov-nop'];

function encode(src: string): number {
  return new DataView(assemble(src, 0n).bytes.buffer).getUint32(0, true);
}

/** A64 NOP (HINT #0). */
export const NOP = encode('nop');
/** A64 MOV X9, X30 (ORR X9, XZR, X30). */
export const MOV_X9_X30 = encode('mov x9, x30');

export type PrologueErrorCode =
  /** The words at the entry are not NOP;NOP (or a pre-entry word is not NOP). */
  | 'not-nop-nop'
  /** No function symbol starts at the end of the site's pre-entry NOPs. */
  | 'no-entry'
  /** The machine has no image loaded, or its CPUs have started. */
  | 'bad-state';

const hex = (v: bigint | number) => `0x${v.toString(16)}`;

export class PrologueError extends Error {
  override name = 'PrologueError';
  constructor(
    readonly code: PrologueErrorCode,
    message: string,
    /** The site's address from __patchable_function_entries. */
    readonly site?: bigint,
    /** The function the site belongs to, when known. */
    readonly fn?: string,
    /** The words found at the entry (for 'not-nop-nop'). */
    readonly words?: readonly number[],
  ) {
    super(message);
  }
}

export interface PrologueSite {
  /** The address recorded in __patchable_function_entries (first NOP of the site). */
  site: bigint;
  /** The function entry: where the MOV goes (site + 4 x pre-entry NOPs). */
  entry: bigint;
  /** The function's name. */
  fn: string;
}

/**
 * The sites of an image with their entries, from its ftrace records. A site
 * whose function cannot be found (no FUNC symbol within a few NOPs of it) is a
 * PrologueError 'no-entry'.
 */
export function prologueSites(image: ElfImage): PrologueSite[] {
  try {
    return ftraceRecords(image).map((r) => ({ site: r.site, entry: r.entry, fn: r.fn }));
  } catch (err) {
    if (err instanceof RecordError) throw new PrologueError('no-entry', err.message, err.site);
    throw err;
  }
}

function describe(s: PrologueSite): string {
  return `${s.fn} (site ${hex(s.site)}, entry ${hex(s.entry)})`;
}

/** Throws PrologueError 'not-nop-nop' for the first site whose pre-entry words and entry pair are not all NOP. */
export function checkNopNop(mem: GuestMemory, sites: readonly PrologueSite[]): void {
  for (const s of sites) {
    const words: number[] = [];
    for (let a = s.site; a < s.entry + 8n; a += 4n) words.push(mem.u32(a));
    if (words.some((w) => w !== NOP)) {
      const at = words.map((w) => hex(w).padStart(10, ' ')).join(' ');
      throw new PrologueError('not-nop-nop', `${describe(s)} does not hold NOP;NOP: found ${at}`, s.site, s.fn, words);
    }
  }
}

/** How many sites hold MOV X9, X30; NOP at their entry. */
export function countMovSites(mem: GuestMemory, sites: readonly PrologueSite[]): number {
  let n = 0;
  for (const s of sites) if (mem.u32(s.entry) === MOV_X9_X30 && mem.u32(s.entry + 4n) === NOP) n++;
  return n;
}

export interface PrologueResult {
  prologue: Prologue;
  /** Sites in __patchable_function_entries. */
  sites: number;
  /** Words written, or queued for the guest patcher (the sites, for mov-nop; 0 for nop-nop). */
  written: number;
  /** Sites holding MOV X9, X30; NOP afterwards, counted in memory (0 while the guest has yet to write them). */
  movSites: number;
}

/**
 * Sets the prologue of every patchable site of the machine's loaded image,
 * before any CPU starts. Every site must hold NOP;NOP (PrologueError naming
 * the first one that does not, and nothing written); `mov-nop` then rewrites
 * the entry NOP of every site to MOV X9, X30 in one validated batch, or
 * queues those writes for the kernel's own patcher (`guest`), which applies
 * them at boot.
 */
export function applyPrologue(machine: Machine, prologue: Prologue, guest?: GuestPatchQueue): PrologueResult {
  if (machine.status !== 'loaded' || !machine.image) {
    throw new PrologueError('bad-state', `prologues are set after load() and before start(); the machine is ${machine.status}`);
  }
  const sites = prologueSites(machine.image);
  checkNopNop(machine.mem, sites);
  let written = 0;
  if (prologue === 'mov-nop' && guest) {
    // the kernel writes them itself at boot, on CPU 0, before the other CPUs go on
    written = guest.enqueue(sites.map((s) => ({ addr: s.entry, expectedOld: NOP, newWord: MOV_X9_X30 })));
  } else if (prologue === 'mov-nop') {
    written = machine.patchBatch(
      sites.map((s) => ({ addr: s.entry, expectedOld: NOP, newWord: MOV_X9_X30 })),
      { strict: true },
    ).written;
  }
  return { prologue, sites: sites.length, written, movSites: countMovSites(machine.mem, sites) };
}
