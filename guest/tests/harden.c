/*
 * Hardened code generation: built with -fstack-protector-strong (the canary
 * is this program's own __stack_chk_guard, checked in every function with a
 * local array) and -ftrapv (signed +, -, * and negation through libgcc's
 * __addvdi3, __addvsi3, __subvdi3, __mulvdi3, __mulvsi3 and the like, which
 * call abort() on overflow). The checked arithmetic runs first; then one
 * overflow reaches abort(), which overruns a buffer into its canary, so the
 * program ends in __stack_chk_fail with status 77.
 */
#include "rt.h"

unsigned long __stack_chk_guard = 0x00c0ffee5eed0a00ul;

NORETURN void __stack_chk_fail(void)
{
    printf("stack smashing detected\n");
    exit(77);
}

static NOINLINE int smash(const char *src, int n)
{
    char buf[16];
    char *p = buf;
    __asm__("" : "+r"(p)); /* the compiler may not bound the loop by the array's size */
    for (int i = 0; i < n; i++)
        p[i] = src[i % 4];
    return buf[0] + p[n / 2];
}

NORETURN void abort(void)
{
    printf("abort: signed overflow trapped\n");
    /* 24 bytes into a 16-byte buffer: the canary above it is overwritten. */
    smash("wxyz", 24);
    printf("canary not checked\n");
    exit(1);
}

static NOINLINE long add(long a, long b) { return a + b; }
static NOINLINE long sub(long a, long b) { return a - b; }
static NOINLINE long mul(long a, long b) { return a * b; }
static NOINLINE long neg(long a) { return -a; }
static NOINLINE int add32(int a, int b) { return a + b; }
static NOINLINE int mul32(int a, int b) { return a * b; }

static NOINLINE uint64_t checksum(const uint8_t *p, int n)
{
    uint8_t copy[64];
    uint64_t h = 0;
    for (int i = 0; i < n && i < 64; i++)
        copy[i] = p[i];
    for (int i = 0; i < n && i < 64; i++)
        h = h * 131 + copy[i];
    return h;
}

int main(void)
{
    long s = 0;
    for (long i = 1; i < 2000; i++)
        s = add(s, mul(i, i % 2 ? i : -i));
    printf("sum %ld\n", s);
    printf("sub %ld neg %ld\n", sub(-4611686018427387904l, 4611686018427387904l), neg(-9223372036854775807l));
    printf("mul %ld\n", mul(3037000499l, 3037000499l));
    printf("32-bit %d %d\n", add32(2147483600, 47), mul32(46340, -46340));
    uint8_t data[40];
    for (int i = 0; i < 40; i++)
        data[i] = (uint8_t)(i * 7);
    printf("checksum %016lx\n", checksum(data, 40));
    printf("smash within bounds: %d\n", smash("abcd", 16));
    printf("overflow next\n");
    flush_stdout();
    printf("never printed %ld\n", add(9223372036854775807l, 1));
    return 0;
}
