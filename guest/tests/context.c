/*
 * Three cooperative tasks switched by hand-written assembly (callee-saved
 * registers, frame pointer, link register, stack pointer), each with its own
 * thread pointer: the switch also saves and loads TPIDR_EL0, and the tasks'
 * __thread variables (local-exec TLS, addressed from TPIDR_EL0) keep separate
 * values. Every task also recurses on its own stack between switches.
 */
#include "rt.h"

struct ctx {
    uint64_t regs[13]; /* x19..x28, x29, x30, sp */
    uint64_t tp;
};

void ctx_switch(struct ctx *from, struct ctx *to);
__asm__(".text\n"
        ".globl ctx_switch\n"
        ".type ctx_switch, %function\n"
        "ctx_switch:\n"
        "  stp x19, x20, [x0, #0]\n"
        "  stp x21, x22, [x0, #16]\n"
        "  stp x23, x24, [x0, #32]\n"
        "  stp x25, x26, [x0, #48]\n"
        "  stp x27, x28, [x0, #64]\n"
        "  stp x29, x30, [x0, #80]\n"
        "  mov x9, sp\n"
        "  mrs x10, tpidr_el0\n"
        "  stp x9, x10, [x0, #96]\n"
        "  ldp x19, x20, [x1, #0]\n"
        "  ldp x21, x22, [x1, #16]\n"
        "  ldp x23, x24, [x1, #32]\n"
        "  ldp x25, x26, [x1, #48]\n"
        "  ldp x27, x28, [x1, #64]\n"
        "  ldp x29, x30, [x1, #80]\n"
        "  ldp x9, x10, [x1, #96]\n"
        "  mov sp, x9\n"
        "  msr tpidr_el0, x10\n"
        "  ret\n");

#define NTASKS 3
static struct ctx main_ctx, task_ctx[NTASKS];
static uint8_t stacks[NTASKS][16384] __attribute__((aligned(16)));
/* AArch64 TLS (variant 1): TPIDR_EL0 points at a 16-byte TCB followed by the TLS block. */
static uint8_t tls_blocks[NTASKS][256] __attribute__((aligned(64)));
static int current;

static __thread long tls_counter;
static __thread int tls_history[8];

static void yield_to(int next)
{
    int me = current;
    current = next;
    ctx_switch(me < 0 ? &main_ctx : &task_ctx[me], next < 0 ? &main_ctx : &task_ctx[next]);
}

static NOINLINE long depth_sum(int n)
{
    volatile long pad[4];
    pad[n & 3] = n;
    return n == 0 ? 0 : pad[n & 3] + depth_sum(n - 1);
}

static void task_main(void)
{
    int me = current;
    for (int i = 0; i < 50 + me * 7; i++) {
        tls_counter += (me + 1) * (i + 1);
        tls_history[i & 7] ^= (int)tls_counter;
        tls_counter += depth_sum(me * 10 + i % 5);
        yield_to(i % 4 == 3 ? -1 : (me + 1) % NTASKS);
    }
    long h = tls_counter;
    for (int k = 0; k < 8; k++)
        h = h * 31 + tls_history[k];
    printf("task %d: counter %ld history %ld\n", me, tls_counter, h);
    for (;;)
        yield_to(-1);
}

int main(void)
{
    uint64_t tp0;
    __asm__ volatile("mrs %0, tpidr_el0" : "=r"(tp0));
    for (int t = 0; t < NTASKS; t++) {
        task_ctx[t].regs[11] = (uint64_t)task_main;                 /* x30: first switch returns here */
        task_ctx[t].regs[12] = (uint64_t)(stacks[t] + sizeof stacks[t]);
        task_ctx[t].tp = (uint64_t)tls_blocks[t];
    }
    current = -1;
    for (int round = 0; round < 120; round++)
        yield_to(round % NTASKS);
    uint64_t tp1;
    __asm__ volatile("mrs %0, tpidr_el0" : "=r"(tp1));
    printf("main thread pointer restored: %d\n", tp0 == tp1);
    return 0;
}
