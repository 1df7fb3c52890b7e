// Concurrent modification and execution (CMODX).
//
// The Arm architecture lets software rewrite an instruction while another
// CPU may be executing it only when both the old and the new instruction are
// one of B, BL, BRK, HVC, ISB, NOP, SMC or SVC: any other pair may be seen
// by a concurrently executing CPU as neither the old nor the new
// instruction. A NOP <-> MOV X9, X30 rewrite, for instance, is not allowed
// while the site may be running; NOP <-> BL is.
//
// The checker records every live write (some other CPU running) whose old or
// new instruction is outside that list, with what each CPU was doing.
//
// Writes come from two sources, classified by the same rule:
//   host   the patch API (text.ts): one event per word patched; the writer is
//          the CPU named in PatchOptions.writer, if any
//   guest  a guest store that changed a word of registered text (the image's
//          executable segments, code ranges added at run time): any store
//          instruction of any size, from the interpreter or translated code,
//          seen through the core's store log (assembly/store-log.ts,
//          guest-stores.ts); one event per text word it changed, with the
//          writing CPU and the PC of its store instruction. "Other CPUs
//          running" is taken when the store was logged: a CPU counts as
//          running unless its last exit was WFI/WFE (parked) or a stop.
// A guest store the log had no room for is counted as `unclassified`, never
// dropped silently.

/** Name of the concurrent-modification class of `word`, or null when it is not in the list. */
export function cmodxClass(word: number): 'B' | 'BL' | 'BRK' | 'HVC' | 'ISB' | 'NOP' | 'SMC' | 'SVC' | null {
  const w = word >>> 0;
  const top6 = (w & 0xfc000000) >>> 0;
  if (top6 === 0x14000000) return 'B';
  if (top6 === 0x94000000) return 'BL';
  switch ((w & 0xffe0001f) >>> 0) {
    case 0xd4200000: return 'BRK';
    case 0xd4000002: return 'HVC';
    case 0xd4000003: return 'SMC';
    case 0xd4000001: return 'SVC';
  }
  if (((w & 0xfffff0ff) >>> 0) === 0xd50330df) return 'ISB';
  if (w === 0xd503201f) return 'NOP';
  return null;
}

/** What a CPU was doing when a patch was written. */
export interface CpuActivity {
  cpu: number;
  /** 'running': may be executing code now; 'idle' parked in WFI/WFE; 'stopped' paused, halted or not started. */
  state: 'running' | 'idle' | 'stopped';
  /** Last PC the host saw (running CPUs move on). */
  pc: bigint;
  /** pc as symbol+offset, when known. */
  where?: string;
}

export type CmodxVerdict =
  | 'allowed' //  old and new are both in the list: safe even while other CPUs run
  | 'quiescent' // outside the list, but no other CPU was running: safe
  | 'violation'; // outside the list while another CPU was running

export type CmodxSource = 'host' | 'guest';

export interface CmodxRecord {
  /** The text word written. */
  address: bigint;
  oldWord: number;
  newWord: number;
  verdict: CmodxVerdict;
  /** The class of each word in the list, or null. */
  oldClass: string | null;
  newClass: string | null;
  /** Every CPU, the writer included (its activity is its own). */
  cpus: CpuActivity[];
  /** 'host': the patch API; 'guest': a store instruction of a guest CPU. */
  source: CmodxSource;
  /** The writing CPU: the guest store's CPU, or the host patch's PatchOptions.writer; null when none was named. */
  writer: number | null;
  /** Guest stores: the PC of the store instruction, and it as symbol+offset when known; null for host patches. */
  pc: bigint | null;
  where: string | null;
  /** Guest stores: the bytes the instruction stored and their first address (the word may be one of several). */
  store?: { address: bigint; size: number };
}

/** Events by verdict, and the guest stores that could not be classified (the store log was full). */
export type CmodxCounts = Record<CmodxVerdict | 'unclassified', number>;

const zeroCounts = (): CmodxCounts => ({ allowed: 0, quiescent: 0, violation: 0, unclassified: 0 });

/** Classifies one write given the activity of the other CPUs (the writer excluded). */
export function classify(oldWord: number, newWord: number, others: readonly CpuActivity[]): CmodxVerdict {
  if (cmodxClass(oldWord) !== null && cmodxClass(newWord) !== null) return 'allowed';
  return others.some((c) => c.state === 'running') ? 'violation' : 'quiescent';
}

/** Keeps the records of violations (and counts every verdict, in all and by source). */
export class CmodxChecker {
  readonly violations: CmodxRecord[] = [];
  /** Every source together. */
  readonly counts: CmodxCounts = zeroCounts();
  readonly bySource: Record<CmodxSource, CmodxCounts> = { host: zeroCounts(), guest: zeroCounts() };
  constructor(readonly maxRecords = 10_000) {}

  record(r: CmodxRecord): void {
    this.counts[r.verdict]++;
    this.bySource[r.source][r.verdict]++;
    if (r.verdict === 'violation' && this.violations.length < this.maxRecords) this.violations.push(r);
  }

  /** Counts `n` guest stores into text that were not classified (the store log overflowed). */
  unclassified(n: number): void {
    this.counts.unclassified += n;
    this.bySource.guest.unclassified += n;
  }
}
