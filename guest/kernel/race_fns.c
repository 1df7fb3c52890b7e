/*
 * The traced functions the race workload (race.c) calls, in a file of their
 * own so that every call is a real BL through the patchable entry. Each
 * computes a different value, so a call that comes back to the wrong place
 * or with a clobbered register fails the caller's check.
 */
#include "kernel.h"

noinline u64 race_fn0(u64 x) { return x * 3 + 1; }
noinline u64 race_fn1(u64 x) { return (x ^ 0x5a5a) + 7; }
noinline u64 race_fn2(u64 x) { return x * 9 - 2; }
noinline u64 race_fn3(u64 x) { return (x << 3) + x + 11; }
