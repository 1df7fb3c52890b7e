// Encodings that llvm-mc (LLVM 14, every feature enabled) disassembles but the
// core decodes as unallocated, by class. Each class is a set of bit patterns
// (most significant bit first, x = any) from the Arm ARM's encoding index.
//
// `tableGap` classes are allocated encodings of features the core does not
// implement: the encoding table should list them as `unimpl` rows (they are
// UNDEFINED in the core either way, but the disassembler and the decoder
// fuzzer then call them allocated). The other classes are not gaps: LLVM is
// more lenient than the architecture there.

export interface GapClass {
  readonly name: string;
  readonly feature: string;
  readonly patterns: readonly string[];
  readonly tableGap: boolean;
  readonly note?: string;
}

/** The -mattr list under which llvm-mc knows every A64 encoding LLVM 14 has. */
export const LLVM_ALL_FEATURES = [
  '+v8.8a', '+v9.3a', '+sve', '+sve2', '+sve2-aes', '+sve2-bitperm', '+sve2-sha3', '+sve2-sm4', '+sme', '+sme-f64',
  '+sme-i64', '+mte', '+tme', '+ls64', '+spe', '+rand', '+fullfp16', '+fp16fml', '+bf16', '+i8mm', '+f32mm', '+f64mm',
  '+crypto', '+sha3', '+sm4', '+aes', '+sha2', '+pauth', '+predres', '+sb', '+ssbs', '+rcpc', '+rcpc-immo', '+dotprod',
  '+altnzcv', '+fptoint', '+flagm', '+xs', '+wfxt', '+hbc', '+mops', '+brbe', '+spe-eef', '+el2vmsa', '+el3', '+ete',
  '+trbe', '+lor', '+pan', '+pan-rwv', '+ras', '+rdm', '+uaops', '+vh', '+ccpp', '+ccdp', '+ccidx', '+dit', '+jsconv',
  '+complxnum', '+nv', '+mpam', '+am', '+tracev8.4', '+sel2', '+tlb-rmi', '+fgt', '+ecv', '+crc', '+lse', '+lse2', '+bti',
  '+rme', '+hcx',
].join(',');

/** The features the core implements (Armv8.1: LSE, LOR...; SB), as llvm-mc names them. */
export const LLVM_CORE_FEATURES = '+v8.1a,+lse,+lor,+rdm,+crc,+sb';

export const KNOWN_GAPS: readonly GapClass[] = [
  { name: 'PAC data processing (pacia..autdzb, xpaci, xpacd; pacga)', feature: 'FEAT_PAuth', tableGap: true,
    patterns: [
      '1 1 0 11010110 00001 00xxxx xxxxx xxxxx', //  pacia..autdzb
      '1 1 0 11010110 00001 01000x 11111 xxxxx', //  xpaci, xpacd
      '1 0 0 11010110 xxxxx 001100 xxxxx xxxxx', //  pacga
    ] },
  { name: 'PAC branches (braa, brab, braaz, blraa, blraaz, retaa, eretaa...)', feature: 'FEAT_PAuth', tableGap: true,
    patterns: ['1101011 xxxx 11111 0000 1x xxxxx xxxxx'] },
  { name: 'PAC loads (ldraa, ldrab)', feature: 'FEAT_PAuth', tableGap: true,
    patterns: ['11 111 0 00 x x 1 xxxxxxxxx x 1 xxxxx xxxxx'] },
  { name: 'MTE (addg, subg, irg, gmi, subp, subps, stg, stzg, st2g, stz2g, ldg, stgm, stzgm, ldgm, stgp)',
    feature: 'FEAT_MTE', tableGap: true,
    patterns: [
      '1 x 0 100011 0 xxxxxx xx xxxx xxxxx xxxxx', //        addg, subg
      '1 0 0 11010110 xxxxx 00010x xxxxx xxxxx', //          irg, gmi
      '1 0 x 11010110 xxxxx 000000 xxxxx xxxxx', //          subp, subps
      '11011001 xx 1 xxxxxxxxx xx xxxxx xxxxx', //           tag loads and stores
      '01 101 0 0xx 0 xxxxxxx xxxxx xxxxx xxxxx', //         stgp
    ] },
  { name: 'Load-acquire RCpc (ldapr, ldaprb, ldaprh)', feature: 'FEAT_LRCPC (Armv8.3)', tableGap: true,
    patterns: ['xx 111 0 00 1 0 1 11111 1 100 00 xxxxx xxxxx'] },
  { name: 'RCpc unscaled (ldapur*, stlur*)', feature: 'FEAT_LRCPC2 (Armv8.4)', tableGap: true,
    patterns: ['xx 011001 xx 0 xxxxxxxxx 00 xxxxx xxxxx'] },
  { name: 'Memory copy and set (cpyf*, set*)', feature: 'FEAT_MOPS (Armv8.8)', tableGap: true,
    patterns: ['xx 011001 xx 0 xxxxx xxxx 01 xxxxx xxxxx'] },
  { name: 'Hinted conditional branch (bc.cond)', feature: 'FEAT_HBC (Armv8.8)', tableGap: true,
    patterns: ['01010100 xxxxxxxxxxxxxxxxxxx 1 xxxx'] },
  { name: 'Transactional memory (tstart, ttest, tcommit, tcancel)', feature: 'FEAT_TME', tableGap: true,
    patterns: [
      '1101010100 1 00 011 0011 000x 011 xxxxx', //   tstart, ttest
      '1101010100 0 00 011 0011 0000 011 11111', //   tcommit
      '11010100 011 xxxxxxxxxxxxxxxx 000 00', //      tcancel
    ] },
  { name: '64-byte loads and stores (ld64b, st64b, st64bv, st64bv0)', feature: 'FEAT_LS64', tableGap: true,
    patterns: ['11 111 0 00 0 0 1 xxxxx 1 xxx 00 xxxxx xxxxx'] },
  { name: 'SME (fmopa, smopa, ld1b za..., mova, addha, zero...)', feature: 'FEAT_SME', tableGap: true,
    patterns: ['1 xx 0000 xxxxxxxxxxxxxxxxxxxxxxxxx'] },
  { name: 'Flag manipulation (rmif, setf8, setf16)', feature: 'FEAT_FlagM (Armv8.4)', tableGap: true,
    patterns: ['1 0 1 11010000 xxxxxx 00001 xxxxx 0 xxxx', '0 0 1 11010000 000000 x 0010 xxxxx 0 1101'] },
  { name: 'WFE/WFI with timeout (wfet, wfit)', feature: 'FEAT_WFxT (Armv8.7)', tableGap: true,
    patterns: ['1101010100 0 00 011 0001 0000 00x xxxxx'] },
  { name: 'DSB nXS', feature: 'FEAT_XS (Armv8.7)', tableGap: true,
    patterns: ['1101010100 0 00 011 0011 xx10 001 11111'] },
  { name: 'SB with CRm != 0', feature: 'FEAT_SB', tableGap: true,
    note: 'CRm is should-be-zero (0000) in SB: the table fixes it, so other values decode as unallocated',
    patterns: ['1101010100 0 00 011 0011 xxxx 111 11111'] },
  { name: 'UDF #imm16', feature: 'permanently undefined', tableGap: false,
    note: 'allocated as UDF by the architecture; UNDEFINED in the core like an unallocated word',
    patterns: ['0000000000000000 xxxxxxxxxxxxxxxx'] },
  { name: 'MRS/MSR with op0 = 0 (generic S0_op1_Cn_Cm_op2 names)', feature: 'none', tableGap: false,
    note: 'architecturally unallocated; LLVM prints any op0 = 0 system register encoding',
    patterns: ['1101010100 x 00 xxx xxxx xxxx xxx xxxxx'] },
];

interface Compiled { cls: GapClass; mask: number; value: number }

function compile(pattern: string, where: string): { mask: number; value: number } {
  const bits = pattern.replace(/\s+/g, '');
  if (!/^[01x]{32}$/.test(bits)) throw new Error(`gap pattern ${where}: ${bits.length} bits, expected 32: ${pattern}`);
  let mask = 0;
  let value = 0;
  for (let i = 0; i < 32; i++) {
    const b = 31 - i;
    if (bits[i] === 'x') continue;
    mask |= 1 << b;
    if (bits[i] === '1') value |= 1 << b;
  }
  return { mask: mask >>> 0, value: value >>> 0 };
}

const COMPILED: Compiled[] = KNOWN_GAPS.flatMap((cls) => cls.patterns.map((p) => ({ cls, ...compile(p, cls.name) })));

/** The first known class a word falls in. */
export function gapClass(word: number): GapClass | undefined {
  for (const c of COMPILED) if (((word & c.mask) >>> 0) === c.value) return c.cls;
  return undefined;
}
