// Memory layout shared by the AssemblyScript core and the TypeScript bindings.
//
// This file is valid in both languages: it holds integer constants only (no
// types that TypeScript lacks), so `bindings/` imports it as-is and the core
// compiles it as i32 constants.
//
// Wasm linear memory (one shared WebAssembly.Memory for the whole machine):
//
//   0x0000_0000  reserved, never touched by the core (no static data)
//   MACHINE_BASE machine block: global words shared by every CPU
//   CPU_BASE     CPU state blocks, CPU_STRIDE bytes each, MAX_CPUS of them
//   SLOG_BASE    the log of guest stores into text (SLOG_ENTRIES entries)
//   CACHE_BASE   decoded-instruction caches, CACHE_BYTES per CPU
//   ramOffset    guest RAM (stored in the machine block, 64 KiB aligned)
//
// Guest addresses map to Wasm offsets linearly:
//   wasm = guest - ramBase + ramOffset, for lo <= guest < hi
// where [lo, hi) is the accessible window (hi = ramBase + ramSize; lo may be
// above ramBase to leave the NULL page unmapped), less the guard hole
// [M_GUARD_LO, M_GUARD_HI) when there is one. Every guest access is checked
// against that window before it touches memory.

export const PAGE = 65536;
export const MAX_CPUS = 64;

// ---- machine block --------------------------------------------------------
export const MACHINE_BASE = 0x10000;
export const M_MAGIC = 0; //          u32 'PLAB' once initialised
export const M_NCPUS = 4; //          u32 number of CPUs
export const M_RAM_OFFSET = 8; //     u32 wasm offset of guest RAM
export const M_RAM_SIZE = 12; //      u32 bytes of guest RAM
export const M_RAM_BASE = 16; //      u64 guest address of the first RAM byte
export const M_LO = 24; //            u64 lowest accessible guest address
export const M_HI = 32; //            u64 one past the highest accessible guest address
export const M_CODE_EPOCH = 40; //    u32 bumped by host patches and guest stores into code pages (icache.ts)
export const M_EXCL_LOCK = 44; //     u32 spinlock for 128-bit exclusive pairs
export const M_STOP = 48; //          u32 nonzero: every CPU leaves step() at once
export const M_FLAGS = 52; //         u32 MF_* bits
// 56 .. 79: host-side machine state (the Machine of bindings/machine/; the core never reads it)
export const M_RUN_STATE = 56; //     u32 RS_*: what a CPU thread does when it sees M_STOP
export const M_EXIT_CLAIM = 60; //    u32 0 until the first exit/fault/stop claims the machine's end (cmpxchg)
export const M_EXIT_KIND = 64; //     u32 EK_*: how the machine ended
export const M_EXIT_CODE = 68; //     i32 exit code given by the exit host call
export const M_EXIT_CPU = 72; //      u32 the CPU that ended the machine
export const M_PAUSE_GEN = 76; //     u32 futex: paused CPU threads wait while it is unchanged; resume bumps it
// A guard hole inside the window: every guest access that touches [M_GUARD_LO,
// M_GUARD_HI) faults as one outside the window does (the user profile's stack
// guard gap). Both 0: no hole.
export const M_GUARD_LO = 80; //      u64 first guest address of the hole
export const M_GUARD_HI = 88; //      u64 one past its last address
// 96 .. 127: free
// 128 .. 511: host patch area (patch.ts); 512 .. 1023: interrupt/EL1 state;
// 1024 .. 2047: block translation and I-cache model state
export const M_COND_TABLE = 2048; //  u16[16]: for each NZCV value, the conditions that pass
export const MACHINE_SIZE = 4096;

export const MF_COHERENT_ICACHE = 1; // refetch-compare the word on every fetch

// M_RUN_STATE values
export const RS_RUN = 0; //           run (M_STOP is clear)
export const RS_PAUSE = 1; //         stop at an instruction boundary and wait for M_PAUSE_GEN to change
export const RS_HALT = 2; //          the machine is over: leave the run loop

// M_EXIT_KIND values
export const EK_NONE = 0;
export const EK_EXIT = 1; //          exit host call (M_EXIT_CODE)
export const EK_FAULT = 2; //         a CPU faulted (M_EXIT_CPU)
export const EK_TERMINATED = 3; //    the host terminated the machine
export const EK_ERROR = 4; //         a CPU thread failed (M_EXIT_CPU)

// ---- CPU state block --------------------------------------------------------
// Register file: 34 slots of u64. Slots 0..30 are X0..X30, slot 31 is SP,
// slot 32 reads as zero (XZR as a source), slot 33 is a write sink (XZR as a
// destination). The decoder resolves register number 31 to slot 31, 32 or 33
// depending on the operand, so the execute loop never tests for it.
export const CPU_BASE = MACHINE_BASE + MACHINE_SIZE;
export const CPU_STRIDE = 4096;
export const C_X = 0; //              u64[31] X0..X30
export const C_SP = 248; //           u64 SP (slot 31)
export const C_ZR = 256; //           u64 always 0 (slot 32)
export const C_SINK = 264; //         u64 discarded writes (slot 33)
export const C_PC = 272; //           u64 program counter
export const C_NZCV = 280; //         u32 flags in bits 31..28, as MRS NZCV reads them
export const C_EXIT = 284; //         u32 last exit reason (EXIT_*); EXIT_BUDGET while step() runs
export const C_INSNS = 288; //        u64 instructions retired
export const C_TPIDR_EL0 = 296; //    u64
export const C_EXC_INFO = 304; //     u32 immediate of SVC/HVC/BRK, or fault detail (FAULT_*)
export const C_EXC_WORD = 308; //     u32 instruction word that caused the exit
export const C_FAR = 312; //          u64 faulting address for data/fetch faults
export const C_EXCL_ADDR = 320; //    u64 exclusive monitor: reserved address (odd = none)
export const C_EXCL_SIZE = 328; //    u32 exclusive monitor: access size in bytes (pair: total)
export const C_EXCL_VAL = 336; //     u64 exclusive monitor: value seen by the load (low half for pairs)
export const C_EXCL_VAL2 = 344; //    u64 exclusive monitor: high half for pairs
export const C_CPU_INDEX = 352; //    u32 this CPU's index (MPIDR Aff0)
export const C_RING_POS = 356; //     u32 next slot of the PC ring
export const C_MIDR = 360; //         u64 MIDR_EL1 value reported to the guest
export const C_CNTVCT = 368; //       u64 virtual counter (advanced by the host/core)
export const C_CNTFRQ = 376; //       u64 counter frequency in Hz
export const C_CACHE_MISSES = 384; // u64 decoded-instruction cache misses
export const C_EL = 392; //           u32 current exception level (0 user profile, 1 kernel)
export const C_DCZID = 396; //        u32 DCZID_EL0 value (log2 words of DC ZVA block)
export const C_CTR = 400; //          u64 CTR_EL0 value
// Interrupts and wake-ups. Any CPU (or the host) may write these with atomics.
export const C_IRQ_PENDING = 408; //  u32 pending SGIs: bit n = INTID n (0..15); senders atomic.or
export const C_WAKE = 412; //         u32 wake-up futex word: a waker bumps it (atomic.add 1) then notifies
export const C_WFI_SEEN = 416; //     u32 C_WAKE as the core read it before going idle (EXIT_WFI/EXIT_WFE);
//                                    the host parks while C_WAKE still equals it
export const C_EVENT = 420; //        u32 WFE event register (1 = set; SEV sets it on every CPU)
export const C_WAKE_CLOCK = 424; //   u64 counter value carried by the latest wake-up (wakers raise it
//                                    to their own CNTVCT, so a woken CPU's clock never lags its waker)
// EL1 system registers and exception state (exceptions.ts, el1.ts, gic.ts). Slot 31 of the
// register file is always the current SP; the bank below holds the one not in use (the
// current one's bank slot is stale until the next switch).
export const C_VBAR_EL1 = 432; //     u64 vector base (bits 10:0 read as zero); 0 = no vector table:
//                                    faults leave step() with their EXIT_* reason instead
export const C_ELR_EL1 = 440; //      u64 exception link register
export const C_SPSR_EL1 = 448; //     u64 saved PSTATE (NZCV 31:28, IL 20, DAIF 9:6, M 3:0)
export const C_ESR_EL1 = 456; //      u64 exception syndrome (EC 31:26, IL 25, ISS 24:0)
export const C_FAR_EL1 = 464; //      u64 fault address of the last abort taken to EL1
export const C_SP_EL0 = 472; //       u64 banked SP_EL0 (valid while it is not the current SP)
export const C_SP_EL1 = 480; //       u64 banked SP_EL1 (valid while it is not the current SP)
export const C_SPSEL = 488; //        u32 PSTATE.SPSel (1: EL1 runs on SP_EL1)
export const C_DAIF = 492; //         u32 PSTATE.DAIF in bits 9:6, as MRS DAIF reads it
export const C_TPIDR_EL1 = 496; //    u64
export const C_SCTLR_EL1 = 504; //    u64 reads back what was written (no MMU, no alignment checking)
export const C_CNTV_CTL = 512; //     u32 CNTV_CTL_EL0 ENABLE (bit 0) and IMASK (bit 1); ISTATUS is computed
export const C_CNTKCTL = 516; //      u32 CNTKCTL_EL1 (EL0VTEN, bit 9, opens CNTV_* to EL0)
export const C_CNTV_CVAL = 520; //    u64 CNTV_CVAL_EL0 compare value
export const C_CONTEXTIDR = 528; //   u64 CONTEXTIDR_EL1
export const C_ICC_PMR = 536; //      u32 ICC_PMR_EL1 (read back; does not gate delivery)
export const C_ICC_IGRPEN1 = 540; //  u32 ICC_IGRPEN1_EL1 (read back; does not gate delivery)
export const C_ICC_CTLR = 544; //     u32 ICC_CTLR_EL1 (CBPR writable; EOImode stays 0)
export const C_ICC_BPR1 = 548; //     u32 ICC_BPR1_EL1 (read back)
export const C_ICC_ACTIVE = 552; //   u32 active interrupts: bit n = INTID n (SGIs 0..15, PPI 27)
export const C_SYNDROME = 556; //     u32 ESR-style syndrome of the last fault exit or exception entry
export const C_PSTATE_IL = 560; //    u32 PSTATE.IL: set by an illegal ERET; the next instruction faults (EC 0x0E)
export const C_MAIR_EL1 = 568; //     u64 read back only (no MMU)
export const C_TCR_EL1 = 576; //      u64 read back only
export const C_TTBR0_EL1 = 584; //    u64 read back only
export const C_TTBR1_EL1 = 592; //    u64 read back only
export const C_CPACR_EL1 = 600; //    u64 read back only (no FP/SIMD trapping)
export const C_WFE_WATCH = 608; //    u32 while idle in WFE holding a reservation: the reservation's
//                                    granule (Wasm address >> WATCH_SHIFT) + 1, with WATCH_WOKEN set once
//                                    a store that broke it (or a host write) has woken the CPU; 0 = none
//                                    (wfe-watch.ts)
export const C_WATCH_HIT = 612; //    u32 nonzero: the running step() call stored into a watched page
export const C_INV_LOCAL = 616; //    u32 nonzero: IC IALLU ran here; the next context synchronization
//                                    empties this CPU's decoded cache and block table (icache.ts)
// Cycle models (timing.ts, timing-layout.ts)
export const C_TIMING = 620; //       u32 TIMING_* model of this CPU; 0 (none): the counter counts instructions
export const C_CYCLES = 624; //       u64 modelled cycles: the cycle the latest instruction issued (in order) or
//                                    was dispatched (out of order) in; under a model the counter is
//                                    C_CNTVCT + C_CYCLES
export const C_CYCLE_STOP = 632; //   u64 under a model: the counter value at which step() returns EXIT_BUDGET
//                                    before the next instruction (the host's slice end); u64 max: none
// 640 .. 767 free
export const C_EXCEPTIONS = 768; //   u64 synchronous exceptions taken to EL1
export const C_IRQS = 776; //         u64 IRQs taken
export const C_STALE = 784; //        u64 instructions executed from a stale I-cache line
export const C_INV_SEEN = 792; //     u32 invalidations (M_INV_SEQ) this CPU has applied at a context sync
export const C_SYNC_REQ = 796; //     u32 nonzero: take a context synchronization at the next step() entry (host kick)
export const C_CTX_SYNCS = 800; //    u64 context synchronizations that applied pending invalidations
// 808 .. 1023 reserved
export const C_RING = 1024; //        u64[RING_SIZE] last PCs executed, oldest overwritten
// 1536 .. 4095: block translation state (jit)
export const RING_SIZE = 64;

// Register slot numbers as the decoder writes them.
export const R_SP = 31;
export const R_ZR = 32;
export const R_SINK = 33;

// ---- exit reasons of step() ------------------------------------------------
export const EXIT_BUDGET = 0; //      ran the whole budget
export const EXIT_SVC = 1; //         SVC executed; PC already past it; C_EXC_INFO = imm16
export const EXIT_HVC = 2; //         HVC executed; PC already past it
export const EXIT_BRK = 3; //         BRK executed; PC at the BRK
export const EXIT_UNDEF = 4; //       undefined instruction at PC
export const EXIT_DATA_ABORT = 5; //  load/store outside RAM or misaligned atomic; C_FAR
export const EXIT_FETCH_ABORT = 6; // PC outside RAM; C_FAR = PC
export const EXIT_PC_ALIGN = 7; //    misaligned PC; C_FAR = PC
export const EXIT_WFI = 8; //         WFI executed with no interrupt pending; PC past it; C_WFI_SEEN set
export const EXIT_WFE = 9; //         WFE executed with no event and no interrupt pending; PC past it;
//                                    C_WFI_SEEN set. While the CPU holds an exclusive reservation
//                                    (C_EXCL_ADDR even), the store that breaks it wakes it (C_WFE_WATCH)
//                                    when the storer's run ends; a host that runs CPUs on several threads
//                                    parks it with a timeout too (WFE_BACKSTOP_MS), since a racing store
//                                    may miss the watch
export const EXIT_STOP = 10; //       the machine's stop word was set
export const EXIT_HLT = 11; //        HLT executed; PC at the HLT

// Never returned by the exported step(): the execute loop hands control back to the
// interrupt check (an exception was taken, or PSTATE/timer/GIC state changed).
export const EXIT_RESCAN = 64;

// Interrupt IDs of the GIC CPU interface (gic.ts)
export const INTID_VTIMER = 27; //    virtual timer PPI
export const INTID_NONE = 1023; //    ICC_IAR1_EL1 when nothing is pending

// ESR_EL1 exception classes (EC, bits 31:26) the core produces
export const EC_UNKNOWN = 0x00; //    undefined instruction
export const EC_ILLEGAL = 0x0e; //    illegal execution state (ERET to an unsupported mode)
export const EC_SVC64 = 0x15;
export const EC_IABT_LOW = 0x20; //   instruction abort from EL0
export const EC_IABT_CUR = 0x21; //   instruction abort from EL1
export const EC_PC_ALIGN = 0x22;
export const EC_DABT_LOW = 0x24; //   data abort from EL0
export const EC_DABT_CUR = 0x25; //   data abort from EL1
export const EC_BRK64 = 0x3c;
// Fault status codes (DFSC/IFSC, ISS bits 5:0)
export const FSC_EXTERNAL = 0x10; //  synchronous external abort: address outside guest RAM
export const FSC_ALIGN = 0x21; //     alignment fault

// PSTATE values
export const DAIF_ALL = 0x3c0; //     D, A, I and F masked
export const DAIF_I = 0x80; //        IRQ mask bit

// C_EXC_INFO detail for data aborts (bit flags)
export const FAULT_WRITE = 1; //      the access was a write
export const FAULT_ALIGN = 2; //      alignment fault (exclusive/atomic/ordered)
export const FAULT_RANGE = 4; //      outside guest RAM

// ---- decoded-instruction cache ---------------------------------------------
// Direct-mapped, indexed by (PC >> 2) & (CACHE_ENTRIES - 1); an entry:
//   +0  u64 tag: the PC it was decoded for (all ones when empty)
//   +8  u32 the instruction word decoded
//   +12 u16 operation (OP_* of the generated decoder)
//   +14 u8  rd   +15 u8 rn   +16 u8 rm   +17 u8 ra (register slots)
//   +18 u8  b0   +19 u8 b1  small operands (shift amount, condition, size...)
//   +20 u32 aux  second immediate (bitfield masks, branch bit number...)
//   +24 u64 imm  main immediate, or an absolute target for PC-relative forms
export const CACHE_ENTRIES = 16384;
export const CACHE_ENTRY = 32;
export const DECODE_BYTES = CACHE_ENTRIES * CACHE_ENTRY;
export const CACHE_BASE = 0x100000;
export const BT_ENTRIES = 4096; //   block table entries per CPU (see below)
export const BT_ENTRY = 16;
// Each CPU's cache area is CACHE_BYTES: the decoded-instruction cache, the
// block table (BT_*) of the translator, then the timing area of the cycle
// models (timing-layout.ts, TM_BYTES).
export const TM_OFFSET = DECODE_BYTES + BT_ENTRIES * BT_ENTRY;
export const CACHE_BYTES = TM_OFFSET + 3509824; // TM_BYTES
export const E_TAG = 0;
export const E_WORD = 8;
export const E_OP = 12;
export const E_RD = 14;
export const E_RN = 15;
export const E_RM = 16;
export const E_RA = 17;
export const E_B0 = 18;
export const E_B1 = 19;
export const E_AUX = 20;
export const E_IMM = 24;

// ---- block table of the translator (bindings/jit) ---------------------------
// Direct-mapped, indexed by (PC >> 2) & (BT_ENTRIES - 1), at CACHE_BASE +
// cpu * CACHE_BYTES + BT_OFFSET. The interpreter looks a PC up only at block
// heads (after a branch, at step() entry, after a translated region returns).
//   +0  u64 tag: the head PC (all ones when empty)
//   +8  u32 function-table index of the translated region (0: none yet)
//   +12 u16 block number inside that region
//   +14 u16 heat: times the head was reached without a translation; when it
//       reaches the machine's M_JIT_THRESHOLD the core asks the host to
//       translate (import env.jit_compile); it keeps counting afterwards, so
//       a refused head is not asked for again until the entry is replaced.
// Translations belong to the Wasm instance that steps the CPU (function
// tables are per instance): flushCache(cpu) forgets them, and step() forgets
// them when the CPU was last stepped by another instance (C_JIT_OWNER).
export const BT_OFFSET = DECODE_BYTES;
export const BT_TAG = 0;
export const BT_FN = 8;
export const BT_BLOCK = 12;
export const BT_HEAT = 14;

// A translated region is `(st: i32, block: i32, left: i32) -> i64`: it runs
// from block `block` with at most `left` instructions, stores how many it
// retired in C_JIT_RETIRED and returns the next PC, with in bits 1..0:
export const JIT_NEXT_HEAD = 0; //    a block head: look it up
export const JIT_NEXT_STEP = 1; //    interpret one instruction there first (untranslated, faulting, or short of budget)
export const JIT_NEXT_STALE = 2; //   the region's words no longer match memory: forget the entry, interpret
export const JIT_NEXT_RESCAN = 3; //  hand back to step(): interrupts and cycle limits are looked at again (after MSR DAIF)
export const C_JIT_RETIRED = 1536; // i32 instructions retired by the last region call
export const C_JIT_OWNER = 1540; //   u32 core instance whose translations the block table holds
export const C_JIT_INSNS = 1544; //   u64 instructions retired by translated regions (all calls)
export const C_JIT_SCRATCH = 1568; // 32 bytes: decoded entry scratch for the translator
export const M_JIT_THRESHOLD = 1024; // u32 heat at which a head is translated (0: never)
export const M_JIT_INSTANCES = 1560; // u32 core instances created over this memory (their ids are 1, 2, ...)
export const M_JIT_BLOCK_IDS = 1564; // u32 ids given to translated blocks (a cycle model's block memos are keyed by them)

// ---- system instructions in a decoded entry (OP_SYSTEM) ------------------------
// E_AUX = kind << 16 | o0:op1:CRn:CRm:op2 (o0 = op0 - 2); kinds:
export const SYS_MRS = 1;
export const SYS_MSR = 2;
export const SYS_SYS = 3;
export const SYS_SYSL = 4;
export const SYS_MSRI = 5; //          MSR (immediate) to a PSTATE field
// Encodings both the core and the translator (bindings/jit) handle.
export const SYSREG_DAIF = 0x5a11; //      S3_3_C4_C2_1
export const SYSREG_TPIDR_EL0 = 0x5e82; // S3_3_C13_C0_2
export const SYSREG_TPIDR_EL1 = 0x4684; // S3_0_C13_C0_4
export const PSTATE_DAIFSET = (3 << 11) | (4 << 7) | 6; // MSR DAIFSet (CRm in bits 6:3 cleared)
export const EXCL_NONE = 1; //         C_EXCL_ADDR without a reservation (odd: no address matches)

// ---- instruction-cache model (icache.ts) -------------------------------------
// Page map: one byte per 4 KiB page of RAM. PAGE_CODE marks every page holding
// translated code and the page before it (so a store that starts there and
// reaches into the code page is seen too); a guest store into such a page
// bumps M_CODE_EPOCH, and so does every host patch. Translated regions
// re-check their words when the epoch moved. PAGE_WATCH marks, the same way,
// the pages of the reservations CPUs wait on in WFE (wfe-watch.ts): a store
// there makes the storer look for the reservations it broke when its run
// ends. Stores test the byte for zero; only a marked page costs more.
export const CODE_PAGE_SHIFT = 12;
export const M_CODEMAP = 1028; //     u32 Wasm offset of the page map (RAM size / 4096 bytes)
export const PAGE_CODE = 1;
export const PAGE_WATCH = 2;
export const PAGE_TEXT = 4; //         a page of registered text, or the page before one (the store log, below)
// WFE watches: the exclusive reservation granule is 64 bytes (CTR_EL0.ERG = 4).
export const WATCH_SHIFT = 6;
export const WATCH_WOKEN = 0x40000000; // C_WFE_WATCH flag: already woken (granules are < 2^26)
// Longest a host thread parks a CPU idle in WFE with a reservation before it
// lets it run again (a spurious wake-up, which the architecture allows).
export const WFE_BACKSTOP_MS = 2;
// Invalidation log: IC IVAU / IC IALLUIS by any CPU and host patches append
// the line (64-byte aligned guest address; INV_ALL for everything); each CPU
// applies the entries it has not seen at its next context synchronization
// (ISB, exception entry, ERET). Writers hold M_INV_LOCK. IC IALLU is local to
// the CPU that runs it (C_INV_LOCAL).
export const M_INV_LOCK = 1032; //    u32 spinlock of the log
export const M_INV_SEQ = 1036; //     u32 entries appended so far
export const M_INV_RING = 1040; //    u64[INV_RING] the last entries (slot = seq % INV_RING)
export const INV_RING = 64;
export const ICACHE_LINE = 64;
export const INV_ALL = 1; //          log entry meaning every line (line addresses are 64-byte aligned)

// ---- host patch primitives (patch.ts) -----------------------------------------
// The host (bindings/patch/) writes instruction words with patchWord, one
// compare-and-exchange per word, and then records the change with notePatch.
// Both use the host patch area of the machine block. It belongs to the one
// host thread that patches the machine (the core's CPUs never touch it), so a
// host must not patch from two threads at once.
export const M_PATCH_SEEN = 128; //   u32 the word patchWord found when it returned PATCH_MISMATCH
export const M_PATCH_LINES = 136; //  u64[PATCH_LINES] the lines notePatch logs (64-byte aligned guest addresses)
export const PATCH_LINES = 32; //     INV_RING / 2: more lines than this are logged as one INV_ALL
// patchWord results
export const PATCH_WRITTEN = 0; //    the word held the expected old word and now holds the new one
export const PATCH_MISMATCH = 1; //   it held another word (M_PATCH_SEEN): nothing written
export const PATCH_OUTSIDE = 2; //    misaligned or outside guest RAM: nothing read or written

// ---- guest stores into text (store-log.ts) ------------------------------------
// The host marks every page holding registered text (the image's executable
// segments, code ranges added at run time) and the page before each with
// PAGE_TEXT. A guest store into such a page that reaches a registered range
// (M_TEXT_RANGES), from the interpreter or from translated code, appends one
// entry to the store log: who stored (CPU, PC), where, how many bytes, the
// aligned words covering them as they are right after the store, and which
// CPUs were parked in WFI/WFE (or stopped) at that moment. The host drains
// the log (after each deterministic slice; periodically and at the end in
// threads mode) and classifies each text word the store changed as a CMODX
// event, taking the old word from its own copy of the text.
//
// Writers claim an entry by advancing M_SLOG_HEAD with a compare-and-exchange
// while fewer than SLOG_ENTRIES are undrained, fill it, and publish it by
// storing its number + 1 in SL_SEQ last. The host reads entries in order
// while SL_SEQ says they are complete and then advances M_SLOG_TAIL. A store
// that finds the log full is not logged but counted in M_SLOG_LOST (the host
// reports it as unclassified). Counters wrap modulo 2^32.
export const M_SLOG_HEAD = 2560; //   u32 entries claimed so far
export const M_SLOG_TAIL = 2564; //   u32 entries the host has drained
export const M_SLOG_LOST = 2568; //   u32 stores into text not logged because the log was full
// The registered text ranges, so that only stores that reach text are logged
// (a marked page may also hold data, and the page before a text page is
// marked for the stores that straddle into it). More than TEXT_RANGES ranges:
// M_TEXT_COUNT says TEXT_RANGES_ALL and every store into a marked page is
// logged (the host drops the bytes outside text).
export const M_TEXT_COUNT = 2572; //  u32 ranges in M_TEXT_RANGES, or TEXT_RANGES_ALL
export const M_TEXT_RANGES = 2576; // u32[2 * TEXT_RANGES] [start, end) Wasm offsets of each range
export const TEXT_RANGES = 32;
export const TEXT_RANGES_ALL = 0xffffffff;
export const SLOG_BASE = CPU_BASE + MAX_CPUS * CPU_STRIDE; // after the CPU blocks, below CACHE_BASE
export const SLOG_ENTRIES = 1024; //  a power of two
export const SLOG_ENTRY = 64;
export const SL_SEQ = 0; //            u32 entry number + 1 once the entry is complete
export const SL_CPU = 4; //            u32 the storing CPU
export const SL_SIZE = 8; //           u32 bytes stored
export const SL_NWORDS = 12; //        u32 aligned words the store covers (SL_WORDS holds the first SLOG_WORDS)
export const SL_ADDR = 16; //          u64 guest address of the first byte stored
export const SL_PC = 24; //            u64 PC of the storing instruction
export const SL_IDLE = 32; //          u64 bit c: CPU c was not executing (last exit WFI, WFE or STOP) at the store
export const SL_WORDS = 40; //         u32[SLOG_WORDS] the words from (SL_ADDR & ~3) on, read after the store
export const SLOG_WORDS = 6;
