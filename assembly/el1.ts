// MRS/MSR of the EL1 system registers, the GICv3 CPU interface, the virtual
// timer, and MSR (immediate) to PSTATE.DAIF and PSTATE.SPSel. Everything here
// is UNDEFINED at EL0 except the virtual timer registers when
// CNTKCTL_EL1.EL0VTEN (bit 9) is set. DAIF is not accessible at EL0 either
// (SCTLR_EL1.UMA is treated as 0). A write that can change whether an
// interrupt is taken returns EXIT_RESCAN: the instruction completes and
// step() re-checks interrupts and the timer before going on.

import {
  C_CNTKCTL, C_CNTV_CTL, C_CNTV_CVAL, C_CONTEXTIDR, C_CPACR_EL1, C_CPU_INDEX, C_DAIF, C_EL,
  C_ELR_EL1, C_ESR_EL1, C_FAR_EL1, C_ICC_ACTIVE, C_ICC_BPR1, C_ICC_CTLR, C_ICC_IGRPEN1, C_ICC_PMR,
  C_MAIR_EL1, C_SCTLR_EL1, C_SP_EL0, C_SPSEL, C_SPSR_EL1, C_TCR_EL1, C_TPIDR_EL1, C_TTBR0_EL1,
  C_TTBR1_EL1, C_VBAR_EL1, DAIF_ALL, DAIF_I, EXIT_RESCAN, EXIT_UNDEF,
  PSTATE_DAIFSET, SYSREG_DAIF, SYSREG_TPIDR_EL1,
} from './layout';
import { counter } from './system';
import { switchSp } from './exceptions';
import {
  acknowledge, CTL_ENABLE, CTL_IMASK, CTL_ISTATUS, endOfInterrupt, highestPending, irqSignaled,
  timerStatus, writeSgi1r,
} from './gic';

const CONTINUE: i32 = -1;

// o0:op1:CRn:CRm:op2 (op0 = 3)
const SPSR_EL1: u32 = 0x4200; //        S3_0_C4_C0_0
const ELR_EL1: u32 = 0x4201; //         S3_0_C4_C0_1
const SP_EL0: u32 = 0x4208; //          S3_0_C4_C1_0
const SPSEL: u32 = 0x4210; //           S3_0_C4_C2_0
const DAIF: u32 = SYSREG_DAIF;
const ICC_PMR_EL1: u32 = 0x4230; //     S3_0_C4_C6_0
const SCTLR_EL1: u32 = 0x4080; //       S3_0_C1_C0_0
const CPACR_EL1: u32 = 0x4082; //       S3_0_C1_C0_2
const TTBR0_EL1: u32 = 0x4100; //       S3_0_C2_C0_0
const TTBR1_EL1: u32 = 0x4101; //       S3_0_C2_C0_1
const TCR_EL1: u32 = 0x4102; //         S3_0_C2_C0_2
const ESR_EL1: u32 = 0x4290; //         S3_0_C5_C2_0
const FAR_EL1: u32 = 0x4300; //         S3_0_C6_C0_0
const MAIR_EL1: u32 = 0x4510; //        S3_0_C10_C2_0
const VBAR_EL1: u32 = 0x4600; //        S3_0_C12_C0_0
const ISR_EL1: u32 = 0x4608; //         S3_0_C12_C1_0
const ICC_RPR_EL1: u32 = 0x465b; //     S3_0_C12_C11_3
const ICC_SGI1R_EL1: u32 = 0x465d; //   S3_0_C12_C11_5
const ICC_IAR1_EL1: u32 = 0x4660; //    S3_0_C12_C12_0
const ICC_EOIR1_EL1: u32 = 0x4661; //   S3_0_C12_C12_1
const ICC_HPPIR1_EL1: u32 = 0x4662; //  S3_0_C12_C12_2
const ICC_BPR1_EL1: u32 = 0x4663; //    S3_0_C12_C12_3
const ICC_CTLR_EL1: u32 = 0x4664; //    S3_0_C12_C12_4
const ICC_SRE_EL1: u32 = 0x4665; //     S3_0_C12_C12_5
const ICC_IGRPEN1_EL1: u32 = 0x4667; // S3_0_C12_C12_7
const CONTEXTIDR_EL1: u32 = 0x4681; //  S3_0_C13_C0_1
const TPIDR_EL1: u32 = SYSREG_TPIDR_EL1;
const CNTKCTL_EL1: u32 = 0x4708; //     S3_0_C14_C1_0
const CNTV_TVAL_EL0: u32 = 0x5f18; //   S3_3_C14_C3_0
const CNTV_CTL_EL0: u32 = 0x5f19; //    S3_3_C14_C3_1
const CNTV_CVAL_EL0: u32 = 0x5f1a; //   S3_3_C14_C3_2

// PSTATE fields of MSR (immediate): op1 << 11 | 4 << 7 | CRm << 3 | op2, CRm cleared
const PSTATE_SPSEL: u32 = (0 << 11) | (4 << 7) | 5;
const PSTATE_DAIFSET_FIELD: u32 = PSTATE_DAIFSET;
const PSTATE_DAIFCLR: u32 = (3 << 11) | (4 << 7) | 7;

const EL0VTEN: u32 = 1 << 9;
const SRE_VALUE: u64 = 7; // SRE, DFB, DIB: system register interface only, bypass disabled

/** Whether the last readEl1 knew the register (an instance-local global). */
export let el1Known = false;

@inline function timerReg(r: u32): bool { return r == CNTV_CTL_EL0 || r == CNTV_CVAL_EL0 || r == CNTV_TVAL_EL0; }

/** Whether register `r` can be accessed at the current EL (false: UNDEFINED). */
function accessible(st: usize, r: u32): bool {
  if (load<u32>(st + C_EL) != 0) return r != SP_EL0 || load<u32>(st + C_SPSEL) != 0;
  return timerReg(r) && (load<u32>(st + C_CNTKCTL) & EL0VTEN) != 0;
}

export function readEl1(st: usize, r: u32, inflight: u64): u64 {
  el1Known = true;
  if (accessible(st, r)) {
    switch (r) {
      case CNTV_CTL_EL0: return <u64>(load<u32>(st + C_CNTV_CTL) | (timerStatus(st, inflight) ? CTL_ISTATUS : 0));
      case CNTV_CVAL_EL0: return load<u64>(st + C_CNTV_CVAL);
      case CNTV_TVAL_EL0: return (load<u64>(st + C_CNTV_CVAL) - counter(st, inflight)) & 0xffffffff;
      case VBAR_EL1: return load<u64>(st + C_VBAR_EL1);
      case ELR_EL1: return load<u64>(st + C_ELR_EL1);
      case SPSR_EL1: return load<u64>(st + C_SPSR_EL1);
      case ESR_EL1: return load<u64>(st + C_ESR_EL1);
      case FAR_EL1: return load<u64>(st + C_FAR_EL1);
      case SP_EL0: return load<u64>(st + C_SP_EL0);
      case SPSEL: return <u64>load<u32>(st + C_SPSEL);
      case DAIF: return <u64>load<u32>(st + C_DAIF);
      case TPIDR_EL1: return load<u64>(st + C_TPIDR_EL1);
      case SCTLR_EL1: return load<u64>(st + C_SCTLR_EL1);
      case CNTKCTL_EL1: return <u64>load<u32>(st + C_CNTKCTL);
      case CONTEXTIDR_EL1: return load<u64>(st + C_CONTEXTIDR);
      case MAIR_EL1: return load<u64>(st + C_MAIR_EL1);
      case TCR_EL1: return load<u64>(st + C_TCR_EL1);
      case TTBR0_EL1: return load<u64>(st + C_TTBR0_EL1);
      case TTBR1_EL1: return load<u64>(st + C_TTBR1_EL1);
      case CPACR_EL1: return load<u64>(st + C_CPACR_EL1);
      case ISR_EL1: return irqSignaled(st, inflight) ? <u64>DAIF_I : 0;
      case ICC_IAR1_EL1: return <u64>acknowledge(st, inflight);
      case ICC_HPPIR1_EL1: return <u64>highestPending(st, inflight);
      case ICC_RPR_EL1: return load<u32>(st + C_ICC_ACTIVE) != 0 ? 0 : 0xff;
      case ICC_PMR_EL1: return <u64>load<u32>(st + C_ICC_PMR);
      case ICC_IGRPEN1_EL1: return <u64>load<u32>(st + C_ICC_IGRPEN1);
      case ICC_CTLR_EL1: return <u64>load<u32>(st + C_ICC_CTLR);
      case ICC_BPR1_EL1: return <u64>load<u32>(st + C_ICC_BPR1);
      case ICC_SRE_EL1: return SRE_VALUE;
      default:
    }
  }
  el1Known = false;
  return 0;
}

/** MSR to register `r`: CONTINUE, EXIT_RESCAN (interrupt state may have changed) or EXIT_UNDEF. */
export function writeEl1(st: usize, r: u32, v: u64, inflight: u64): i32 {
  if (!accessible(st, r)) return EXIT_UNDEF;
  switch (r) {
    case CNTV_CTL_EL0: store<u32>(st + C_CNTV_CTL, <u32>v & (CTL_ENABLE | CTL_IMASK)); return EXIT_RESCAN;
    case CNTV_CVAL_EL0: store<u64>(st + C_CNTV_CVAL, v); return EXIT_RESCAN;
    case CNTV_TVAL_EL0:
      store<u64>(st + C_CNTV_CVAL, counter(st, inflight) + <u64><i64><i32>v);
      return EXIT_RESCAN;
    case VBAR_EL1: store<u64>(st + C_VBAR_EL1, v & ~<u64>0x7ff); return EXIT_RESCAN;
    case ELR_EL1: store<u64>(st + C_ELR_EL1, v); break;
    case SPSR_EL1: store<u64>(st + C_SPSR_EL1, v & 0xffffffff); break;
    case ESR_EL1: store<u64>(st + C_ESR_EL1, v & 0xffffffff); break;
    case FAR_EL1: store<u64>(st + C_FAR_EL1, v); break;
    case SP_EL0: store<u64>(st + C_SP_EL0, v); break;
    case SPSEL: switchSp(st, 1, <u32>v & 1); break;
    case DAIF: store<u32>(st + C_DAIF, <u32>v & DAIF_ALL); return EXIT_RESCAN;
    case TPIDR_EL1: store<u64>(st + C_TPIDR_EL1, v); break;
    case SCTLR_EL1: store<u64>(st + C_SCTLR_EL1, v); break;
    case CNTKCTL_EL1: store<u32>(st + C_CNTKCTL, <u32>v); break;
    case CONTEXTIDR_EL1: store<u64>(st + C_CONTEXTIDR, v & 0xffffffff); break;
    case MAIR_EL1: store<u64>(st + C_MAIR_EL1, v); break;
    case TCR_EL1: store<u64>(st + C_TCR_EL1, v); break;
    case TTBR0_EL1: store<u64>(st + C_TTBR0_EL1, v); break;
    case TTBR1_EL1: store<u64>(st + C_TTBR1_EL1, v); break;
    case CPACR_EL1: store<u64>(st + C_CPACR_EL1, v); break;
    case ICC_SGI1R_EL1:
      return writeSgi1r(st, load<u32>(st + C_CPU_INDEX), v, counter(st, inflight)) ? EXIT_RESCAN : CONTINUE;
    case ICC_EOIR1_EL1: endOfInterrupt(st, <u32>v & 0xffffff); return EXIT_RESCAN;
    case ICC_PMR_EL1: store<u32>(st + C_ICC_PMR, <u32>v & 0xff); break;
    case ICC_IGRPEN1_EL1: store<u32>(st + C_ICC_IGRPEN1, <u32>v & 1); break;
    case ICC_CTLR_EL1: store<u32>(st + C_ICC_CTLR, (load<u32>(st + C_ICC_CTLR) & ~1) | (<u32>v & 1)); break;
    case ICC_BPR1_EL1: store<u32>(st + C_ICC_BPR1, <u32>v & 7); break;
    case ICC_SRE_EL1: break; // SRE/DFB/DIB are fixed at 1
    default: return EXIT_UNDEF; // read-only (ISR, IAR, HPPIR, RPR) or unknown
  }
  return CONTINUE;
}

/** MSR (immediate) to DAIFSet, DAIFClr or SPSel (`r` as the predecoder packs it, CRm in bits 6:3). */
export function msrImmediate(st: usize, r: u32): i32 {
  if (load<u32>(st + C_EL) == 0) return EXIT_UNDEF;
  const crm = (r >> 3) & 15;
  const field = r & ~(<u32>15 << 3);
  if (field == PSTATE_DAIFSET_FIELD) {
    store<u32>(st + C_DAIF, load<u32>(st + C_DAIF) | (crm << 6));
    return CONTINUE;
  }
  if (field == PSTATE_DAIFCLR) {
    store<u32>(st + C_DAIF, load<u32>(st + C_DAIF) & ~(crm << 6));
    return EXIT_RESCAN;
  }
  if (field == PSTATE_SPSEL) {
    if (crm > 1) return EXIT_UNDEF;
    switchSp(st, 1, crm);
    return CONTINUE;
  }
  return EXIT_UNDEF;
}
