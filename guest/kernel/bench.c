/*
 * The functions of the call-loop workload (WL_CALLLOOP, workloads.c), in a
 * file of their own so that the compiler cannot see their bodies at the call
 * site: every call of bench_target is a real BL through its patchable entry.
 *
 * bench_target is the traced function the loop calls. bench_other0..3 are
 * traced functions nothing calls: ftrace ops filtering on them are
 * registered but never match a call that runs (irrelevant ops, which a list
 * walk still visits). Each computes a different value from its argument, so
 * a call that lands in the wrong function (an ops redirecting bench_target
 * to one of the others) fails the caller's check.
 */
#include "workloads.h"

noinline u64 bench_target(u64 x) { return x * 3 + 1; }

noinline u64 bench_other0(u64 x) { return x * 5 + 2; }
noinline u64 bench_other1(u64 x) { return x * 7 + 3; }
noinline u64 bench_other2(u64 x) { return x * 11 + 4; }
noinline u64 bench_other3(u64 x) { return x * 13 + 5; }
