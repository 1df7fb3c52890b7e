// Names of system registers, PSTATE fields, barrier options, prefetch
// operations and SYS aliases (DC/IC/AT/TLBI), spelled as LLVM prints them.
// Registers that are not listed print in the generic form S<op0>_<op1>_C<n>_C<m>_<op2>.

export interface SysReg {
  readonly name: string;
  readonly op0: number;
  readonly op1: number;
  readonly CRn: number;
  readonly CRm: number;
  readonly op2: number;
  /** 'r' read-only (MRS), 'w' write-only (MSR), 'rw' both */
  readonly access: 'r' | 'w' | 'rw';
}

// name op0 op1 CRn CRm op2 [access]
const REG_TEXT = `
NZCV 3 3 4 2 0
DAIF 3 3 4 2 1
FPCR 3 3 4 4 0
FPSR 3 3 4 4 1
DSPSR_EL0 3 3 4 5 0
DLR_EL0 3 3 4 5 1
SPSel 3 0 4 2 0
CurrentEL 3 0 4 2 2 r
PAN 3 0 4 2 3
SPSR_EL1 3 0 4 0 0
ELR_EL1 3 0 4 0 1
SP_EL0 3 0 4 1 0
SPSR_EL2 3 4 4 0 0
ELR_EL2 3 4 4 0 1
SP_EL1 3 4 4 1 0
SPSR_irq 3 4 4 3 0
SPSR_abt 3 4 4 3 1
SPSR_und 3 4 4 3 2
SPSR_fiq 3 4 4 3 3
SPSR_EL3 3 6 4 0 0
ELR_EL3 3 6 4 0 1
SP_EL2 3 6 4 1 0
TPIDR_EL0 3 3 13 0 2
TPIDRRO_EL0 3 3 13 0 3
CONTEXTIDR_EL1 3 0 13 0 1
TPIDR_EL1 3 0 13 0 4
TPIDR_EL2 3 4 13 0 2
TPIDR_EL3 3 6 13 0 2
CTR_EL0 3 3 0 0 1 r
DCZID_EL0 3 3 0 0 7 r
MIDR_EL1 3 0 0 0 0 r
MPIDR_EL1 3 0 0 0 5 r
REVIDR_EL1 3 0 0 0 6 r
ID_AA64PFR0_EL1 3 0 0 4 0 r
ID_AA64PFR1_EL1 3 0 0 4 1 r
ID_AA64DFR0_EL1 3 0 0 5 0 r
ID_AA64DFR1_EL1 3 0 0 5 1 r
ID_AA64AFR0_EL1 3 0 0 5 4 r
ID_AA64AFR1_EL1 3 0 0 5 5 r
ID_AA64ISAR0_EL1 3 0 0 6 0 r
ID_AA64ISAR1_EL1 3 0 0 6 1 r
ID_AA64MMFR0_EL1 3 0 0 7 0 r
ID_AA64MMFR1_EL1 3 0 0 7 1 r
CCSIDR_EL1 3 1 0 0 0 r
CLIDR_EL1 3 1 0 0 1 r
AIDR_EL1 3 1 0 0 7 r
CSSELR_EL1 3 2 0 0 0
SCTLR_EL1 3 0 1 0 0
ACTLR_EL1 3 0 1 0 1
CPACR_EL1 3 0 1 0 2
TTBR0_EL1 3 0 2 0 0
TTBR1_EL1 3 0 2 0 1
TCR_EL1 3 0 2 0 2
AFSR0_EL1 3 0 5 1 0
AFSR1_EL1 3 0 5 1 1
ESR_EL1 3 0 5 2 0
FAR_EL1 3 0 6 0 0
PAR_EL1 3 0 7 4 0
MAIR_EL1 3 0 10 2 0
AMAIR_EL1 3 0 10 3 0
LORSA_EL1 3 0 10 4 0
LOREA_EL1 3 0 10 4 1
LORN_EL1 3 0 10 4 2
LORC_EL1 3 0 10 4 3
LORID_EL1 3 0 10 4 7 r
VBAR_EL1 3 0 12 0 0
RVBAR_EL1 3 0 12 0 1 r
ISR_EL1 3 0 12 1 0 r
CNTKCTL_EL1 3 0 14 1 0
ICC_PMR_EL1 3 0 4 6 0
ICC_RPR_EL1 3 0 12 11 3 r
ICC_SGI1R_EL1 3 0 12 11 5 w
ICC_IAR1_EL1 3 0 12 12 0 r
ICC_EOIR1_EL1 3 0 12 12 1 w
ICC_HPPIR1_EL1 3 0 12 12 2 r
ICC_BPR1_EL1 3 0 12 12 3
ICC_CTLR_EL1 3 0 12 12 4
ICC_SRE_EL1 3 0 12 12 5
ICC_IGRPEN1_EL1 3 0 12 12 7
CNTFRQ_EL0 3 3 14 0 0
CNTPCT_EL0 3 3 14 0 1 r
CNTVCT_EL0 3 3 14 0 2 r
CNTP_TVAL_EL0 3 3 14 2 0
CNTP_CTL_EL0 3 3 14 2 1
CNTP_CVAL_EL0 3 3 14 2 2
CNTV_TVAL_EL0 3 3 14 3 0
CNTV_CTL_EL0 3 3 14 3 1
CNTV_CVAL_EL0 3 3 14 3 2
CNTVOFF_EL2 3 4 14 0 3
CNTHCTL_EL2 3 4 14 1 0
PMCR_EL0 3 3 9 12 0
PMCCNTR_EL0 3 3 9 13 0
PMUSERENR_EL0 3 3 9 14 0
MDSCR_EL1 2 0 0 2 2
OSLAR_EL1 2 0 1 0 4 w
OSLSR_EL1 2 0 1 1 4 r
MDCCSR_EL0 2 3 0 1 0 r
VPIDR_EL2 3 4 0 0 0
VMPIDR_EL2 3 4 0 0 5
SCTLR_EL2 3 4 1 0 0
HCR_EL2 3 4 1 1 0
MDCR_EL2 3 4 1 1 1
CPTR_EL2 3 4 1 1 2
HSTR_EL2 3 4 1 1 3
TTBR0_EL2 3 4 2 0 0
TCR_EL2 3 4 2 0 2
VTTBR_EL2 3 4 2 1 0
VTCR_EL2 3 4 2 1 2
ESR_EL2 3 4 5 2 0
FAR_EL2 3 4 6 0 0
HPFAR_EL2 3 4 6 0 4
MAIR_EL2 3 4 10 2 0
VBAR_EL2 3 4 12 0 0
SCTLR_EL3 3 6 1 0 0
SCR_EL3 3 6 1 1 0
CPTR_EL3 3 6 1 1 2
TTBR0_EL3 3 6 2 0 0
TCR_EL3 3 6 2 0 2
ESR_EL3 3 6 5 2 0
FAR_EL3 3 6 6 0 0
MAIR_EL3 3 6 10 2 0
VBAR_EL3 3 6 12 0 0
`;

export const SYSREGS: readonly SysReg[] = REG_TEXT.trim().split('\n').map((line) => {
  const [name, op0, op1, CRn, CRm, op2, access] = line.trim().split(/\s+/);
  return {
    name, op0: Number(op0), op1: Number(op1), CRn: Number(CRn), CRm: Number(CRm), op2: Number(op2),
    access: (access ?? 'rw') as SysReg['access'],
  };
});

/** The 16-bit key o0:op1:CRn:CRm:op2 (op0 = 2 + o0) that MRS/MSR encode in bits 20:5. */
export function sysregKey(op0: number, op1: number, CRn: number, CRm: number, op2: number): number {
  return ((op0 & 1) << 14) | (op1 << 11) | (CRn << 7) | (CRm << 3) | op2;
}

const BY_KEY = new Map<number, SysReg>(SYSREGS.map((r) => [sysregKey(r.op0, r.op1, r.CRn, r.CRm, r.op2), r]));
const BY_NAME = new Map<string, SysReg>(SYSREGS.map((r) => [r.name.toLowerCase(), r]));

export function genericSysregName(op0: number, op1: number, CRn: number, CRm: number, op2: number): string {
  return `S${op0}_${op1}_C${CRn}_C${CRm}_${op2}`;
}

/** The register name MRS (write = false) or MSR (write = true) prints for the encoding. */
export function sysregName(op0: number, op1: number, CRn: number, CRm: number, op2: number, write: boolean): string {
  const r = BY_KEY.get(sysregKey(op0, op1, CRn, CRm, op2));
  if (r && r.op0 === op0 && (write ? r.access !== 'r' : r.access !== 'w')) return r.name;
  return genericSysregName(op0, op1, CRn, CRm, op2);
}

export interface SysRegEncoding {
  readonly op0: number;
  readonly op1: number;
  readonly CRn: number;
  readonly CRm: number;
  readonly op2: number;
}

/** Parses a register name (case-insensitive) or the generic S3_3_C4_C2_0 form; null if unknown. */
export function parseSysreg(name: string, write: boolean): SysRegEncoding | null {
  const m = name.match(/^s([0-3])_([0-7])_c(\d+)_c(\d+)_([0-7])$/i);
  if (m) {
    const [op0, op1, CRn, CRm, op2] = m.slice(1).map(Number);
    if (op0 < 2 || CRn > 15 || CRm > 15) return null;
    return { op0, op1, CRn, CRm, op2 };
  }
  const r = BY_NAME.get(name.toLowerCase());
  if (!r || (write ? r.access === 'r' : r.access === 'w')) return null;
  return r;
}

// ---- PSTATE fields for MSR (immediate): key op1 << 3 | op2 ------------------------

export const PSTATE_FIELDS: ReadonlyMap<number, string> = new Map([
  [(0 << 3) | 5, 'SPSel'],
  [(3 << 3) | 6, 'DAIFSet'],
  [(3 << 3) | 7, 'DAIFClr'],
  [(0 << 3) | 4, 'PAN'],
]);

/** PSTATE fields whose immediate is a single bit (CRm > 1 is not allocated for them). */
export const PSTATE_ONE_BIT: ReadonlySet<number> = new Set([(0 << 3) | 4]);

export function parsePstateField(name: string): number | null {
  for (const [k, v] of PSTATE_FIELDS) if (v.toLowerCase() === name.toLowerCase()) return k;
  return null;
}

// ---- barrier options (DMB/DSB CRm) ----------------------------------------------

export const BARRIER_OPTIONS: readonly (string | null)[] = [
  null, 'oshld', 'oshst', 'osh', null, 'nshld', 'nshst', 'nsh',
  null, 'ishld', 'ishst', 'ish', null, 'ld', 'st', 'sy',
];

// ---- prefetch operations (PRFM Rt) ------------------------------------------------

/** The name of a prefetch operation, or null when it prints as #imm. */
export function prfopName(rt: number): string | null {
  const type = ['pld', 'pli', 'pst', null][(rt >> 3) & 3];
  const target = ['l1', 'l2', 'l3', null][(rt >> 1) & 3];
  if (!type || !target) return null;
  return type + target + (rt & 1 ? 'strm' : 'keep');
}

export function parsePrfop(name: string): number | null {
  for (let rt = 0; rt < 32; rt++) if (prfopName(rt) === name.toLowerCase()) return rt;
  return null;
}

// ---- SYS aliases --------------------------------------------------------------------

export interface SysOp {
  readonly kind: 'dc' | 'ic' | 'at' | 'tlbi';
  readonly name: string;
  readonly op1: number;
  readonly CRn: number;
  readonly CRm: number;
  readonly op2: number;
  /** whether the operation takes a register operand */
  readonly reg: boolean;
}

// kind name op1 CRn CRm op2 reg(1/0)
const SYSOP_TEXT = `
ic ialluis 0 7 1 0 0
ic iallu 0 7 5 0 0
ic ivau 3 7 5 1 1
dc ivac 0 7 6 1 1
dc isw 0 7 6 2 1
dc csw 0 7 10 2 1
dc cisw 0 7 14 2 1
dc zva 3 7 4 1 1
dc cvac 3 7 10 1 1
dc cvau 3 7 11 1 1
dc civac 3 7 14 1 1
at s1e1r 0 7 8 0 1
at s1e1w 0 7 8 1 1
at s1e0r 0 7 8 2 1
at s1e0w 0 7 8 3 1
at s1e2r 4 7 8 0 1
at s1e2w 4 7 8 1 1
at s12e1r 4 7 8 4 1
at s12e1w 4 7 8 5 1
at s12e0r 4 7 8 6 1
at s12e0w 4 7 8 7 1
at s1e3r 6 7 8 0 1
at s1e3w 6 7 8 1 1
tlbi ipas2e1is 4 8 0 1 1
tlbi ipas2le1is 4 8 0 5 1
tlbi vmalle1is 0 8 3 0 0
tlbi vae1is 0 8 3 1 1
tlbi aside1is 0 8 3 2 1
tlbi vaae1is 0 8 3 3 1
tlbi vale1is 0 8 3 5 1
tlbi vaale1is 0 8 3 7 1
tlbi alle2is 4 8 3 0 0
tlbi vae2is 4 8 3 1 1
tlbi alle1is 4 8 3 4 0
tlbi vale2is 4 8 3 5 1
tlbi vmalls12e1is 4 8 3 6 0
tlbi alle3is 6 8 3 0 0
tlbi vae3is 6 8 3 1 1
tlbi vale3is 6 8 3 5 1
tlbi ipas2e1 4 8 4 1 1
tlbi ipas2le1 4 8 4 5 1
tlbi vmalle1 0 8 7 0 0
tlbi vae1 0 8 7 1 1
tlbi aside1 0 8 7 2 1
tlbi vaae1 0 8 7 3 1
tlbi vale1 0 8 7 5 1
tlbi vaale1 0 8 7 7 1
tlbi alle2 4 8 7 0 0
tlbi vae2 4 8 7 1 1
tlbi alle1 4 8 7 4 0
tlbi vale2 4 8 7 5 1
tlbi vmalls12e1 4 8 7 6 0
tlbi alle3 6 8 7 0 0
tlbi vae3 6 8 7 1 1
tlbi vale3 6 8 7 5 1
`;

export const SYS_OPS: readonly SysOp[] = SYSOP_TEXT.trim().split('\n').map((line) => {
  const [kind, name, op1, CRn, CRm, op2, reg] = line.trim().split(/\s+/);
  return {
    kind: kind as SysOp['kind'], name,
    op1: Number(op1), CRn: Number(CRn), CRm: Number(CRm), op2: Number(op2), reg: reg === '1',
  };
});

const sysOpKey = (op1: number, CRn: number, CRm: number, op2: number): number => (op1 << 11) | (CRn << 7) | (CRm << 3) | op2;
const SYSOP_BY_KEY = new Map<number, SysOp>(SYS_OPS.map((o) => [sysOpKey(o.op1, o.CRn, o.CRm, o.op2), o]));

export function findSysOp(op1: number, CRn: number, CRm: number, op2: number): SysOp | undefined {
  return SYSOP_BY_KEY.get(sysOpKey(op1, CRn, CRm, op2));
}

export function parseSysOp(kind: string, name: string): SysOp | undefined {
  const k = kind.toLowerCase();
  const n = name.toLowerCase();
  return SYS_OPS.find((o) => o.kind === k && o.name === n);
}
