/* The workloads the main task can run; each returns its number of check errors. */
#ifndef WORKLOADS_H
#define WORKLOADS_H
#include "kernel.h"

u64 hackbench_run(const struct hb_params *p, u32 run);
u64 spin_run(const struct hb_params *p, u32 run);
u64 pingpong_run(const struct hb_params *p, u32 run);
void report_run(u32 run, const char *key, u64 value);

#endif
