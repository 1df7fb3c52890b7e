// Operand roles of the core's decoded operations (assembly/ops.ts): which
// fields of a decoded entry (layout.ts, E_RD/E_RN/E_RM/E_RA) an operation
// reads and writes, whether it reads or writes NZCV, and what kind of branch
// or memory access it is. Cycle models need exactly this to follow register
// dependencies, and it does not depend on the model.
//
// Register fields hold register-file slots: XZR as a source is slot 32, which
// nothing writes, and XZR as a destination is slot 33, which nothing reads,
// so a model needs no special case for register 31.

import * as O from '../../assembly/ops.ts';

import * as T from '../../assembly/timing-layout.ts';

// The bits are defined with the models' layout (assembly/timing-layout.ts),
// where the core reads them from the table the host writes (TM_ROLES).
// Reads
export const READ_RN = T.ROLE_READ_RN;
export const READ_RM = T.ROLE_READ_RM;
export const READ_RA = T.ROLE_READ_RA;
/** Rd as a source: store data, CBZ/TBZ operand, MOVK/BFM merge, MSR value. */
export const READ_RD = T.ROLE_READ_RD;
export const READ_NZCV = T.ROLE_READ_NZCV;
// Writes
export const WRITE_RD = T.ROLE_WRITE_RD;
/** ra written: Rt2 of pair loads, the status register of STXR/STXP, Rs of CAS. */
export const WRITE_RA = T.ROLE_WRITE_RA;
/** The base register (pre/post-index writeback). */
export const WRITE_RN = T.ROLE_WRITE_RN;
/** rm written: Rt2 of LDXP, the pair Rs of CASP. */
export const WRITE_RM = T.ROLE_WRITE_RM;
export const WRITE_NZCV = T.ROLE_WRITE_NZCV;
/** X30, the link register of BL/BLR. */
export const WRITE_LR = T.ROLE_WRITE_LR;
// Kind, bits 11..13
export const KIND_SHIFT = T.ROLE_KIND_SHIFT;
export const KIND_MASK = T.ROLE_KIND_MASK;
export const KIND_NONE = T.KIND_NONE;
export const KIND_LOAD = T.KIND_LOAD;
export const KIND_STORE = T.KIND_STORE;
/** Conditional direct branch (B.cond, CBZ/CBNZ, TBZ/TBNZ). */
export const KIND_COND = T.KIND_COND;
/** Unconditional direct branch or call (B, BL). */
export const KIND_DIRECT = T.KIND_DIRECT;
/** Indirect branch or call (BR, BLR). */
export const KIND_INDIRECT = T.KIND_INDIRECT;
export const KIND_RET = T.KIND_RET;
/** Everything that leaves the straight line for the host or the exception logic (SVC, ERET, WFI, system registers...). */
export const KIND_SYSTEM = T.KIND_SYSTEM;
/** An operand shift or extend picks a slower form in some models (b0/b1 of shifted- and extended-register forms). */
export const SHIFTED = T.ROLE_SHIFTED;
/** A load or store that also reads and writes memory atomically (exclusives, CAS, LD<op>, SWP). */
export const ATOMIC = T.ROLE_ATOMIC;
/** rd and rm name even-odd register pairs (CASP: Rt, Rt+1 and Rs, Rs+1). */
export const PAIR_REGS = T.ROLE_PAIR_REGS;
/** Ordered against the other loads and stores: every ATOMIC operation, LDAR and STLR. */
export const ORDERED = T.ROLE_ORDERED;

const kind = (k: number): number => k << KIND_SHIFT;

/** The roles of one operation; 0 for operations the core does not have. */
export function rolesOf(op: number): number {
  const r = accessRoles(op);
  return r & ATOMIC || op === O.OP_LDAR || op === O.OP_STLR ? r | ORDERED : r;
}

function accessRoles(op: number): number {
  if (op >= O.OP_LDST_FIRST && op <= O.OP_LDST_LAST) {
    const k = (op - O.OP_LDST_FIRST) % O.LDST_KINDS;
    const mode = Math.floor((op - O.OP_LDST_FIRST) / O.LDST_KINDS);
    let r = READ_RN | (k < 4 ? READ_RD | kind(KIND_STORE) : WRITE_RD | kind(KIND_LOAD));
    if (mode === O.LDST_MODE_REG) r |= READ_RM;
    if (mode === O.LDST_MODE_PRE || mode === O.LDST_MODE_POST) r |= WRITE_RN;
    return r;
  }
  if (op >= O.OP_PAIR_FIRST && op <= O.OP_PAIR_LAST) {
    const k = (op - O.OP_PAIR_FIRST) % 5;
    const mode = Math.floor((op - O.OP_PAIR_FIRST) / 5);
    let r = READ_RN | (k < 2 ? READ_RD | READ_RA | kind(KIND_STORE) : WRITE_RD | WRITE_RA | kind(KIND_LOAD));
    if (mode !== 0) r |= WRITE_RN;
    return r;
  }
  if (op >= O.OP_AND_X && op <= O.OP_SUBS_W) {
    const flags = (op >= O.OP_ANDS_X && op <= O.OP_BICS_W) || op === O.OP_ADDS_X || op === O.OP_ADDS_W || op === O.OP_SUBS_X || op === O.OP_SUBS_W;
    return READ_RN | READ_RM | WRITE_RD | SHIFTED | (flags ? WRITE_NZCV : 0);
  }
  if (op >= O.OP_ADDE_X && op <= O.OP_SUBSE_W) {
    const flags = op === O.OP_ADDSE_X || op === O.OP_ADDSE_W || op === O.OP_SUBSE_X || op === O.OP_SUBSE_W;
    return READ_RN | READ_RM | WRITE_RD | SHIFTED | (flags ? WRITE_NZCV : 0);
  }
  if (op >= O.OP_ADC_X && op <= O.OP_SBCS_W) {
    const flags = op === O.OP_ADCS_X || op === O.OP_ADCS_W || op === O.OP_SBCS_X || op === O.OP_SBCS_W;
    return READ_RN | READ_RM | READ_NZCV | WRITE_RD | (flags ? WRITE_NZCV : 0);
  }
  if (op >= O.OP_CCMN_X && op <= O.OP_CCMPI_W) {
    const immediate = op >= O.OP_CCMNI_X;
    return READ_RN | (immediate ? 0 : READ_RM) | READ_NZCV | WRITE_NZCV;
  }
  if (op >= O.OP_CSEL_X && op <= O.OP_CSNEG_W) return READ_RN | READ_RM | READ_NZCV | WRITE_RD;
  if (op >= O.OP_MADD_X && op <= O.OP_UMSUBL) return READ_RN | READ_RM | READ_RA | WRITE_RD;
  if (op >= O.OP_UDIV_X && op <= O.OP_RORV_W) return READ_RN | READ_RM | WRITE_RD;
  if (op >= O.OP_RBIT_X && op <= O.OP_CLS_W) return READ_RN | WRITE_RD;
  switch (op) {
    case O.OP_NOP: return 0;
    case O.OP_MOVI: return WRITE_RD;
    case O.OP_MOVK_X: case O.OP_MOVK_W: return READ_RD | WRITE_RD;
    case O.OP_ADDI_X: case O.OP_ADDI_W: case O.OP_ANDI: case O.OP_ORRI_X: case O.OP_ORRI_W:
    case O.OP_EORI_X: case O.OP_EORI_W: case O.OP_UBFM_X: case O.OP_UBFM_W: case O.OP_SBFM_X: case O.OP_SBFM_W:
      return READ_RN | WRITE_RD;
    case O.OP_ADDSI_X: case O.OP_ADDSI_W: case O.OP_SUBSI_X: case O.OP_SUBSI_W: case O.OP_ANDSI_X: case O.OP_ANDSI_W:
      return READ_RN | WRITE_RD | WRITE_NZCV;
    case O.OP_MOV_X: case O.OP_MOV_W: return READ_RM | WRITE_RD;
    case O.OP_BFM_X: case O.OP_BFM_W: return READ_RD | READ_RN | WRITE_RD;
    case O.OP_EXTR_X: case O.OP_EXTR_W: return READ_RN | READ_RM | WRITE_RD;
    case O.OP_B: return kind(KIND_DIRECT);
    case O.OP_BL: return WRITE_LR | kind(KIND_DIRECT);
    case O.OP_BCOND: return READ_NZCV | kind(KIND_COND);
    case O.OP_CBZ_X: case O.OP_CBNZ_X: case O.OP_CBZ_W: case O.OP_CBNZ_W: case O.OP_TBZ: case O.OP_TBNZ:
      return READ_RD | kind(KIND_COND);
    case O.OP_BR: return READ_RN | kind(KIND_INDIRECT);
    case O.OP_BLR: return READ_RN | WRITE_LR | kind(KIND_INDIRECT);
    case O.OP_RET: return READ_RN | kind(KIND_RET);
    case O.OP_SVC: case O.OP_HVC: case O.OP_BRK: case O.OP_HLT: case O.OP_WFI: case O.OP_WFE:
    case O.OP_SEV: case O.OP_CLREX: case O.OP_ISB: case O.OP_ERET:
      return kind(KIND_SYSTEM);
    // MRS writes Rt and MSR reads it (the entry keeps Rt in rd); MRS NZCV and MSR NZCV move the flags
    case O.OP_SYSTEM: return READ_RD | WRITE_RD | READ_NZCV | WRITE_NZCV | kind(KIND_SYSTEM);
    case O.OP_LDR_LIT_W: case O.OP_LDR_LIT_X: case O.OP_LDRSW_LIT: return WRITE_RD | kind(KIND_LOAD);
    case O.OP_LDXR: case O.OP_LDAR: return READ_RN | WRITE_RD | kind(KIND_LOAD) | (op === O.OP_LDXR ? ATOMIC : 0);
    // the entry keeps Rt in rd, Rt2 in rm and the status register Rs in ra
    case O.OP_LDXP: return READ_RN | WRITE_RD | WRITE_RM | kind(KIND_LOAD) | ATOMIC;
    case O.OP_STXR: return READ_RN | READ_RD | WRITE_RA | kind(KIND_STORE) | ATOMIC;
    case O.OP_STXP: return READ_RN | READ_RD | READ_RM | WRITE_RA | kind(KIND_STORE) | ATOMIC;
    case O.OP_STLR: return READ_RN | READ_RD | kind(KIND_STORE);
    // CAS: Rs is compared (rm, reading XZR as zero) and receives the old value (ra); Rt (rd) is stored
    case O.OP_CAS: return READ_RN | READ_RM | READ_RD | WRITE_RA | kind(KIND_STORE) | ATOMIC;
    case O.OP_CASP: return READ_RN | READ_RM | READ_RD | WRITE_RM | PAIR_REGS | kind(KIND_STORE) | ATOMIC;
    // LD<op>/SWP: Rs (rm) is the operand, Rt (rd) receives the old value
    case O.OP_ATOMIC: return READ_RN | READ_RM | WRITE_RD | kind(KIND_STORE) | ATOMIC;
    case O.OP_SMULH: case O.OP_UMULH: case O.OP_MUL_X: case O.OP_MUL_W: case O.OP_CRC32:
      return READ_RN | READ_RM | WRITE_RD;
    default: return 0;
  }
}
