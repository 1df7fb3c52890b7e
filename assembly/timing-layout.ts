// Layout of the cycle models' state (timing.ts), shared by the AssemblyScript
// core and the TypeScript bindings (bindings/timing/) as layout.ts is: integer
// constants only.
//
// Each CPU has a timing area of TM_BYTES at the end of its cache area
// (layout.ts TM_OFFSET). The host writes the model's parameters and tables
// into it (bindings/timing/install.ts) and zeroes the rest; the core keeps
// its running state there. The model's clock itself is C_CYCLES of the CPU
// block, so the counter and the host can read it without knowing the area.

// ---- running state ------------------------------------------------------------
export const TM_FETCH = 0; //      u64 cycle the latest instruction was fetched in
export const TM_LASTPC = 8; //     u64 PC of the latest instruction
export const TM_USED = 16; //      u32 micro-ops issued (dispatched) from cycle C_CYCLES on; more than the
//                                 width means they spill into the following cycles
export const TM_BRKIND = 20; //    u32 KIND_* of the latest instruction when its next PC was predicted (0: none)
export const TM_PRED = 24; //      u64 that prediction
export const TM_BRTIME = 32; //    u64 cycle the prediction is checked in (the branch's issue)
export const TM_BRIDX = 40; //     u32 the conditional predictor's counter the prediction came from
export const TM_GHR = 44; //       u32 global history of conditional branches (1 = taken), newest in bit 0
export const TM_LASTWB = 48; //    u64 in order: latest write-back cycle of the instructions issued so far
export const TM_RETIRE = 56; //    u64 out of order: retire cycle of the latest instruction
export const TM_LIMIT = 64; //     u64 C_CYCLES at which the execute loop hands back (min of the next two)
export const TM_TLIMIT = 72; //    u64 C_CYCLES at which the virtual timer fires (u64 max: not armed)
export const TM_ROBPOS = 80; //    u32 micro-ops dispatched so far (the ROB slot is this modulo TM_ROB)
export const TM_RASTOP = 84; //    u32 return-stack pushes minus pops
export const TM_BRANCHES = 88; //  u64 branches whose prediction was checked
export const TM_MISSES = 96; //    u64 of those, mispredicted
export const TM_REDIRECT = 104; // u64 the next fetch is not before this cycle (set by a misprediction)
export const TM_BRPC = 112; //     u64 PC of the branch whose prediction is pending
export const TM_FLUSHES = 120; //  u64 system instructions and exceptions that redirected the fetch
// memory order (an access that reads memory is a load here, one that writes it a store; an atomic is both)
export const TM_LDISSUE = 192; //  u64 issue cycle of the latest load
export const TM_STISSUE = 200; //  u64 issue cycle of the latest store
export const TM_LDBAR = 208; //    u64 issue cycle of the latest ordered load (ROLE_ORDERED)
export const TM_STBAR = 216; //    u64 issue cycle of the latest ordered store
export const TM_ISSUE = 224; //    u64 issue cycle of the latest instruction out of order; translated code's full ticks: of the block's last
export const TM_RESWORD = 232; //  u64 out of order: the oldest live word of the reservation maps (cycle >> 6)
// in order, block memos (timing-memo.ts)
export const TM_CANON = 240; //    u32 id of the canonical state that stands for the area's state (0: the area is it)
export const TM_S0 = 244; //       u32 tmEnd(): the id the block's entry state has after the call

// ---- parameters (the host writes them; 192..255 are running state again) ---------
export const TM_WIDTH = 128; //    u32 micro-ops issued (in order) or dispatched (out of order) per cycle
export const TM_PENALTY = 132; //  u32 cycles from a mispredicted branch's issue to the right path's fetch
export const TM_ROB = 136; //      u32 reorder-buffer micro-ops, a power of two <= TM_ROB_MAX (0: in order)
export const TM_FSHIFT = 140; //   u32 log2 of the aligned fetch block in bytes
export const TM_FQUEUE = 144; //   u32 cycles fetch may run ahead of issue
export const TM_RASN = 148; //     u32 return-stack entries, a power of two <= TM_RAS_MAX
export const TM_BHTMASK = 152; //  u32 conditional predictor counters - 1 (power of two <= TM_BHT_MAX)
export const TM_BTBMASK = 156; //  u32 indirect-target buffer entries - 1 (power of two <= TM_BTB_MAX)
export const TM_UNIT_FIRST = 160; // u8[16] first instance of each unit kind (instances 0..15)
export const TM_UNIT_COUNT = 176; // u8[16] instances of each unit kind

// ---- tables ---------------------------------------------------------------------
export const TM_READY = 256; //    u64[36] cycle each register slot's latest value is ready (slots of layout.ts;
//                                 TM_NZCV for the flags; slot 32, XZR as a source, is never written)
export const TM_NZCV = 34;
export const TM_GROUP = 544; //    u8[36] TMC_GROUP of the latest write of each slot
export const TM_BUSY = 640; //     u64[16] in order: cycle each unit instance is free again
export const TM_ROLES = 768; //    u32[256] operand roles of each operation (ROLE_* below)
export const TM_CLASS = 1792; //   u8[512] class of operation op: [2 op] plain, [2 op + 1] shifted operand (b1 != 0)
export const TM_CLASSES = 2304; // TMC_SIZE bytes per class, TM_CLASS_MAX classes
export const TM_RAS = 4352; //     u64[TM_RAS_MAX] return stack
export const TM_ROBR = 4608; //    u64[TM_ROB_MAX] retire cycle of the micro-op in each reorder-buffer slot
export const TM_RES = 5632; //     out of order: per unit instance, a ring of TM_RES_WORDS u64 words, bit
//                                 (cycle & 63) of word (cycle >> 6) % TM_RES_WORDS set when the instance is
//                                 reserved in that cycle; words TM_RESWORD .. TM_RESWORD + TM_RES_WORDS - 1 are live
export const TM_BTB = 22016; //     TM_BTB_MAX records of 16 bytes: u64 branch PC, u64 its latest target
export const TM_BHT = 26112; //    u8[TM_BHT_MAX] 2-bit counters (>= 2: predict taken)
// block memos (timing-memo.ts): states interned, and what a block did from each
export const TM_NSTATES = 30208; // u32 states interned
export const TM_MEMO_FLUSHES = 30212; // u32 times the tables were emptied because the states filled them
export const TM_MEMO_MISSES = 30216; // u64 blocks ticked in full (a memo miss)
export const TM_MEMO_CANONS = 30224; // u64 states canonicalized from the area
export const TM_RESMAX = 30232; //  u64 out of order: no reservation is later than this cycle
export const TM_ARENA_TOP = 30240; // u32 bytes of TM_ARENA in use
export const TM_MEMO_FAILS = 30248; // u64 canonicalizations refused (a reservation past TM_CANON_WINDOW)
export const TM_SCRATCH = 30272; // TM_RECORD_MAX: the record canon() builds
export const TM_WINDOWS = 32320; // TM_UNITS_MAX x TM_CANON_WINDOW / 64 u64: reservation windows being sorted
export const TM_S0_COPY = 34368; // TM_RECORD_MAX: the entry state, kept across an emptying
export const TM_SINDEX = 36416; //  u32[TM_SINDEX_N] open-addressed index of the states (an id, 0: empty)
export const TM_ARENA = 101952; //   states: u32 payload bytes, u32 hash, the payload (8-byte aligned); id = offset / 8 + 1
export const TM_MEMO = 2199104; //   TM_MEMO_N direct-mapped records of TM_MEMO_BYTES: u32 block id, u32 entry state |
//                                 redirect << 24, u32 exit state, u16 cycles, u16 cycles from the block's end to its
//                                 last instruction's issue
export const TM_MEMO1 = 3247680; // TM_MEMO1_N records as TM_MEMO's, one per block id (id % TM_MEMO1_N): the block's latest
export const TM_BYTES = 3509824;

export const TM_CLASS_MAX = 64;
export const TM_RAS_MAX = 16;
export const TM_ROB_MAX = 128;
export const TM_RES_WORDS = 128; // 8192 cycles of reservations per instance (16 x 1 KiB): a reorder window full of
//                                 divides (128 x 35 cycles) stays inside
export const TM_BTB_MAX = 256;
export const TM_BHT_MAX = 4096;
export const TM_UNITS_MAX = 16;
export const TM_RECORD_MAX = 2048; // a state record, header included
export const TM_ARENA_BYTES = 2097152;
export const TM_SINDEX_N = 16384; //  at most half of it used
export const TM_MEMO_SHIFT = 16;
export const TM_MEMO_N = 1 << 16;
export const TM_MEMO_BYTES = 16;
export const TM_MEMO1_N = 1 << 14;
export const TM_CANON_WINDOW = 1024; // out of order: cycles of reservations past the clock a state keeps

// ---- a class record -------------------------------------------------------------
export const TMC_UOPS = 0; //      u8 micro-ops
export const TMC_LAT = 1; //       u8 latency of rd (and of ra/rm when they are written too)
export const TMC_LAT_BASE = 2; //  u8 latency of the base register written back (pre/post-index)
export const TMC_LAT_FLAGS = 3; // u8 latency of NZCV
export const TMC_LAT_LR = 4; //    u8 latency of X30 written by BL/BLR
export const TMC_GROUP = 5; //     u8 1: consumers may read rd/ra/rm/NZCV early (the TMC_ADV_* advances apply)
export const TMC_FIRST_WB = 6; //  u8 in order: the earliest write-back (least latency of what it writes)
export const TMC_LAT_MAX = 7; //   u8 the instruction's latency (greatest of what it writes)
export const TMC_UNITS = 8; //     3 x (u8 unit kind or TMC_NO_UNIT, u8 cycles it is held)
export const TMC_ADV_N = 16; //    u8 cycles rn is read early from a TMC_GROUP producer
export const TMC_ADV_M = 17; //    u8 the same for rm
export const TMC_ADV_A = 18; //    u8 ra
export const TMC_ADV_D = 19; //    u8 rd read as a source
export const TMC_SIZE = 32;
export const TMC_NO_UNIT = 255;

// ---- operand roles (bindings/timing/roles.ts computes them per operation) --------
export const ROLE_READ_RN = 1 << 0;
export const ROLE_READ_RM = 1 << 1;
export const ROLE_READ_RA = 1 << 2;
export const ROLE_READ_RD = 1 << 3;
export const ROLE_READ_NZCV = 1 << 4;
export const ROLE_WRITE_RD = 1 << 5;
export const ROLE_WRITE_RA = 1 << 6;
export const ROLE_WRITE_RN = 1 << 7;
export const ROLE_WRITE_RM = 1 << 8;
export const ROLE_WRITE_NZCV = 1 << 9;
export const ROLE_WRITE_LR = 1 << 10;
export const ROLE_KIND_SHIFT = 11;
export const ROLE_KIND_MASK = 7 << 11;
export const ROLE_SHIFTED = 1 << 14;
export const ROLE_ATOMIC = 1 << 15;
export const ROLE_PAIR_REGS = 1 << 16;
/** A load or store ordered against the others (exclusives, atomics, load-acquire, store-release). */
export const ROLE_ORDERED = 1 << 17;
// kinds (bits 11..13)
export const KIND_NONE = 0;
export const KIND_LOAD = 1;
export const KIND_STORE = 2;
export const KIND_COND = 3;
export const KIND_DIRECT = 4;
export const KIND_INDIRECT = 5;
export const KIND_RET = 6;
export const KIND_SYSTEM = 7;

// C_TIMING values (layout.ts)
export const TIMING_NONE = 0;
export const TIMING_IN_ORDER = 1;
export const TIMING_OUT_OF_ORDER = 2;
