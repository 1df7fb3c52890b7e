// The A64 encoding table: the single source for the core's decoder (generated
// into assembly/generated/decode.ts), the disassembler, the encoder and the
// fuzzers.
//
// Each row is one instruction encoding as the Arm Architecture Reference
// Manual lists it (section C4.1, "A64 instruction set encoding"), with its bit
// pattern written most significant bit first as space-separated tokens:
//
//   0110       fixed bits
//   x          don't-care bits (only in `unimpl` rows)
//   Rd:5       a variable field of 5 bits (a bare name is 1 bit)
//   op=1       a named field fixed to a value (passed to the predecoder)
//   Rt2=(11111) a "should be" field: the encoder writes the value, the decoder
//              ignores it (as the hardware does for CONSTRAINED UNPREDICTABLE
//              should-be-one bits)
//
// Rows are matched first to last; a later row never hides behind an earlier
// one (the generator checks). `undef` lists field combinations that make the
// word unallocated; a value is a number or a bit string where x is a wildcard.
// `pd` names the predecoder in assembly/ that turns the fields into a decoded
// cache entry; rows sharing a predecoder have the same named fields.
// `unimpl` rows are allocated encodings outside the integer subset (SIMD, FP,
// SVE, pointer authentication...): they decode as UNDEFINED in the core but
// are not "unallocated".

export type FieldMatch = number | string;

export interface EncodingRow {
  readonly id: string;
  readonly mn: string;
  readonly sec: string;
  readonly pat: string;
  readonly pd: string;
  readonly undef?: readonly Readonly<Record<string, FieldMatch>>[];
  readonly feat?: 'lse';
  readonly unimpl?: boolean;
}

// Sections, in the manual's order.
export const SECTIONS = {
  pcrel: 'Data processing - immediate / PC-rel. addressing',
  addsubImm: 'Data processing - immediate / Add/subtract (immediate)',
  logImm: 'Data processing - immediate / Logical (immediate)',
  movw: 'Data processing - immediate / Move wide (immediate)',
  bitfield: 'Data processing - immediate / Bitfield',
  extract: 'Data processing - immediate / Extract',
  bcond: 'Branches, exception generating and system / Conditional branch (immediate)',
  exc: 'Branches, exception generating and system / Exception generation',
  hint: 'Branches, exception generating and system / Hints',
  barrier: 'Branches, exception generating and system / Barriers',
  pstate: 'Branches, exception generating and system / PSTATE',
  sys: 'Branches, exception generating and system / System instructions',
  sysreg: 'Branches, exception generating and system / System register move',
  bReg: 'Branches, exception generating and system / Unconditional branch (register)',
  bImm: 'Branches, exception generating and system / Unconditional branch (immediate)',
  cbz: 'Branches, exception generating and system / Compare and branch (immediate)',
  tbz: 'Branches, exception generating and system / Test and branch (immediate)',
  excl: 'Loads and stores / Load/store exclusive and ordered',
  lit: 'Loads and stores / Load register (literal)',
  pair: 'Loads and stores / Load/store register pair',
  unscaled: 'Loads and stores / Load/store register (unscaled immediate)',
  immPost: 'Loads and stores / Load/store register (immediate post-indexed)',
  unpriv: 'Loads and stores / Load/store register (unprivileged)',
  immPre: 'Loads and stores / Load/store register (immediate pre-indexed)',
  atomic: 'Loads and stores / Atomic memory operations',
  regOff: 'Loads and stores / Load/store register (register offset)',
  uimm: 'Loads and stores / Load/store register (unsigned immediate)',
  dp2: 'Data processing - register / Data-processing (2 source)',
  dp1: 'Data processing - register / Data-processing (1 source)',
  logReg: 'Data processing - register / Logical (shifted register)',
  addsubShift: 'Data processing - register / Add/subtract (shifted register)',
  addsubExt: 'Data processing - register / Add/subtract (extended register)',
  adc: 'Data processing - register / Add/subtract (with carry)',
  ccmpReg: 'Data processing - register / Conditional compare (register)',
  ccmpImm: 'Data processing - register / Conditional compare (immediate)',
  csel: 'Data processing - register / Conditional select',
  dp3: 'Data processing - register / Data-processing (3 source)',
  other: 'Outside the integer subset',
} as const;

const rows: EncodingRow[] = [];
function def(sec: string, pd: string, list: [id: string, mn: string, pat: string, extra?: Partial<EncodingRow>][]): void {
  for (const [id, mn, pat, extra] of list) rows.push({ id, mn, sec, pat, pd, ...extra });
}
const S = SECTIONS;

// ---------------------------------------------------------------------------
// Data processing - immediate
def(S.pcrel, 'adr', [
  ['ADR', 'adr', 'op=0 immlo:2 10000 immhi:19 Rd:5'],
  ['ADRP', 'adrp', 'op=1 immlo:2 10000 immhi:19 Rd:5'],
]);
def(S.addsubImm, 'addsub_imm', [
  ['ADD_imm', 'add', 'sf op=0 S=0 100010 sh imm12:12 Rn:5 Rd:5'],
  ['ADDS_imm', 'adds', 'sf op=0 S=1 100010 sh imm12:12 Rn:5 Rd:5'],
  ['SUB_imm', 'sub', 'sf op=1 S=0 100010 sh imm12:12 Rn:5 Rd:5'],
  ['SUBS_imm', 'subs', 'sf op=1 S=1 100010 sh imm12:12 Rn:5 Rd:5'],
]);
const logImmUndef: Partial<EncodingRow> = { undef: [{ sf: 0, N: 1 }] };
def(S.logImm, 'log_imm', [
  ['AND_imm', 'and', 'sf opc=00 100100 N immr:6 imms:6 Rn:5 Rd:5', logImmUndef],
  ['ORR_imm', 'orr', 'sf opc=01 100100 N immr:6 imms:6 Rn:5 Rd:5', logImmUndef],
  ['EOR_imm', 'eor', 'sf opc=10 100100 N immr:6 imms:6 Rn:5 Rd:5', logImmUndef],
  ['ANDS_imm', 'ands', 'sf opc=11 100100 N immr:6 imms:6 Rn:5 Rd:5', logImmUndef],
]);
const movwUndef: Partial<EncodingRow> = { undef: [{ sf: 0, hw: '1x' }] };
def(S.movw, 'movw', [
  ['MOVN', 'movn', 'sf opc=00 100101 hw:2 imm16:16 Rd:5', movwUndef],
  ['MOVZ', 'movz', 'sf opc=10 100101 hw:2 imm16:16 Rd:5', movwUndef],
  ['MOVK', 'movk', 'sf opc=11 100101 hw:2 imm16:16 Rd:5', movwUndef],
]);
const bfmUndef: Partial<EncodingRow> = {
  undef: [{ sf: 0, N: 1 }, { sf: 1, N: 0 }, { sf: 0, immr: '1xxxxx' }, { sf: 0, imms: '1xxxxx' }],
};
def(S.bitfield, 'bfm', [
  ['SBFM', 'sbfm', 'sf opc=00 100110 N immr:6 imms:6 Rn:5 Rd:5', bfmUndef],
  ['BFM', 'bfm', 'sf opc=01 100110 N immr:6 imms:6 Rn:5 Rd:5', bfmUndef],
  ['UBFM', 'ubfm', 'sf opc=10 100110 N immr:6 imms:6 Rn:5 Rd:5', bfmUndef],
]);
def(S.extract, 'extr', [
  ['EXTR', 'extr', 'sf 00 100111 N 0 Rm:5 imms:6 Rn:5 Rd:5', {
    undef: [{ sf: 0, N: 1 }, { sf: 1, N: 0 }, { sf: 0, imms: '1xxxxx' }],
  }],
]);

// ---------------------------------------------------------------------------
// Branches, exception generating and system
def(S.bcond, 'bcond', [['B_cond', 'b', '01010100 imm19:19 0 cond:4']]);
def(S.exc, 'exc', [
  ['SVC', 'svc', '11010100 opc=000 imm16:16 000 LL=01'],
  ['HVC', 'hvc', '11010100 opc=000 imm16:16 000 LL=10'],
  ['SMC', 'smc', '11010100 opc=000 imm16:16 000 LL=11'],
  ['BRK', 'brk', '11010100 opc=001 imm16:16 000 LL=00'],
  ['HLT', 'hlt', '11010100 opc=010 imm16:16 000 LL=00'],
  ['DCPS1', 'dcps1', '11010100 opc=101 imm16:16 000 LL=01'],
  ['DCPS2', 'dcps2', '11010100 opc=101 imm16:16 000 LL=10'],
  ['DCPS3', 'dcps3', '11010100 opc=101 imm16:16 000 LL=11'],
]);
def(S.hint, 'hint', [
  ['NOP', 'nop', '11010101000000110010 CRm=0000 op2=000 11111'],
  ['YIELD', 'yield', '11010101000000110010 CRm=0000 op2=001 11111'],
  ['WFE', 'wfe', '11010101000000110010 CRm=0000 op2=010 11111'],
  ['WFI', 'wfi', '11010101000000110010 CRm=0000 op2=011 11111'],
  ['SEV', 'sev', '11010101000000110010 CRm=0000 op2=100 11111'],
  ['SEVL', 'sevl', '11010101000000110010 CRm=0000 op2=101 11111'],
  // Every other hint (PAC, BTI, ESB, CSDB...) executes as a NOP here.
  ['HINT', 'hint', '11010101000000110010 CRm:4 op2:3 11111'],
]);
def(S.barrier, 'barrier', [
  ['CLREX', 'clrex', '11010101000000110011 CRm:4 op2=010 11111'],
  ['DSB', 'dsb', '11010101000000110011 CRm:4 op2=100 11111'],
  ['DMB', 'dmb', '11010101000000110011 CRm:4 op2=101 11111'],
  ['ISB', 'isb', '11010101000000110011 CRm:4 op2=110 11111'],
  ['SB', 'sb', '11010101000000110011 CRm=0000 op2=111 11111'],
]);
def(S.pstate, 'msr_imm', [
  ['MSR_imm', 'msr', '1101010100000 op1:3 0100 CRm:4 op2:3 11111'],
]);
def(S.sys, 'sys', [
  ['SYS', 'sys', '1101010100 L=0 01 op1:3 CRn:4 CRm:4 op2:3 Rt:5'],
  ['SYSL', 'sysl', '1101010100 L=1 01 op1:3 CRn:4 CRm:4 op2:3 Rt:5'],
]);
def(S.sysreg, 'sysreg', [
  ['MSR_reg', 'msr', '1101010100 L=0 1 o0 op1:3 CRn:4 CRm:4 op2:3 Rt:5'],
  ['MRS', 'mrs', '1101010100 L=1 1 o0 op1:3 CRn:4 CRm:4 op2:3 Rt:5'],
]);
def(S.bReg, 'branch_reg', [
  ['BR', 'br', '1101011 opc=0000 11111 000000 Rn:5 00000'],
  ['BLR', 'blr', '1101011 opc=0001 11111 000000 Rn:5 00000'],
  ['RET', 'ret', '1101011 opc=0010 11111 000000 Rn:5 00000'],
]);
def(S.bReg, 'eret', [
  ['ERET', 'eret', '1101011 opc=0100 11111 000000 11111 00000'],
  ['DRPS', 'drps', '1101011 opc=0101 11111 000000 11111 00000'],
]);
def(S.bImm, 'branch_imm', [
  ['B', 'b', 'op=0 00101 imm26:26'],
  ['BL', 'bl', 'op=1 00101 imm26:26'],
]);
def(S.cbz, 'cbz', [
  ['CBZ', 'cbz', 'sf 011010 op=0 imm19:19 Rt:5'],
  ['CBNZ', 'cbnz', 'sf 011010 op=1 imm19:19 Rt:5'],
]);
def(S.tbz, 'tbz', [
  ['TBZ', 'tbz', 'b5 011011 op=0 b40:5 imm14:14 Rt:5'],
  ['TBNZ', 'tbnz', 'b5 011011 op=1 b40:5 imm14:14 Rt:5'],
]);

// ---------------------------------------------------------------------------
// Loads and stores
//
// Exclusive and ordered: size 001000 o2 L o1 Rs o0 Rt2 Rn Rt
def(S.excl, 'excl', [
  ['STXR', 'stxr', 'size:2 001000 o2=0 L=0 o1=0 Rs:5 o0=0 Rt2=(11111) Rn:5 Rt:5'],
  ['STLXR', 'stlxr', 'size:2 001000 o2=0 L=0 o1=0 Rs:5 o0=1 Rt2=(11111) Rn:5 Rt:5'],
  ['LDXR', 'ldxr', 'size:2 001000 o2=0 L=1 o1=0 Rs=(11111) o0=0 Rt2=(11111) Rn:5 Rt:5'],
  ['LDAXR', 'ldaxr', 'size:2 001000 o2=0 L=1 o1=0 Rs=(11111) o0=1 Rt2=(11111) Rn:5 Rt:5'],
  ['STLLR', 'stllr', 'size:2 001000 o2=1 L=0 o1=0 Rs=(11111) o0=0 Rt2=(11111) Rn:5 Rt:5'],
  ['STLR', 'stlr', 'size:2 001000 o2=1 L=0 o1=0 Rs=(11111) o0=1 Rt2=(11111) Rn:5 Rt:5'],
  ['LDLAR', 'ldlar', 'size:2 001000 o2=1 L=1 o1=0 Rs=(11111) o0=0 Rt2=(11111) Rn:5 Rt:5'],
  ['LDAR', 'ldar', 'size:2 001000 o2=1 L=1 o1=0 Rs=(11111) o0=1 Rt2=(11111) Rn:5 Rt:5'],
]);
def(S.excl, 'exclp', [
  ['STXP', 'stxp', '1 sz 001000 o2=0 L=0 o1=1 Rs:5 o0=0 Rt2:5 Rn:5 Rt:5'],
  ['STLXP', 'stlxp', '1 sz 001000 o2=0 L=0 o1=1 Rs:5 o0=1 Rt2:5 Rn:5 Rt:5'],
  ['LDXP', 'ldxp', '1 sz 001000 o2=0 L=1 o1=1 Rs=(11111) o0=0 Rt2:5 Rn:5 Rt:5'],
  ['LDAXP', 'ldaxp', '1 sz 001000 o2=0 L=1 o1=1 Rs=(11111) o0=1 Rt2:5 Rn:5 Rt:5'],
]);
const lse = { feat: 'lse' as const };
def(S.excl, 'cas', [
  ['CAS', 'cas', 'size:2 001000 o2=1 L=0 o1=1 Rs:5 o0=0 Rt2=11111 Rn:5 Rt:5', lse],
  ['CASL', 'casl', 'size:2 001000 o2=1 L=0 o1=1 Rs:5 o0=1 Rt2=11111 Rn:5 Rt:5', lse],
  ['CASA', 'casa', 'size:2 001000 o2=1 L=1 o1=1 Rs:5 o0=0 Rt2=11111 Rn:5 Rt:5', lse],
  ['CASAL', 'casal', 'size:2 001000 o2=1 L=1 o1=1 Rs:5 o0=1 Rt2=11111 Rn:5 Rt:5', lse],
]);
const caspUndef: Partial<EncodingRow> = { ...lse, undef: [{ Rs: 'xxxx1' }, { Rt: 'xxxx1' }] };
def(S.excl, 'casp', [
  ['CASP', 'casp', '0 sz 001000 o2=0 L=0 o1=1 Rs:5 o0=0 Rt2=11111 Rn:5 Rt:5', caspUndef],
  ['CASPL', 'caspl', '0 sz 001000 o2=0 L=0 o1=1 Rs:5 o0=1 Rt2=11111 Rn:5 Rt:5', caspUndef],
  ['CASPA', 'caspa', '0 sz 001000 o2=0 L=1 o1=1 Rs:5 o0=0 Rt2=11111 Rn:5 Rt:5', caspUndef],
  ['CASPAL', 'caspal', '0 sz 001000 o2=0 L=1 o1=1 Rs:5 o0=1 Rt2=11111 Rn:5 Rt:5', caspUndef],
]);
def(S.lit, 'ldr_lit', [
  ['LDR_lit_w', 'ldr', 'opc=00 011 0 00 imm19:19 Rt:5'],
  ['LDR_lit_x', 'ldr', 'opc=01 011 0 00 imm19:19 Rt:5'],
  ['LDRSW_lit', 'ldrsw', 'opc=10 011 0 00 imm19:19 Rt:5'],
  ['PRFM_lit', 'prfm', 'opc=11 011 0 00 imm19:19 Rt:5'],
]);
// Pairs: opc 101 V idx:3 L imm7 Rt2 Rn Rt; idx 000 no-allocate, 001 post, 010 offset, 011 pre.
def(S.pair, 'pair', [
  ['STNP_w', 'stnp', 'opc=00 101 0 idx=000 L=0 imm7:7 Rt2:5 Rn:5 Rt:5'],
  ['LDNP_w', 'ldnp', 'opc=00 101 0 idx=000 L=1 imm7:7 Rt2:5 Rn:5 Rt:5'],
  ['STNP_x', 'stnp', 'opc=10 101 0 idx=000 L=0 imm7:7 Rt2:5 Rn:5 Rt:5'],
  ['LDNP_x', 'ldnp', 'opc=10 101 0 idx=000 L=1 imm7:7 Rt2:5 Rn:5 Rt:5'],
]);
for (const [idx, name] of [['001', 'post'], ['010', 'off'], ['011', 'pre']] as const) {
  def(S.pair, 'pair', [
    [`STP_w_${name}`, 'stp', `opc=00 101 0 idx=${idx} L=0 imm7:7 Rt2:5 Rn:5 Rt:5`],
    [`LDP_w_${name}`, 'ldp', `opc=00 101 0 idx=${idx} L=1 imm7:7 Rt2:5 Rn:5 Rt:5`],
    [`LDPSW_${name}`, 'ldpsw', `opc=01 101 0 idx=${idx} L=1 imm7:7 Rt2:5 Rn:5 Rt:5`],
    [`STP_x_${name}`, 'stp', `opc=10 101 0 idx=${idx} L=0 imm7:7 Rt2:5 Rn:5 Rt:5`],
    [`LDP_x_${name}`, 'ldp', `opc=10 101 0 idx=${idx} L=1 imm7:7 Rt2:5 Rn:5 Rt:5`],
  ]);
}
// Single register, immediate forms: size 111 0 00 opc 0 imm9 idx:2 Rn Rt
// (idx 00 unscaled, 01 post-index, 10 unprivileged, 11 pre-index) and
// size 111 0 01 opc imm12 Rn Rt (unsigned offset).
// opc: 00 store, 01 load zero-extended, 10 load sign-extended to 64 bits,
// 11 load sign-extended to 32 bits; size=11 with opc=10 is PRFM, with opc=11
// unallocated; size=10 with opc=11 unallocated.
const ldstMn: Record<string, string[]> = {
  '00': ['strb', 'ldrb', 'ldrsb', 'ldrsb'],
  '01': ['strh', 'ldrh', 'ldrsh', 'ldrsh'],
  '10': ['str', 'ldr', 'ldrsw', ''],
  '11': ['str', 'ldr', 'prfm', ''],
};
function ldstRows(kind: 'unscaled' | 'post' | 'unpriv' | 'pre' | 'uimm' | 'reg'): void {
  const sec = { unscaled: S.unscaled, post: S.immPost, unpriv: S.unpriv, pre: S.immPre, uimm: S.uimm, reg: S.regOff }[kind];
  const list: [string, string, string, Partial<EncodingRow>?][] = [];
  for (const size of ['00', '01', '10', '11']) {
    for (let o = 0; o < 4; o++) {
      let mn = ldstMn[size][o];
      if (!mn) continue;
      const opc = o.toString(2).padStart(2, '0');
      const prfm = mn === 'prfm';
      if (prfm && (kind === 'post' || kind === 'pre' || kind === 'unpriv')) continue;
      if (kind === 'unscaled') mn = prfm ? 'prfum' : mn.replace(/^(st|ld)r/, '$1ur');
      if (kind === 'unpriv') mn = mn.replace(/^(st|ld)r/, '$1tr');
      const id = `${kind}_${size}_${opc}`;
      const head = `size=${size} 111 0`;
      let pat: string;
      let extra: Partial<EncodingRow> | undefined;
      if (kind === 'uimm') pat = `${head} 01 opc=${opc} imm12:12 Rn:5 Rt:5`;
      else if (kind === 'reg') {
        pat = `${head} 00 opc=${opc} 1 Rm:5 option:3 S 10 Rn:5 Rt:5`;
        extra = { undef: [{ option: 'x0x' }] }; // option<1> must be 1 (UXTW, LSL, SXTW, SXTX)
      } else {
        const idx = { unscaled: '00', post: '01', unpriv: '10', pre: '11' }[kind];
        pat = `${head} 00 opc=${opc} 0 imm9:9 idx=${idx} Rn:5 Rt:5`;
      }
      list.push([id, mn, pat, extra]);
    }
  }
  def(sec, kind === 'uimm' ? 'ldst_uimm' : kind === 'reg' ? 'ldst_reg' : 'ldst_imm9', list);
}
ldstRows('unscaled');
ldstRows('post');
ldstRows('unpriv');
ldstRows('pre');
// Atomic memory operations (LSE): size 111 0 00 A R 1 Rs o3 opc:3 00 Rn Rt
const atomicOps: [string, string, string][] = [
  ['LDADD', 'ldadd', 'o3=0 opc=000'], ['LDCLR', 'ldclr', 'o3=0 opc=001'],
  ['LDEOR', 'ldeor', 'o3=0 opc=010'], ['LDSET', 'ldset', 'o3=0 opc=011'],
  ['LDSMAX', 'ldsmax', 'o3=0 opc=100'], ['LDSMIN', 'ldsmin', 'o3=0 opc=101'],
  ['LDUMAX', 'ldumax', 'o3=0 opc=110'], ['LDUMIN', 'ldumin', 'o3=0 opc=111'],
  ['SWP', 'swp', 'o3=1 opc=000'],
];
def(S.atomic, 'atomic', atomicOps.map(([id, mn, ops]) =>
  [id, mn, `size:2 111 0 00 A R 1 Rs:5 ${ops} 00 Rn:5 Rt:5`, lse] as [string, string, string, Partial<EncodingRow>]));
ldstRows('reg');
ldstRows('uimm');

// ---------------------------------------------------------------------------
// Data processing - register
def(S.dp2, 'dp2', [
  ['UDIV', 'udiv', 'sf 0 S=0 11010110 Rm:5 opcode=000010 Rn:5 Rd:5'],
  ['SDIV', 'sdiv', 'sf 0 S=0 11010110 Rm:5 opcode=000011 Rn:5 Rd:5'],
  ['LSLV', 'lslv', 'sf 0 S=0 11010110 Rm:5 opcode=001000 Rn:5 Rd:5'],
  ['LSRV', 'lsrv', 'sf 0 S=0 11010110 Rm:5 opcode=001001 Rn:5 Rd:5'],
  ['ASRV', 'asrv', 'sf 0 S=0 11010110 Rm:5 opcode=001010 Rn:5 Rd:5'],
  ['RORV', 'rorv', 'sf 0 S=0 11010110 Rm:5 opcode=001011 Rn:5 Rd:5'],
]);
// CRC32 (FEAT_CRC32: optional in Armv8.0, mandatory from Armv8.1): Wd = CRC of Wn
// updated with the low 8 << sz bits of Wm (Xm for the X forms); C selects CRC-32C.
def(S.dp2, 'crc32', (['B', 'H', 'W', 'X'] as const).flatMap((size, sz) => [0, 1].map((C) =>
  [`CRC32${C ? 'C' : ''}${size}`, `crc32${C ? 'c' : ''}${size.toLowerCase()}`,
    `sf=${sz === 3 ? 1 : 0} 0 S=0 11010110 Rm:5 010 C=${C} sz=${sz.toString(2).padStart(2, '0')} Rn:5 Rd:5`] as
    [string, string, string])));
def(S.dp1, 'dp1', [
  ['RBIT', 'rbit', 'sf 1 S=0 11010110 00000 opcode=000000 Rn:5 Rd:5'],
  ['REV16', 'rev16', 'sf 1 S=0 11010110 00000 opcode=000001 Rn:5 Rd:5'],
  ['REV_w', 'rev', 'sf=0 1 S=0 11010110 00000 opcode=000010 Rn:5 Rd:5'],
  ['REV32', 'rev32', 'sf=1 1 S=0 11010110 00000 opcode=000010 Rn:5 Rd:5'],
  ['REV_x', 'rev', 'sf=1 1 S=0 11010110 00000 opcode=000011 Rn:5 Rd:5'],
  ['CLZ', 'clz', 'sf 1 S=0 11010110 00000 opcode=000100 Rn:5 Rd:5'],
  ['CLS', 'cls', 'sf 1 S=0 11010110 00000 opcode=000101 Rn:5 Rd:5'],
]);
const shiftUndef: Partial<EncodingRow> = { undef: [{ sf: 0, imm6: '1xxxxx' }] };
def(S.logReg, 'log_reg', [
  ['AND_reg', 'and', 'sf opc=00 01010 shift:2 N=0 Rm:5 imm6:6 Rn:5 Rd:5', shiftUndef],
  ['BIC_reg', 'bic', 'sf opc=00 01010 shift:2 N=1 Rm:5 imm6:6 Rn:5 Rd:5', shiftUndef],
  ['ORR_reg', 'orr', 'sf opc=01 01010 shift:2 N=0 Rm:5 imm6:6 Rn:5 Rd:5', shiftUndef],
  ['ORN_reg', 'orn', 'sf opc=01 01010 shift:2 N=1 Rm:5 imm6:6 Rn:5 Rd:5', shiftUndef],
  ['EOR_reg', 'eor', 'sf opc=10 01010 shift:2 N=0 Rm:5 imm6:6 Rn:5 Rd:5', shiftUndef],
  ['EON_reg', 'eon', 'sf opc=10 01010 shift:2 N=1 Rm:5 imm6:6 Rn:5 Rd:5', shiftUndef],
  ['ANDS_reg', 'ands', 'sf opc=11 01010 shift:2 N=0 Rm:5 imm6:6 Rn:5 Rd:5', shiftUndef],
  ['BICS_reg', 'bics', 'sf opc=11 01010 shift:2 N=1 Rm:5 imm6:6 Rn:5 Rd:5', shiftUndef],
]);
const addShiftUndef: Partial<EncodingRow> = { undef: [{ shift: '11' }, { sf: 0, imm6: '1xxxxx' }] };
def(S.addsubShift, 'addsub_shift', [
  ['ADD_shift', 'add', 'sf op=0 S=0 01011 shift:2 0 Rm:5 imm6:6 Rn:5 Rd:5', addShiftUndef],
  ['ADDS_shift', 'adds', 'sf op=0 S=1 01011 shift:2 0 Rm:5 imm6:6 Rn:5 Rd:5', addShiftUndef],
  ['SUB_shift', 'sub', 'sf op=1 S=0 01011 shift:2 0 Rm:5 imm6:6 Rn:5 Rd:5', addShiftUndef],
  ['SUBS_shift', 'subs', 'sf op=1 S=1 01011 shift:2 0 Rm:5 imm6:6 Rn:5 Rd:5', addShiftUndef],
]);
const extUndef: Partial<EncodingRow> = { undef: [{ imm3: '101' }, { imm3: '11x' }] };
def(S.addsubExt, 'addsub_ext', [
  ['ADD_ext', 'add', 'sf op=0 S=0 01011 00 1 Rm:5 option:3 imm3:3 Rn:5 Rd:5', extUndef],
  ['ADDS_ext', 'adds', 'sf op=0 S=1 01011 00 1 Rm:5 option:3 imm3:3 Rn:5 Rd:5', extUndef],
  ['SUB_ext', 'sub', 'sf op=1 S=0 01011 00 1 Rm:5 option:3 imm3:3 Rn:5 Rd:5', extUndef],
  ['SUBS_ext', 'subs', 'sf op=1 S=1 01011 00 1 Rm:5 option:3 imm3:3 Rn:5 Rd:5', extUndef],
]);
def(S.adc, 'adc', [
  ['ADC', 'adc', 'sf op=0 S=0 11010000 Rm:5 000000 Rn:5 Rd:5'],
  ['ADCS', 'adcs', 'sf op=0 S=1 11010000 Rm:5 000000 Rn:5 Rd:5'],
  ['SBC', 'sbc', 'sf op=1 S=0 11010000 Rm:5 000000 Rn:5 Rd:5'],
  ['SBCS', 'sbcs', 'sf op=1 S=1 11010000 Rm:5 000000 Rn:5 Rd:5'],
]);
def(S.ccmpReg, 'ccmp_reg', [
  ['CCMN_reg', 'ccmn', 'sf op=0 1 11010010 Rm:5 cond:4 0 0 Rn:5 0 nzcv:4'],
  ['CCMP_reg', 'ccmp', 'sf op=1 1 11010010 Rm:5 cond:4 0 0 Rn:5 0 nzcv:4'],
]);
def(S.ccmpImm, 'ccmp_imm', [
  ['CCMN_imm', 'ccmn', 'sf op=0 1 11010010 imm5:5 cond:4 1 0 Rn:5 0 nzcv:4'],
  ['CCMP_imm', 'ccmp', 'sf op=1 1 11010010 imm5:5 cond:4 1 0 Rn:5 0 nzcv:4'],
]);
def(S.csel, 'csel', [
  ['CSEL', 'csel', 'sf op=0 0 11010100 Rm:5 cond:4 op2=00 Rn:5 Rd:5'],
  ['CSINC', 'csinc', 'sf op=0 0 11010100 Rm:5 cond:4 op2=01 Rn:5 Rd:5'],
  ['CSINV', 'csinv', 'sf op=1 0 11010100 Rm:5 cond:4 op2=00 Rn:5 Rd:5'],
  ['CSNEG', 'csneg', 'sf op=1 0 11010100 Rm:5 cond:4 op2=01 Rn:5 Rd:5'],
]);
const longUndef: Partial<EncodingRow> = { undef: [{ sf: 0 }] };
def(S.dp3, 'dp3', [
  ['MADD', 'madd', 'sf 00 11011 op31=000 Rm:5 o0=0 Ra:5 Rn:5 Rd:5'],
  ['MSUB', 'msub', 'sf 00 11011 op31=000 Rm:5 o0=1 Ra:5 Rn:5 Rd:5'],
  ['SMADDL', 'smaddl', 'sf 00 11011 op31=001 Rm:5 o0=0 Ra:5 Rn:5 Rd:5', longUndef],
  ['SMSUBL', 'smsubl', 'sf 00 11011 op31=001 Rm:5 o0=1 Ra:5 Rn:5 Rd:5', longUndef],
  ['SMULH', 'smulh', 'sf 00 11011 op31=010 Rm:5 o0=0 Ra=(11111) Rn:5 Rd:5', longUndef],
  ['UMADDL', 'umaddl', 'sf 00 11011 op31=101 Rm:5 o0=0 Ra:5 Rn:5 Rd:5', longUndef],
  ['UMSUBL', 'umsubl', 'sf 00 11011 op31=101 Rm:5 o0=1 Ra:5 Rn:5 Rd:5', longUndef],
  ['UMULH', 'umulh', 'sf 00 11011 op31=110 Rm:5 o0=0 Ra=(11111) Rn:5 Rd:5', longUndef],
]);

// ---------------------------------------------------------------------------
// Allocated encodings outside the integer subset: UNDEFINED in this core.
const un: Partial<EncodingRow> = { unimpl: true };
def(S.other, 'unimpl', [
  ['SIMD_FP', '(simd/fp)', 'xxxx 111 xxxxxxxxxxxxxxxxxxxxxxxxx', un],
  ['SIMD_LDST', '(simd/fp load/store)', 'xxxx 1 1 0 xxxxxxxxxxxxxxxxxxxxxxxxx', un],
  ['SVE', '(sve)', 'xxx 0010 xxxxxxxxxxxxxxxxxxxxxxxxx', un],
]);

export const ENCODINGS: readonly EncodingRow[] = rows;
