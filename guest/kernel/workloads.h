/* The workloads the main task can run; each returns its number of check errors. */
#ifndef WORKLOADS_H
#define WORKLOADS_H
#include "kernel.h"

u64 hackbench_run(const struct hb_params *p, u32 run);
/* An untimed hackbench run of p->hb_warmup loops, nothing reported. */
u64 hackbench_warmup(const struct hb_params *p);
u64 spin_run(const struct hb_params *p, u32 run);
u64 pingpong_run(const struct hb_params *p, u32 run);
u64 callloop_run(const struct hb_params *p, u32 run);
u64 race_run(const struct hb_params *p, u32 run);
void report_run(u32 run, const char *key, u64 value);

/* bench.c: the traced function the call loop calls (x * 3 + 1), and traced functions nothing calls. */
u64 bench_target(u64 x);
u64 bench_other0(u64 x);
u64 bench_other1(u64 x);
u64 bench_other2(u64 x);
u64 bench_other3(u64 x);

#endif
