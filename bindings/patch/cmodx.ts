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

export interface CmodxRecord {
  address: bigint;
  oldWord: number;
  newWord: number;
  verdict: CmodxVerdict;
  /** The class of each word in the list, or null. */
  oldClass: string | null;
  newClass: string | null;
  cpus: CpuActivity[];
}

/** Classifies one write given the activity of the other CPUs (the writer excluded). */
export function classify(oldWord: number, newWord: number, others: readonly CpuActivity[]): CmodxVerdict {
  if (cmodxClass(oldWord) !== null && cmodxClass(newWord) !== null) return 'allowed';
  return others.some((c) => c.state === 'running') ? 'violation' : 'quiescent';
}

/** Keeps the records of violations (and counts every verdict). */
export class CmodxChecker {
  readonly violations: CmodxRecord[] = [];
  readonly counts: Record<CmodxVerdict, number> = { allowed: 0, quiescent: 0, violation: 0 };
  constructor(readonly maxRecords = 10_000) {}

  record(r: CmodxRecord): void {
    this.counts[r.verdict]++;
    if (r.verdict === 'violation' && this.violations.length < this.maxRecords) this.violations.push(r);
  }
}
