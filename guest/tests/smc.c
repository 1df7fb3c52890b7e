/*
 * Code written at run time: functions generated into an anonymous RWX
 * mapping, made visible to instruction fetch with the cache maintenance
 * Linux user programs do (DC CVAU and IC IVAU over the line sizes of CTR_EL0,
 * DSB ISH, ISB), called often enough to be translated, then rewritten in place
 * while hot: an immediate, an ADD turned into a SUB, a branch retargeted, a
 * function reached through a branch into the next page. Every result is
 * checked against the value the current code must give.
 */
#include "rt.h"

#define SYS_munmap 215
#define SYS_mmap 222
#define PROT_RWX 7
#define MAP_PRIVATE_ANON 0x22

static long syscall6(long nr, long a, long b, long c, long d, long e, long f)
{
    register long x8 __asm__("x8") = nr;
    register long x0 __asm__("x0") = a;
    register long x1 __asm__("x1") = b;
    register long x2 __asm__("x2") = c;
    register long x3 __asm__("x3") = d;
    register long x4 __asm__("x4") = e;
    register long x5 __asm__("x5") = f;
    __asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5) : "memory");
    return x0;
}

/* Makes [p, p+n) of freshly written code visible to instruction fetch. */
static void sync_icache(void *p, size_t n)
{
    uint64_t ctr;
    __asm__ volatile("mrs %0, ctr_el0" : "=r"(ctr));
    uint64_t dline = 4ul << ((ctr >> 16) & 15), iline = 4ul << (ctr & 15);
    uint64_t start = (uint64_t)p, end = start + n;
    for (uint64_t a = start & ~(dline - 1); a < end; a += dline)
        __asm__ volatile("dc cvau, %0" ::"r"(a) : "memory");
    __asm__ volatile("dsb ish" ::: "memory");
    for (uint64_t a = start & ~(iline - 1); a < end; a += iline)
        __asm__ volatile("ic ivau, %0" ::"r"(a) : "memory");
    __asm__ volatile("dsb ish\n\tisb" ::: "memory");
}

static uint32_t movz_x(int rd, uint32_t imm16) { return 0xd2800000u | (imm16 << 5) | (uint32_t)rd; }
static uint32_t add_x(int rd, int rn, int rm) { return 0x8b000000u | ((uint32_t)rm << 16) | ((uint32_t)rn << 5) | (uint32_t)rd; }
static uint32_t sub_x(int rd, int rn, int rm) { return 0xcb000000u | ((uint32_t)rm << 16) | ((uint32_t)rn << 5) | (uint32_t)rd; }
static uint32_t b_words(int words) { return 0x14000000u | ((uint32_t)words & 0x3ffffff); }
#define RET 0xd65f03c0u

typedef long (*fn_t)(long);

static int failures;

static void expect(const char *what, long got, long want)
{
    printf("%-28s %ld\n", what, got);
    if (got != want) {
        printf("  FAIL: expected %ld\n", want);
        failures++;
    }
}

int main(void)
{
    uint32_t *code = (uint32_t *)syscall6(SYS_mmap, 0, 3 * 4096, PROT_RWX, MAP_PRIVATE_ANON, -1, 0);
    if ((long)code < 0 && (long)code > -4096) {
        printf("mmap failed: %ld\n", (long)code);
        return 1;
    }
    fn_t f = (fn_t)code;

    /* 1. 200 generations of f(x) = x + k (doubled every third), each called 100 times. */
    long total = 0, want = 0;
    for (int gen = 0; gen < 200; gen++) {
        int n = 0;
        code[n++] = movz_x(1, (uint32_t)gen);
        code[n++] = add_x(0, 0, 1);
        if (gen % 3 == 0)
            code[n++] = add_x(0, 0, 0);
        code[n++] = RET;
        sync_icache(code, (size_t)n * 4);
        for (long x = 0; x < 100; x++) {
            total += f(x);
            want += gen % 3 == 0 ? 2 * (x + gen) : x + gen;
        }
    }
    expect("generations", total, want);

    /* 2. One hot function rewritten in place: the immediate, then ADD -> SUB. */
    code[0] = movz_x(1, 5);
    code[1] = add_x(0, 0, 1);
    code[2] = RET;
    sync_icache(code, 12);
    long s = 0;
    want = 0;
    for (long i = 0; i < 3000; i++) {
        if (i == 1000) {
            code[0] = movz_x(1, 9);
            sync_icache(code, 4);
        }
        if (i == 2000) {
            code[1] = sub_x(0, 0, 1);
            sync_icache(code + 1, 4);
        }
        s += f(i);
        want += i < 1000 ? i + 5 : i < 2000 ? i + 9 : i - 9;
    }
    expect("patched while hot", s, want);

    /* 3. A branch retargeted: B +2 words (returns 42) becomes B +4 words (returns 84). */
    uint32_t *g = code + 16;
    g[0] = b_words(2);
    g[1] = RET;
    g[2] = movz_x(0, 42);
    g[3] = RET;
    g[4] = movz_x(0, 84);
    g[5] = RET;
    sync_icache(g, 24);
    long t = 0;
    for (int i = 0; i < 600; i++) {
        if (i == 300) {
            g[0] = b_words(4);
            sync_icache(g, 4);
        }
        t += ((fn_t)g)(0);
    }
    expect("branch retargeted", t, 300 * 42 + 300 * 84);

    /* 4. A branch into the next page, and that page rewritten. */
    uint32_t *far = code + 1024 + 8;
    code[32] = b_words((int)(far - (code + 32)));
    far[0] = movz_x(0, 0x77);
    far[1] = RET;
    sync_icache(code + 32, 4);
    sync_icache(far, 8);
    long u = 0;
    for (int i = 0; i < 400; i++) {
        if (i == 200) {
            far[0] = movz_x(0, 0x99);
            sync_icache(far, 4);
        }
        u += ((fn_t)(code + 32))(0);
    }
    expect("across pages", u, 200 * 0x77 + 200 * 0x99);

    expect("munmap", syscall6(SYS_munmap, (long)code, 3 * 4096, 0, 0, 0, 0), 0);
    return failures;
}
