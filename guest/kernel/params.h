/*
 * The parameter block the host writes before any CPU starts (symbol
 * `hb_params` in .data). All fields are little-endian u32 at fixed offsets;
 * see guest/kernel/README.md. The defaults below are used when the host
 * writes nothing.
 */
#ifndef PARAMS_H
#define PARAMS_H

#define HB_MAGIC 0x50424850u /* "PHBP" read as bytes: 'P','H','B','P' */
#define HB_VERSION 1u

enum hb_workload {
	WL_HACKBENCH = 0, /* groups x fds senders/receivers over pipes */
	WL_SPIN = 1,      /* `tasks` CPU-bound tasks per CPU, `spin_loops` iterations each */
	WL_PINGPONG = 2,  /* one task pair per CPU pair, `loops` round trips through two pipes */
	WL_CALLLOOP = 3,  /* one task per CPU calling the traced bench_target `warmup` + `loops` times */
	WL_RACE = 4,      /* `tasks` tasks per CPU calling race_fn0..3 until the host stops them (race.c) */
};

struct hb_params {
	u32 magic;      /*  0: HB_MAGIC */
	u32 version;    /*  4: HB_VERSION */
	u32 workload;   /*  8: enum hb_workload */
	u32 groups;     /* 12: hackbench groups (default 10) */
	u32 fds;        /* 16: receivers and senders per group (default 20) */
	u32 loops;      /* 20: messages per sender per receiver (default 100); WL_CALLLOOP: timed calls per CPU; WL_RACE: calls per task, 0 until stopped */
	u32 datasize;   /* 24: bytes per message, 8..4096 (default 100) */
	u32 runs;       /* 28: runs in one boot (default 1) */
	u32 preempt;    /* 32: 1: timer preemption on; 0: only voluntary switches */
	u32 tick;       /* 36: timer period in counter ticks (default 100000: 1 ms at 100 MHz) */
	u32 pipe_size;  /* 40: pipe buffer bytes, a power of two >= datasize (default 4096) */
	u32 tasks;      /* 44: WL_SPIN, WL_RACE: tasks per CPU (default 3) */
	u32 spin_loops; /* 48: WL_SPIN: iterations per task (default 200000) */
	u32 verbose;    /* 52: 1: print per-run lines on the console */
	u32 warmup;     /* 56: WL_CALLLOOP: untimed calls per CPU before the timed ones (default 1000) */
	u32 hb_warmup;  /* 60: WL_HACKBENCH: loops of an untimed run before the first timed one (default 0: none) */
};

extern struct hb_params hb_params;

#endif
