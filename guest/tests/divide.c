/*
 * Integer division. Divisions whose result C leaves undefined (by zero,
 * INT_MIN / -1) are done with the machine instructions directly, which the
 * architecture defines: x / 0 == 0 and INT_MIN / -1 == INT_MIN.
 */
#include "rt.h"

static uint64_t checksum;

static void mix(uint64_t v)
{
    checksum += v;
    checksum = (checksum << 7 | checksum >> 57) ^ 0xa5a5a5a5a5a5a5a5ull;
}

static inline uint64_t hw_udiv64(uint64_t a, uint64_t b)
{
    uint64_t q;
    __asm__("udiv %0, %1, %2" : "=r"(q) : "r"(a), "r"(b));
    return q;
}

static inline int64_t hw_sdiv64(int64_t a, int64_t b)
{
    int64_t q;
    __asm__("sdiv %0, %1, %2" : "=r"(q) : "r"(a), "r"(b));
    return q;
}

static inline uint32_t hw_udiv32(uint32_t a, uint32_t b)
{
    uint32_t q;
    __asm__("udiv %w0, %w1, %w2" : "=r"(q) : "r"(a), "r"(b));
    return q;
}

static inline int32_t hw_sdiv32(int32_t a, int32_t b)
{
    int32_t q;
    __asm__("sdiv %w0, %w1, %w2" : "=r"(q) : "r"(a), "r"(b));
    return q;
}

/* Remainder computed the way compilers do it: a - (a / b) * b via msub. */
static inline int64_t hw_srem64(int64_t a, int64_t b)
{
    int64_t q, r;
    __asm__("sdiv %0, %2, %3\n\tmsub %1, %0, %3, %2" : "=&r"(q), "=r"(r) : "r"(a), "r"(b));
    return r;
}

static inline uint64_t hw_urem64(uint64_t a, uint64_t b)
{
    uint64_t q, r;
    __asm__("udiv %0, %2, %3\n\tmsub %1, %0, %3, %2" : "=&r"(q), "=r"(r) : "r"(a), "r"(b));
    return r;
}

/* Inputs travel through a volatile so the compiler cannot fold the C divisions. */
static volatile uint64_t sink_u;

static NOINLINE uint64_t hide(uint64_t v)
{
    sink_u = v;
    return sink_u;
}

static const int64_t svals[] = {
    0,
    1,
    -1,
    2,
    -2,
    3,
    -3,
    7,
    -7,
    10,
    100,
    -100,
    12345,
    -98765,
    0x7fffffff,
    -0x7fffffff - 1,
    0x100000000ll,
    0x7fffffffffffffffll,
    -0x7fffffffffffffffll - 1,
    0x123456789abcdefll,
    -0x123456789abcdefll,
};

static NOINLINE void test_c_division(void)
{
    printf("== C division 64 (non-zero divisors, no overflow)\n");
    for (unsigned i = 0; i < ARRAY_LEN(svals); i++) {
        for (unsigned j = 0; j < ARRAY_LEN(svals); j++) {
            int64_t a = (int64_t)hide((uint64_t)svals[i]);
            int64_t b = (int64_t)hide((uint64_t)svals[j]);
            if (b == 0 || (a == INT64_MIN && b == -1))
                continue;
            int64_t q = a / b, r = a % b;
            uint64_t uq = (uint64_t)a / (uint64_t)b, ur = (uint64_t)a % (uint64_t)b;
            mix((uint64_t)q ^ (uint64_t)r << 1);
            mix(uq + ur);
            if ((i + j) % 3 == 0)
                printf("%ld / %ld = %ld r %ld | u: %lu r %lu\n", a, b, q, r, uq, ur);
        }
    }
    printf("== C division 32\n");
    for (unsigned i = 0; i < ARRAY_LEN(svals); i++) {
        for (unsigned j = 0; j < ARRAY_LEN(svals); j += 2) {
            int32_t a = (int32_t)hide((uint64_t)svals[i]);
            int32_t b = (int32_t)hide((uint64_t)svals[j] * 3 + 1);
            if (b == 0 || (a == INT32_MIN && b == -1))
                continue;
            printf("%d / %d = %d r %d | u: %u r %u\n", a, b, a / b, a % b, (uint32_t)a / (uint32_t)b,
                   (uint32_t)a % (uint32_t)b);
        }
    }
}

/* Division by constants becomes multiply-high plus shifts. */
static NOINLINE void test_constant_divisors(void)
{
    printf("== constant divisors\n");
    for (unsigned i = 0; i < ARRAY_LEN(svals); i++) {
        int64_t a = (int64_t)hide((uint64_t)svals[i]);
        uint64_t u = (uint64_t)a;
        int32_t w = (int32_t)a;
        printf("%ld: /3=%ld /7=%ld /10=%ld /-7=%ld /16=%ld %%3=%ld %%10=%ld %%16=%ld %%-7=%ld\n", a, a / 3, a / 7,
               a / 10, a / -7, a / 16, a % 3, a % 10, a % 16, a % -7);
        printf("  u: /3=%lu /10=%lu /1000000007=%lu %%10=%lu %%1000000007=%lu w: /5=%d /13=%d %%9=%d u/6=%u\n",
               u / 3, u / 10, u / 1000000007, u % 10, u % 1000000007, w / 5, w / 13, w % 9, (uint32_t)w / 6);
        mix((uint64_t)(a / 7) + u / 10);
    }
}

static NOINLINE void test_hw_edge_cases(void)
{
    printf("== hardware edge cases\n");
    for (unsigned i = 0; i < ARRAY_LEN(svals); i++) {
        int64_t a = (int64_t)hide((uint64_t)svals[i]);
        uint64_t zero = hide(0);
        int64_t minus1 = (int64_t)hide((uint64_t)-1);
        printf("%ld: udiv0=%lu sdiv0=%ld sdiv-1=%ld srem0=%ld urem0=%lu srem-1=%ld\n", a, hw_udiv64((uint64_t)a, zero),
               hw_sdiv64(a, (int64_t)zero), hw_sdiv64(a, minus1), hw_srem64(a, (int64_t)zero),
               hw_urem64((uint64_t)a, zero), hw_srem64(a, minus1));
        printf("  w: udiv0=%u sdiv0=%d sdiv-1=%d\n", hw_udiv32((uint32_t)a, (uint32_t)zero),
               hw_sdiv32((int32_t)a, (int32_t)zero), hw_sdiv32((int32_t)a, (int32_t)minus1));
    }
    int64_t min64 = (int64_t)hide(0x8000000000000000ull);
    int32_t min32 = (int32_t)hide(0x80000000u);
    printf("INT64_MIN / -1 = %ld (%016lx)\n", hw_sdiv64(min64, -1), (uint64_t)hw_sdiv64(min64, -1));
    printf("INT64_MIN %% -1 = %ld\n", hw_srem64(min64, -1));
    printf("INT32_MIN / -1 = %d (%08x)\n", hw_sdiv32(min32, -1), (uint32_t)hw_sdiv32(min32, -1));
    printf("UINT64_MAX / 1 = %lu\n", hw_udiv64(~0ull, hide(1)));
    printf("UINT64_MAX / UINT64_MAX = %lu\n", hw_udiv64(~0ull, hide(~0ull)));
    /* A division result in a W register must zero the upper half. */
    uint64_t wide;
    __asm__("mov %0, #-1\n\tudiv %w0, %w1, %w2" : "=&r"(wide) : "r"(hide(100)), "r"(hide(7)));
    printf("udiv w clears top: %016lx\n", wide);
    mix((uint64_t)hw_sdiv64(min64, -1));
}

/* Simple long division with shift and subtract, cross-checked with udiv. */
static NOINLINE uint64_t soft_udiv(uint64_t n, uint64_t d, uint64_t *rem)
{
    uint64_t q = 0, r = 0;
    for (int i = 63; i >= 0; i--) {
        r = (r << 1) | ((n >> i) & 1);
        if (r >= d) {
            r -= d;
            q |= 1ull << i;
        }
    }
    *rem = r;
    return q;
}

static NOINLINE void test_soft_division(void)
{
    printf("== soft vs hard division\n");
    uint64_t x = 0x243f6a8885a308d3ull;
    unsigned bad = 0;
    for (int i = 0; i < 2000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        uint64_t n = x;
        uint64_t d = (x >> (x & 63)) | 1;
        uint64_t r;
        uint64_t q = soft_udiv(n, d, &r);
        if (q != n / d || r != n % d)
            bad++;
        mix(q ^ r);
        if (i % 250 == 0)
            printf("%016lx / %016lx = %016lx r %016lx\n", n, d, q, r);
    }
    printf("mismatches %u\n", bad);
}

int main(void)
{
    test_c_division();
    test_constant_divisors();
    test_hw_edge_cases();
    test_soft_division();
    printf("checksum %016lx\n", checksum);
    return 0;
}
