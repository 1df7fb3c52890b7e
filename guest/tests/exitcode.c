/*
 * Exit paths: output buffered by printf must be flushed before the process
 * ends; the plain exit system call (93) ends a single-threaded process; the
 * status is the low 8 bits of the code (0x10d -> 13).
 */
#include "rt.h"

static NOINLINE NORETURN void finish(int depth, uint64_t acc)
{
    if (depth > 0)
        finish(depth - 1, acc * 31 + (uint64_t)depth);
    printf("deep exit, acc=%016lx\n", acc);
    flush_stdout();
    sys_exit(0x10d); /* exit, not exit_group */
}

int main(void)
{
    /* More than one buffer's worth of output before the exit. */
    for (int i = 0; i < 300; i++)
        printf("line %03d: %s\n", i, i % 2 ? "odd" : "even");
    /* Buffered and direct writes interleave correctly once flushed. */
    printf("buffered-1\n");
    flush_stdout();
    sys_write(1, "direct-2\n", 9);
    printf("buffered-3\n");
    finish(50, 1);
}
