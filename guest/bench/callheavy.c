/*
 * Call-heavy benchmark: many small non-inlined functions, a few levels deep,
 * some reached through function pointers, a small recursive function, and
 * loads/stores to a struct and an array on every call path. Built with
 * -O2 -fpatchable-function-entry=2 so every function starts with two NOPs,
 * the patch site used by ftrace-style tracers.
 *
 * Usage: callheavy.elf [iterations]   (default 2,500,000: about 420 million instructions)
 * Prints the iteration count and a checksum; exits 0.
 */
#include "rt.h"

#define DEFAULT_ITERATIONS 2500000u

struct state {
    uint64_t acc;
    uint64_t hist[16];
    uint32_t idx;
    uint32_t calls;
    uint64_t ring[64];
};

static struct state st;

/* Leaves. */
static NOINLINE uint64_t leaf_add(uint64_t a, uint64_t b)
{
    return a + b;
}

static NOINLINE uint64_t leaf_xor(uint64_t a, uint64_t b)
{
    return a ^ b;
}

static NOINLINE uint64_t leaf_rot(uint64_t a, unsigned n)
{
    return (a << (n & 63)) | (a >> ((64 - n) & 63));
}

static NOINLINE uint64_t leaf_mul(uint64_t a)
{
    return a * 0x9e3779b97f4a7c15ull;
}

static NOINLINE uint64_t leaf_load(const struct state *s, unsigned i)
{
    return s->hist[i & 15];
}

static NOINLINE void leaf_store(struct state *s, unsigned i, uint64_t v)
{
    s->ring[i & 63] = v;
}

/* Middle layer. */
static NOINLINE uint64_t mid_mix(struct state *s, uint64_t x)
{
    s->calls++;
    uint64_t h = leaf_load(s, s->idx);
    return leaf_xor(leaf_add(x, h), leaf_rot(x, 13));
}

static NOINLINE uint64_t mid_record(struct state *s, uint64_t x)
{
    s->calls++;
    s->idx++;
    s->hist[s->idx & 15] = x;
    leaf_store(s, s->idx, leaf_mul(x));
    return x + s->idx;
}

static NOINLINE uint64_t mid_scan(struct state *s, uint64_t x)
{
    s->calls++;
    uint64_t a = s->ring[x & 63];
    uint64_t b = s->ring[(x >> 6) & 63];
    return leaf_add(a, leaf_rot(b, (unsigned)x));
}

static NOINLINE uint64_t mid_shift(struct state *s, uint64_t x)
{
    s->calls++;
    return leaf_xor(x >> 3, leaf_mul(x + s->acc));
}

/* A small recursive function (depth 3..6). */
static NOINLINE uint64_t rec(unsigned depth, uint64_t x)
{
    if (depth == 0)
        return leaf_mul(x);
    return leaf_add(rec(depth - 1, x ^ depth), depth);
}

typedef uint64_t (*op_fn)(struct state *, uint64_t);

static op_fn const ops[4] = { mid_mix, mid_record, mid_scan, mid_shift };

/* Top layer: dispatch through the table, then a direct chain. */
static NOINLINE uint64_t step(struct state *s, uint64_t x, uint32_t i)
{
    uint64_t y = ops[x & 3](s, x);
    y = ops[(y >> 7) & 3](s, y ^ i);
    y = mid_record(s, y);
    if ((i & 7) == 0)
        y = leaf_add(y, rec(3 + (i >> 3) % 4, y));
    s->acc += y;
    return y;
}

static uint32_t parse_u32(const char *p, uint32_t fallback)
{
    uint64_t v = 0;
    if (!p || !*p)
        return fallback;
    for (; *p; p++) {
        if (*p < '0' || *p > '9' || v > 0xffffffffu)
            return fallback;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    return v > 0xffffffffu ? fallback : (uint32_t)v;
}

int main(int argc, char **argv)
{
    uint32_t iterations = argc > 1 ? parse_u32(argv[1], DEFAULT_ITERATIONS) : DEFAULT_ITERATIONS;
    uint64_t x = 0x243f6a8885a308d3ull;
    for (uint32_t i = 0; i < iterations; i++)
        x = step(&st, x, i);
    uint64_t ring = 0;
    for (int i = 0; i < 64; i++)
        ring = leaf_xor(leaf_rot(ring, 5), st.ring[i]);
    printf("iterations %u\n", iterations);
    printf("calls %u\n", st.calls);
    printf("checksum %016lx %016lx %016lx\n", x, st.acc, ring);
    return 0;
}
