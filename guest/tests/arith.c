/*
 * 64- and 32-bit integer arithmetic: wraparound, overflow detection,
 * comparisons of every flavour, shifts and rotates, extensions, multiply-high.
 */
#include "rt.h"

static uint64_t checksum;

static void mix(uint64_t v)
{
    checksum = (checksum ^ v) * 0x100000001b3ull;
    checksum ^= checksum >> 29;
}

/* Values chosen to hit sign, carry and overflow boundaries. */
static const uint64_t vals64[] = {
    0,
    1,
    2,
    3,
    0x7f,
    0x80,
    0xff,
    0x7fff,
    0x8000,
    0xffff,
    0x7fffffff,
    0x80000000,
    0xffffffff,
    0x100000000ull,
    0x123456789abcdef0ull,
    0x7fffffffffffffffull,
    0x8000000000000000ull,
    0x8000000000000001ull,
    0xfedcba9876543210ull,
    0xfffffffffffffffeull,
    0xffffffffffffffffull,
};
#define NV ARRAY_LEN(vals64)

/* Keeps values opaque to the optimiser so the operations really execute. */
static NOINLINE uint64_t opaque64(uint64_t v)
{
    __asm__ volatile("" : "+r"(v));
    return v;
}

static NOINLINE uint32_t opaque32(uint32_t v)
{
    __asm__ volatile("" : "+r"(v));
    return v;
}

static NOINLINE void test_add_sub(void)
{
    printf("== add/sub 64\n");
    for (unsigned i = 0; i < NV; i++) {
        for (unsigned j = 0; j < NV; j += 3) {
            uint64_t a = opaque64(vals64[i]), b = opaque64(vals64[j]);
            uint64_t sum = a + b, diff = a - b, neg = -a;
            int64_t s_res;
            uint64_t u_res;
            int ov_add = __builtin_add_overflow((int64_t)a, (int64_t)b, &s_res);
            int ov_sub = __builtin_sub_overflow((int64_t)a, (int64_t)b, &s_res);
            int cy_add = __builtin_add_overflow(a, b, &u_res);
            int cy_sub = __builtin_sub_overflow(a, b, &u_res);
            mix(sum);
            mix(diff);
            mix(neg);
            if (j % 2 == 0)
                printf("%016lx %016lx + %016lx - %016lx v%d%d c%d%d\n", a, b, sum, diff, ov_add, ov_sub,
                       cy_add, cy_sub);
            else
                mix((uint64_t)(ov_add | ov_sub << 1 | cy_add << 2 | cy_sub << 3));
        }
    }
    printf("== add/sub 32\n");
    for (unsigned i = 0; i < NV; i++) {
        for (unsigned j = 1; j < NV; j += 4) {
            uint32_t a = opaque32((uint32_t)vals64[i]), b = opaque32((uint32_t)(vals64[j] >> 3));
            int32_t s;
            uint32_t u;
            int v1 = __builtin_add_overflow((int32_t)a, (int32_t)b, &s);
            int v2 = __builtin_sub_overflow((int32_t)a, (int32_t)b, &s);
            int c1 = __builtin_add_overflow(a, b, &u);
            int c2 = __builtin_sub_overflow(a, b, &u);
            printf("%08x %08x + %08x - %08x v%d%d c%d%d\n", a, b, a + b, a - b, v1, v2, c1, c2);
        }
    }
}

static NOINLINE void test_mul(void)
{
    printf("== mul\n");
    for (unsigned i = 0; i < NV; i++) {
        uint64_t a = opaque64(vals64[i]);
        uint64_t b = opaque64(vals64[(i * 7 + 3) % NV]);
        uint64_t lo = a * b;
        uint64_t uhi = (uint64_t)(((u128)a * b) >> 64);
        int64_t shi = (int64_t)(((i128)(int64_t)a * (int64_t)b) >> 64);
        uint32_t w = (uint32_t)a * (uint32_t)b;
        int64_t smull = (int64_t)(int32_t)a * (int32_t)b;
        uint64_t umull = (uint64_t)(uint32_t)a * (uint32_t)b;
        int64_t res;
        int ov = __builtin_mul_overflow((int64_t)a, (int64_t)b, &res);
        uint64_t madd = a * b + 0x1234;
        uint64_t msub = 0x1234 - a * b;
        printf("%016lx*%016lx lo=%016lx uh=%016lx sh=%016lx w=%08x\n", a, b, lo, uhi, (uint64_t)shi, w);
        printf("  smull=%016lx umull=%016lx ov=%d madd=%016lx msub=%016lx\n", (uint64_t)smull, umull, ov, madd,
               msub);
        mix(lo ^ uhi ^ (uint64_t)shi);
    }
}

static NOINLINE void test_compare(void)
{
    printf("== compare\n");
    for (unsigned i = 0; i < NV; i++) {
        unsigned bits = 0;
        for (unsigned j = 0; j < NV; j++) {
            uint64_t a = opaque64(vals64[i]), b = opaque64(vals64[j]);
            int64_t sa = (int64_t)a, sb = (int64_t)b;
            unsigned m = (a == b) | (a != b) << 1 | (a < b) << 2 | (a <= b) << 3 | (a > b) << 4 | (a >= b) << 5 |
                         (sa < sb) << 6 | (sa <= sb) << 7 | (sa > sb) << 8 | (sa >= sb) << 9 |
                         ((int32_t)a < (int32_t)b) << 10 | ((uint32_t)a > (uint32_t)b) << 11 |
                         (sa < 0) << 12 | (sa >= 0) << 13 | ((int32_t)sa < 0) << 14;
            bits = bits * 31 + m;
            mix(m);
        }
        uint64_t mx = vals64[i] > vals64[NV - 1 - i] ? vals64[i] : vals64[NV - 1 - i];
        int64_t smin = (int64_t)vals64[i] < (int64_t)vals64[NV - 1 - i] ? (int64_t)vals64[i]
                                                                       : (int64_t)vals64[NV - 1 - i];
        int64_t sv = (int64_t)opaque64(vals64[i]);
        uint64_t abs = sv < 0 ? 0 - (uint64_t)sv : (uint64_t)sv;
        printf("%016lx cmpbits=%08x umax=%016lx smin=%016lx abs=%016lx\n", vals64[i], bits, mx, (uint64_t)smin,
               abs);
    }
}

static NOINLINE uint64_t rotl64(uint64_t x, unsigned n)
{
    n &= 63;
    return (x << n) | (x >> ((64 - n) & 63));
}

static NOINLINE uint64_t rotr64(uint64_t x, unsigned n)
{
    n &= 63;
    return (x >> n) | (x << ((64 - n) & 63));
}

static NOINLINE uint32_t rotr32(uint32_t x, unsigned n)
{
    n &= 31;
    return (x >> n) | (x << ((32 - n) & 31));
}

static NOINLINE void test_shifts(void)
{
    printf("== shifts\n");
    static const unsigned amounts[] = { 0, 1, 4, 7, 8, 15, 16, 31, 32, 33, 48, 63 };
    for (unsigned i = 0; i < NV; i += 2) {
        uint64_t x = opaque64(vals64[i] ^ 0x0f0f00ff00f0f0f1ull);
        for (unsigned k = 0; k < ARRAY_LEN(amounts); k++) {
            unsigned n = (unsigned)opaque64(amounts[k]);
            uint64_t lsl = x << n, lsr = x >> n;
            int64_t asr = (int64_t)x >> n;
            uint32_t w = (uint32_t)x;
            unsigned n32 = n & 31;
            uint32_t wl = w << n32, wr = w >> n32;
            int32_t wa = (int32_t)w >> n32;
            printf("%016lx>>%2u l=%016lx r=%016lx a=%016lx rl=%016lx rr=%016lx w:%08x %08x %08x %08x\n", x, n,
                   lsl, lsr, (uint64_t)asr, rotl64(x, n), rotr64(x, n), wl, wr, (uint32_t)wa, rotr32(w, n));
            mix(lsl + lsr + (uint64_t)asr);
        }
        /* Constant shifts and rotates turn into ubfm/sbfm/extr. */
        printf("  c: %016lx %016lx %016lx %016lx %08x\n", x << 13, x >> 51, (uint64_t)((int64_t)x >> 17),
               (x << 9) | (x >> 55), ((uint32_t)x << 5) | ((uint32_t)x >> 27));
    }
}

static NOINLINE void test_extend(void)
{
    printf("== extend/truncate\n");
    for (unsigned i = 0; i < NV; i++) {
        uint64_t x = opaque64(vals64[i] * 0x9e3779b97f4a7c15ull);
        int64_t sb = (int8_t)x, sh = (int16_t)x, sw = (int32_t)x;
        uint64_t ub = (uint8_t)x, uh = (uint16_t)x, uw = (uint32_t)x;
        uint64_t addext = x + (uint64_t)(int64_t)(int32_t)(x >> 7);
        uint64_t subext = x - ((uint64_t)(uint16_t)(x >> 3) << 2);
        printf("%016lx sb=%lx sh=%lx sw=%lx ub=%lx uh=%lx uw=%lx ae=%lx se=%lx\n", x, (uint64_t)sb, (uint64_t)sh,
               (uint64_t)sw, ub, uh, uw, addext, subext);
        mix(addext ^ subext);
    }
}

static NOINLINE void test_logic(void)
{
    printf("== logic\n");
    for (unsigned i = 0; i < NV; i++) {
        uint64_t a = opaque64(vals64[i]);
        uint64_t b = opaque64(vals64[(i + 5) % NV] ^ 0x5555aaaa3333ccccull);
        printf("%016lx %016lx and=%016lx orr=%016lx eor=%016lx bic=%016lx orn=%016lx eon=%016lx imm=%016lx %016lx\n",
               a, b, a & b, a | b, a ^ b, a & ~b, a | ~b, a ^ ~b, a & 0x00ff00ff00ff00fful,
               a ^ 0xfffffffffffffff0ul);
        int tst = (a & 0x8000000000000001ull) != 0;
        mix((a & b) + tst);
    }
}

int main(void)
{
    test_add_sub();
    test_mul();
    test_compare();
    test_shifts();
    test_extend();
    test_logic();
    printf("checksum %016lx\n", checksum);
    return 0;
}
