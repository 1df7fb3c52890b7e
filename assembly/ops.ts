// Operations of the decoded-instruction cache: what the execute loop switches
// on. The predecoders (predecode.ts) choose one per instruction and resolve
// everything that does not depend on register values (immediates, masks,
// shift amounts, absolute branch targets, register slots).
//
// Suffix _X: 64-bit operation; _W: 32-bit operation (result zero-extended).
// Entry fields used by each operation are noted as rd/rn/rm/ra, b0/b1, aux, imm.

export const OP_UNDEF: u16 = 0; //        undefined instruction
export const OP_NOP: u16 = 1; //          hints, barriers, prefetches
export const OP_MOVI: u16 = 2; //         rd = imm (ADR, ADRP, MOVZ, MOVN, MOV bitmask)
export const OP_MOVK_X: u16 = 3; //       rd = rd & ~(0xffff << b0) | imm
export const OP_MOVK_W: u16 = 4;
export const OP_ADDI_X: u16 = 5; //       rd = rn + imm (SUB uses -imm)
export const OP_ADDI_W: u16 = 6;
export const OP_ADDSI_X: u16 = 7; //      rd = rn + imm, flags
export const OP_ADDSI_W: u16 = 8;
export const OP_SUBSI_X: u16 = 9; //      rd = rn - imm, flags
export const OP_SUBSI_W: u16 = 10;
export const OP_ANDI: u16 = 11; //        rd = rn & imm (imm already 32-bit for W)
export const OP_ORRI_X: u16 = 12; //      rd = rn | imm
export const OP_ORRI_W: u16 = 13;
export const OP_EORI_X: u16 = 14; //      rd = rn ^ imm
export const OP_EORI_W: u16 = 15;
export const OP_ANDSI_X: u16 = 16; //     rd = rn & imm, flags
export const OP_ANDSI_W: u16 = 17;
export const OP_UBFM_X: u16 = 18; //      rd = (rn << b0) >>> b1
export const OP_UBFM_W: u16 = 19;
export const OP_SBFM_X: u16 = 20; //      rd = (rn << b0) >> b1 (arithmetic)
export const OP_SBFM_W: u16 = 21;
export const OP_BFM_X: u16 = 22; //       rd = rd & ~(imm << b1) | ((rn >>> b0) & imm) << b1
export const OP_BFM_W: u16 = 23;
export const OP_EXTR_X: u16 = 24; //      rd = (rn:rm) >> b0
export const OP_EXTR_W: u16 = 25;

export const OP_B: u16 = 26; //           pc = imm
export const OP_BL: u16 = 27; //          x30 = pc + 4, pc = imm
export const OP_BCOND: u16 = 28; //       if cond(b0) pc = imm
export const OP_CBZ_X: u16 = 29; //       if rd == 0 pc = imm (rd holds Rt)
export const OP_CBNZ_X: u16 = 30;
export const OP_CBZ_W: u16 = 31;
export const OP_CBNZ_W: u16 = 32;
export const OP_TBZ: u16 = 33; //         if bit b0 of rd is 0, pc = imm
export const OP_TBNZ: u16 = 34;
export const OP_BR: u16 = 35; //          pc = rn
export const OP_BLR: u16 = 36; //         x30 = pc + 4, pc = rn
export const OP_RET: u16 = 37; //         pc = rn
export const OP_SVC: u16 = 38; //         exit to host (aux = imm16)
export const OP_HVC: u16 = 39;
export const OP_BRK: u16 = 40;
export const OP_HLT: u16 = 41;
export const OP_WFI: u16 = 42;
export const OP_WFE: u16 = 43;
export const OP_SEV: u16 = 44; //         b0 = 0 SEV (every CPU), 1 SEVL (this CPU)
export const OP_CLREX: u16 = 45;
export const OP_ISB: u16 = 46;
export const OP_SYSTEM: u16 = 47; //      MRS/MSR/SYS/MSR-imm: slow path in system.ts (aux = kind|encoding)
export const OP_ERET: u16 = 48;

// Loads and stores. Addressing (entry fields): rn base, imm offset; for _R
// forms rm index with b0 = extend (option) and b1 = shift; pre/post forms
// write the base back. rd holds Rt, ra holds Rt2 for pairs.
// The access kind K is encoded in the operation number: see LD_KINDS.
export const OP_LDST_FIRST: u16 = 64;
// kinds: 0 strb 1 strh 2 str w 3 str x 4 ldrb 5 ldrh 6 ldr w 7 ldr x
//        8 ldrsb x 9 ldrsh x 10 ldrsw 11 ldrsb w 12 ldrsh w
export const LDST_KINDS: u16 = 13;
// modes: 0 base+imm, 1 pre-index, 2 post-index, 3 base+register
export const LDST_MODE_OFF: u16 = 0;
export const LDST_MODE_PRE: u16 = 1;
export const LDST_MODE_POST: u16 = 2;
export const LDST_MODE_REG: u16 = 3;
// op = OP_LDST_FIRST + mode * LDST_KINDS + kind  (64 .. 115)
export const OP_LDST_LAST: u16 = 115;

// Pairs: kinds 0 stp w, 1 stp x, 2 ldp w, 3 ldp x, 4 ldpsw; modes 0 off, 1 pre, 2 post
export const OP_PAIR_FIRST: u16 = 120; // op = OP_PAIR_FIRST + mode * 5 + kind (120 .. 134)
export const OP_PAIR_LAST: u16 = 134;

export const OP_LDR_LIT_W: u16 = 135; //  rd = [imm]
export const OP_LDR_LIT_X: u16 = 136;
export const OP_LDRSW_LIT: u16 = 137;

// Exclusives, ordered and atomics: b0 = log2(size), b1 = flags (acquire/release)
export const OP_LDXR: u16 = 140;
export const OP_STXR: u16 = 141; //       rm = status register (Rs)
export const OP_LDXP: u16 = 142; //       ra = Rt2
export const OP_STXP: u16 = 143;
export const OP_LDAR: u16 = 144;
export const OP_STLR: u16 = 145;
export const OP_CAS: u16 = 146; //        rm = Rs
export const OP_CASP: u16 = 147;
export const OP_ATOMIC: u16 = 148; //     aux = atomic op (0 add 1 clr 2 eor 3 set 4 smax 5 smin 6 umax 7 umin 8 swp)

// Data processing (register)
export const OP_UDIV_X: u16 = 150;
export const OP_UDIV_W: u16 = 151;
export const OP_SDIV_X: u16 = 152;
export const OP_SDIV_W: u16 = 153;
export const OP_LSLV_X: u16 = 154;
export const OP_LSLV_W: u16 = 155;
export const OP_LSRV_X: u16 = 156;
export const OP_LSRV_W: u16 = 157;
export const OP_ASRV_X: u16 = 158;
export const OP_ASRV_W: u16 = 159;
export const OP_RORV_X: u16 = 160;
export const OP_RORV_W: u16 = 161;
export const OP_RBIT_X: u16 = 162;
export const OP_RBIT_W: u16 = 163;
export const OP_REV16_X: u16 = 164;
export const OP_REV16_W: u16 = 165;
export const OP_REV32_X: u16 = 166;
export const OP_REV_W: u16 = 167;
export const OP_REV_X: u16 = 168;
export const OP_CLZ_X: u16 = 169;
export const OP_CLZ_W: u16 = 170;
export const OP_CLS_X: u16 = 171;
export const OP_CLS_W: u16 = 172;

// Logical and add/sub with shifted register: b0 = shift type, b1 = amount.
// Base op + 0 for X, + 1 for W.
export const OP_AND_X: u16 = 180;
export const OP_AND_W: u16 = 181;
export const OP_BIC_X: u16 = 182;
export const OP_BIC_W: u16 = 183;
export const OP_ORR_X: u16 = 184;
export const OP_ORR_W: u16 = 185;
export const OP_ORN_X: u16 = 186;
export const OP_ORN_W: u16 = 187;
export const OP_EOR_X: u16 = 188;
export const OP_EOR_W: u16 = 189;
export const OP_EON_X: u16 = 190;
export const OP_EON_W: u16 = 191;
export const OP_ANDS_X: u16 = 192;
export const OP_ANDS_W: u16 = 193;
export const OP_BICS_X: u16 = 194;
export const OP_BICS_W: u16 = 195;
export const OP_ADD_X: u16 = 196;
export const OP_ADD_W: u16 = 197;
export const OP_ADDS_X: u16 = 198;
export const OP_ADDS_W: u16 = 199;
export const OP_SUB_X: u16 = 200;
export const OP_SUB_W: u16 = 201;
export const OP_SUBS_X: u16 = 202;
export const OP_SUBS_W: u16 = 203;
// Plain register moves and LSL-0 forms, the commonest of all
export const OP_MOV_X: u16 = 204; //      rd = rm
export const OP_MOV_W: u16 = 205; //      rd = rm & 0xffffffff
// Extended register: b0 = option, b1 = shift (0..4)
export const OP_ADDE_X: u16 = 206;
export const OP_ADDE_W: u16 = 207;
export const OP_ADDSE_X: u16 = 208;
export const OP_ADDSE_W: u16 = 209;
export const OP_SUBE_X: u16 = 210;
export const OP_SUBE_W: u16 = 211;
export const OP_SUBSE_X: u16 = 212;
export const OP_SUBSE_W: u16 = 213;
// With carry
export const OP_ADC_X: u16 = 214;
export const OP_ADC_W: u16 = 215;
export const OP_ADCS_X: u16 = 216;
export const OP_ADCS_W: u16 = 217;
export const OP_SBC_X: u16 = 218;
export const OP_SBC_W: u16 = 219;
export const OP_SBCS_X: u16 = 220;
export const OP_SBCS_W: u16 = 221;
// Conditional compare: b0 = cond, b1 = nzcv if the condition fails; rm or imm
export const OP_CCMN_X: u16 = 222;
export const OP_CCMN_W: u16 = 223;
export const OP_CCMP_X: u16 = 224;
export const OP_CCMP_W: u16 = 225;
export const OP_CCMNI_X: u16 = 226;
export const OP_CCMNI_W: u16 = 227;
export const OP_CCMPI_X: u16 = 228;
export const OP_CCMPI_W: u16 = 229;
// Conditional select: b0 = cond
export const OP_CSEL_X: u16 = 230;
export const OP_CSEL_W: u16 = 231;
export const OP_CSINC_X: u16 = 232;
export const OP_CSINC_W: u16 = 233;
export const OP_CSINV_X: u16 = 234;
export const OP_CSINV_W: u16 = 235;
export const OP_CSNEG_X: u16 = 236;
export const OP_CSNEG_W: u16 = 237;
// Three source
export const OP_MADD_X: u16 = 238;
export const OP_MADD_W: u16 = 239;
export const OP_MSUB_X: u16 = 240;
export const OP_MSUB_W: u16 = 241;
export const OP_SMADDL: u16 = 242;
export const OP_SMSUBL: u16 = 243;
export const OP_UMADDL: u16 = 244;
export const OP_UMSUBL: u16 = 245;
export const OP_SMULH: u16 = 246;
export const OP_UMULH: u16 = 247;
export const OP_MUL_X: u16 = 248; //      MADD with XZR accumulator
export const OP_MUL_W: u16 = 249;
// CRC32/CRC32C: rd = CRC of rn (32 bits) updated with the low 8 << b0 bits of rm; b1 = 1 for CRC-32C
export const OP_CRC32: u16 = 250;

export const OP_COUNT: u16 = 251;
