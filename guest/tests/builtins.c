/*
 * Bit-manipulation builtins: clz/ctz/clrsb/ffs (clz, rbit, cls), bswap (rev,
 * rev16, rev32), popcount/parity (calls to libgcc's __popcountdi2 and
 * __paritydi2, because -mgeneral-regs-only rules out the SIMD cnt sequence),
 * each cross-checked against a plain loop implementation.
 */
#include "rt.h"

static unsigned mismatches;

static void check(const char *what, uint64_t x, uint64_t got, uint64_t want)
{
    if (got != want) {
        mismatches++;
        printf("MISMATCH %s(%016lx): %lu != %lu\n", what, x, got, want);
    }
}

static NOINLINE uint64_t opaque(uint64_t v)
{
    __asm__ volatile("" : "+r"(v));
    return v;
}

static int soft_clz64(uint64_t x)
{
    int n = 0;
    for (int i = 63; i >= 0 && !((x >> i) & 1); i--)
        n++;
    return n;
}

static int soft_ctz64(uint64_t x)
{
    int n = 0;
    while (n < 64 && !((x >> n) & 1))
        n++;
    return n;
}

static int soft_popcount64(uint64_t x)
{
    int n = 0;
    for (; x; x >>= 1)
        n += (int)(x & 1);
    return n;
}

static uint64_t soft_bswap64(uint64_t x)
{
    uint64_t r = 0;
    for (int i = 0; i < 8; i++)
        r = (r << 8) | ((x >> (8 * i)) & 0xff);
    return r;
}

static uint64_t soft_bitreverse64(uint64_t x)
{
    uint64_t r = 0;
    for (int i = 0; i < 64; i++)
        r |= ((x >> i) & 1) << (63 - i);
    return r;
}

/* rbit has no builtin in GCC; this idiom is recognised only by some compilers. */
static NOINLINE uint64_t rbit64(uint64_t x)
{
    uint64_t r;
    __asm__("rbit %0, %1" : "=r"(r) : "r"(x));
    return r;
}

static NOINLINE void test_value(uint64_t x)
{
    x = opaque(x);
    uint32_t w = (uint32_t)x;
    int clz = x ? __builtin_clzll(x) : 64;
    int ctz = x ? __builtin_ctzll(x) : 64;
    int clz32 = w ? __builtin_clz(w) : 32;
    int ctz32 = w ? __builtin_ctz(w) : 32;
    int pop = __builtin_popcountll(x);
    int pop32 = __builtin_popcount(w);
    int par = __builtin_parityll(x);
    int par32 = __builtin_parity(w);
    int ffs = __builtin_ffsll((long long)x);
    int ffs32 = __builtin_ffs((int)w);
    int clrsb = __builtin_clrsbll((long long)x);
    int clrsb32 = __builtin_clrsb((int)w);
    uint64_t bs = __builtin_bswap64(x);
    uint32_t bs32 = __builtin_bswap32(w);
    uint16_t bs16 = __builtin_bswap16((uint16_t)x);
    uint64_t rb = rbit64(x);

    printf("%016lx clz=%d,%d ctz=%d,%d pop=%d,%d par=%d,%d ffs=%d,%d clrsb=%d,%d\n", x, clz, clz32, ctz, ctz32, pop,
           pop32, par, par32, ffs, ffs32, clrsb, clrsb32);
    printf("  bswap=%016lx,%08x,%04x rbit=%016lx\n", bs, bs32, bs16, rb);

    check("clz", x, (uint64_t)clz, (uint64_t)soft_clz64(x));
    check("ctz", x, (uint64_t)ctz, (uint64_t)soft_ctz64(x));
    check("clz32", x, (uint64_t)clz32, (uint64_t)(soft_clz64(w) - 32));
    check("ctz32", x, (uint64_t)ctz32, (uint64_t)(w ? soft_ctz64(w) : 32));
    check("popcount", x, (uint64_t)pop, (uint64_t)soft_popcount64(x));
    check("popcount32", x, (uint64_t)pop32, (uint64_t)soft_popcount64(w));
    check("parity", x, (uint64_t)par, (uint64_t)(soft_popcount64(x) & 1));
    check("ffs", x, (uint64_t)ffs, x ? (uint64_t)soft_ctz64(x) + 1 : 0);
    uint64_t sx = (int64_t)x < 0 ? ~x : x;
    check("clrsb", x, (uint64_t)clrsb, (uint64_t)(soft_clz64(sx) - 1));
    check("bswap", x, bs, soft_bswap64(x));
    check("rbit", x, rb, soft_bitreverse64(x));
}

/* Common idioms that GCC maps onto single instructions. */
static NOINLINE void test_idioms(uint64_t x)
{
    x = opaque(x);
    uint32_t w = (uint32_t)x;
    uint64_t lowest = x & (0 - x);
    uint64_t clear_lowest = x & (x - 1);
    uint64_t smear = x | (x >> 1);
    smear |= smear >> 2;
    smear |= smear >> 4;
    smear |= smear >> 8;
    smear |= smear >> 16;
    smear |= smear >> 32;
    int log2 = x ? 63 - __builtin_clzll(x) : -1;
    uint64_t next_pow2 = (x && x <= (1ull << 63)) ? (x == 1 ? 1 : 1ull << (64 - __builtin_clzll(x - 1))) : 0;
    uint32_t rev16 = ((w & 0x00ff00ffu) << 8) | ((w >> 8) & 0x00ff00ffu);
    uint64_t rev32 = __builtin_bswap64((x << 32) | (x >> 32));
    printf("%016lx low=%lx clr=%lx smear=%lx log2=%d np2=%lx rev16=%08x rev32=%016lx\n", x, lowest, clear_lowest,
           smear, log2, next_pow2, rev16, rev32);
}

int main(void)
{
    static const uint64_t fixed[] = {
        0,
        1,
        2,
        0x80,
        0x8000,
        0x80000000ull,
        0x100000000ull,
        0x8000000000000000ull,
        0xffffffffffffffffull,
        0x7fffffffffffffffull,
        0x00000000ffffffffull,
        0xffffffff00000000ull,
        0x0123456789abcdefull,
        0xfedcba9876543210ull,
        0x5555555555555555ull,
        0xaaaaaaaaaaaaaaaaull,
        0x0000000000010000ull,
        0xc000000000000003ull,
        0xfffffffffffffffeull,
        0x00000000ff000000ull,
    };
    printf("== fixed values\n");
    for (unsigned i = 0; i < ARRAY_LEN(fixed); i++)
        test_value(fixed[i]);
    printf("== pseudo-random values\n");
    uint64_t s = 0x9e3779b97f4a7c15ull;
    for (int i = 0; i < 40; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        test_value(s >> (i % 64));
    }
    printf("== idioms\n");
    for (unsigned i = 0; i < ARRAY_LEN(fixed); i++)
        test_idioms(fixed[i]);
    printf("mismatches %u\n", mismatches);
    return mismatches ? 1 : 0;
}
