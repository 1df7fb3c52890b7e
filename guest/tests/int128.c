/*
 * __int128 arithmetic. Multiplication is inlined (mul/umulh/madd); division
 * and modulo call libgcc (__udivti3, __umodti3, __divti3, __modti3); shifts
 * by a variable amount are inlined or call __ashlti3 and friends depending on
 * the optimisation level.
 */
#include "rt.h"

static u128 checksum;

static void mix(u128 v)
{
    checksum ^= v;
    checksum = checksum * (((u128)0x9e3779b97f4a7c15ull << 64) | 0xf39cc0605cedc835ull) + 1;
}

static volatile u128 opaque_store;

static NOINLINE u128 hide(u128 v)
{
    opaque_store = v;
    return opaque_store;
}

static u128 mk(uint64_t hi, uint64_t lo)
{
    return ((u128)hi << 64) | lo;
}

static void show(const char *label, u128 v)
{
    char d[48], x[48];
    fmt_u128(d, v);
    fmt_x128(x, v);
    printf("%s = %s (%s)\n", label, d, x);
}

static void show_signed(const char *label, i128 v)
{
    char d[48];
    fmt_i128(d, v);
    printf("%s = %s\n", label, d);
}

static NOINLINE void test_basic(void)
{
    printf("== basic\n");
    u128 max = hide(~(u128)0);
    i128 smax = (i128)(max >> 1);
    i128 smin = -smax - 1;
    show("u128 max", max);
    show_signed("i128 max", smax);
    show_signed("i128 min", smin);
    show("2^64", hide(mk(1, 0)));
    show("2^64-1 + 1", hide(mk(0, ~0ull)) + 1);
    show("0 - 1", hide(0) - 1);
    show("max * max", max * max);
    show("10^38", hide(1) * 100000000000000000ull * 100000000000000000ull * 10000);
    print_u128(hide(12345678901234567890ull));
    putchar(' ');
    print_i128(-(i128)hide(98765432109876543ull));
    putchar(' ');
    print_x128(hide(mk(0xdead, 0xbeef)));
    putchar('\n');
}

static NOINLINE void test_mul(void)
{
    printf("== multiply\n");
    u128 a = hide(mk(0x0123456789abcdefull, 0xfedcba9876543210ull));
    u128 b = hide(0xffffffffffffffffull);
    for (int i = 0; i < 16; i++) {
        u128 p = a * b;
        i128 sp = (i128)(a * (u128)(i128)(int64_t)(uint64_t)b); /* wraps */
        char d[48];
        fmt_x128(d, p);
        printf("%2d %s ", i, d);
        fmt_i128(d, sp);
        printf("%s\n", d);
        mix(p);
        a = a * 6364136223846793005ull + 1442695040888963407ull;
        b = (b >> 3) ^ (a << 5);
    }
    /* 64x64 -> 128 widening products. */
    uint64_t x = hide(0xfffffffffffffff1ull), y = hide(0xfffffffffffffff3ull);
    show("umul wide", (u128)x * y);
    show_signed("smul wide", (i128)(int64_t)x * (int64_t)y);
}

static NOINLINE void test_divmod(void)
{
    printf("== divide/modulo\n");
    static const uint64_t parts[][2] = {
        { 0, 1 },
        { 0, 7 },
        { 0, 0xffffffffffffffffull },
        { 1, 0 },
        { 1, 1 },
        { 0x8000000000000000ull, 0 },
        { 0x7fffffffffffffffull, 0xffffffffffffffffull },
        { 0xffffffffffffffffull, 0xffffffffffffffffull },
        { 0x0000000100000000ull, 0x0000000000000003ull },
        { 0x123456789abcdef0ull, 0x0fedcba987654321ull },
        { 0, 10 },
        { 0x4b3b4ca85a86c47aull, 0x098a224000000000ull }, /* 10^38 */
    };
    unsigned n = ARRAY_LEN(parts);
    for (unsigned i = 0; i < n; i++) {
        for (unsigned j = 0; j < n; j++) {
            u128 a = hide(mk(parts[i][0], parts[i][1]));
            u128 b = hide(mk(parts[j][0], parts[j][1]));
            u128 q = a / b, r = a % b;
            if (q * b + r != a)
                printf("BAD unsigned %u %u\n", i, j);
            i128 sa = (i128)a, sb = (i128)b;
            i128 sq = 0, sr = 0;
            int ok = !(sb == -1 && sa == (i128)((u128)1 << 127));
            if (ok) {
                sq = sa / sb;
                sr = sa % sb;
                if (sq * sb + sr != sa)
                    printf("BAD signed %u %u\n", i, j);
            }
            mix(q);
            mix(r);
            mix((u128)sq ^ (u128)sr);
            if ((i * n + j) % 5 == 0) {
                char qa[48], ra[48], qs[48], rs[48];
                fmt_u128(qa, q);
                fmt_u128(ra, r);
                fmt_i128(qs, sq);
                fmt_i128(rs, sr);
                printf("%u/%u: q=%s r=%s sq=%s sr=%s\n", i, j, qa, ra, qs, rs);
            }
        }
    }
    /* Decimal conversion via division, compared with the runtime's limb method. */
    u128 v = hide(mk(0x4b3b4ca85a86c47aull, 0x098a223fffffffffull));
    char mine[48], byhand[48];
    fmt_u128(mine, v);
    int k = 47;
    byhand[k] = '\0';
    do {
        byhand[--k] = (char)('0' + (int)(v % 10));
        v /= 10;
    } while (v);
    printf("decimal %s %s %s\n", mine, byhand + k, strcmp(mine, byhand + k) == 0 ? "match" : "MISMATCH");
}

static NOINLINE void test_shifts(void)
{
    printf("== shifts\n");
    u128 x = hide(mk(0x8123456789abcdefull, 0x0fedcba987654321ull));
    for (unsigned s = 0; s < 128; s += 9) {
        unsigned n = (unsigned)hide(s);
        char l[48], r[48], a[48];
        fmt_x128(l, x << n);
        fmt_x128(r, x >> n);
        fmt_x128(a, (u128)((i128)x >> n));
        printf("%3u l=%s r=%s a=%s\n", s, l, r, a);
        mix((x << n) ^ (x >> n));
    }
    /* Rotates and bit counts on 128-bit values. */
    u128 rot = (x << 37) | (x >> 91);
    show("rotl37", rot);
    uint64_t hi = (uint64_t)(x >> 64), lo = (uint64_t)x;
    int clz = hi ? __builtin_clzll(hi) : 64 + __builtin_clzll(lo);
    printf("clz128 %d\n", clz);
}

static NOINLINE void test_factorial(void)
{
    printf("== factorials and fibonacci\n");
    u128 f = 1;
    for (unsigned i = 1; i <= 34; i++) {
        f *= i;
        if (i % 3 == 1 || i >= 30) {
            printf("%u! = ", i);
            print_u128(f);
            putchar('\n');
        }
    }
    u128 a = 0, b = 1;
    for (int i = 0; i < 180; i++) {
        u128 t = a + b;
        a = b;
        b = t;
    }
    show("fib(180)", a);
    mix(f ^ a);
}

int main(void)
{
    test_basic();
    test_mul();
    test_divmod();
    test_shifts();
    test_factorial();
    char buf[48];
    fmt_x128(buf, checksum);
    printf("checksum %s\n", buf);
    return (int)(checksum & 0x7f);
}
