/*
 * Struct copies and the AAPCS64 rules for aggregates: small structs passed
 * and returned in registers, large ones through memory (caller copies, x8
 * indirect result), arrays of structs, nested structs, unions.
 */
#include "rt.h"

struct small {
    int32_t a;
    int32_t b;
}; /* 8 bytes: one register */

struct pair16 {
    uint64_t lo;
    uint64_t hi;
}; /* 16 bytes: two registers */

struct odd {
    uint8_t c;
    uint16_t s;
    uint8_t d;
}; /* 6 bytes with padding */

struct big {
    uint64_t v[9];
    char name[12];
    struct small inner;
}; /* > 16 bytes: passed by reference to a copy, returned via x8 */

union pun {
    uint64_t u;
    int32_t w[2];
    uint8_t b[8];
};

static uint64_t checksum;

static void mix(uint64_t v)
{
    checksum = (checksum ^ v) * 0x9e3779b97f4a7c15ull + 1;
}

static NOINLINE struct small make_small(int32_t a, int32_t b)
{
    struct small s = { (int32_t)((uint32_t)a * 3u), (int32_t)((uint32_t)b - (uint32_t)a) };
    return s;
}

static NOINLINE struct pair16 add_pair(struct pair16 x, struct pair16 y)
{
    struct pair16 r;
    r.lo = x.lo + y.lo;
    r.hi = x.hi + y.hi + (r.lo < x.lo);
    return r;
}

static NOINLINE struct odd bump_odd(struct odd o)
{
    o.c++;
    o.s = (uint16_t)(o.s * 3);
    o.d ^= 0xff;
    return o;
}

static NOINLINE struct big make_big(uint64_t seed, const char *name)
{
    struct big b;
    memset(&b, 0, sizeof b);
    for (int i = 0; i < 9; i++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        b.v[i] = seed;
    }
    int i = 0;
    for (; name[i] && i < 11; i++)
        b.name[i] = name[i];
    b.inner = make_small((int32_t)seed, (int32_t)(seed >> 32));
    return b;
}

/* The callee modifies its copy; the caller's struct must not change. */
static NOINLINE uint64_t consume_big(struct big b)
{
    uint64_t s = 0;
    for (int i = 0; i < 9; i++) {
        s += b.v[i] ^ (uint64_t)i;
        b.v[i] = 0;
    }
    s += (uint64_t)(int64_t)b.inner.a * 7 + (uint64_t)(int64_t)b.inner.b;
    b.name[0] = '#';
    return s;
}

static NOINLINE struct big transform(struct big b, int k)
{
    for (int i = 0; i < 9; i++)
        b.v[i] = (b.v[i] << k) | (b.v[i] >> (64 - k));
    b.name[0] = (char)('A' + k);
    return b;
}

/* Many struct arguments: some go on the stack. */
static NOINLINE int64_t many(struct small a, struct pair16 b, struct small c, struct pair16 d, struct small e,
                             struct pair16 f, struct odd g, struct small h)
{
    return (int64_t)a.a - a.b + (int64_t)(b.lo ^ b.hi) + c.a * c.b + (int64_t)(d.lo - d.hi) + e.a + e.b +
           (int64_t)f.hi + g.c + g.s + g.d + h.a - h.b;
}

static void show_big(const char *label, const struct big *b)
{
    printf("%s: name=%s v0=%016lx v8=%016lx inner=(%d,%d)\n", label, b->name, b->v[0], b->v[8], b->inner.a,
           b->inner.b);
}

int main(void)
{
    printf("== small structs (sizes %u %u %u %u)\n", (unsigned)sizeof(struct small), (unsigned)sizeof(struct pair16),
           (unsigned)sizeof(struct odd), (unsigned)sizeof(struct big));
    struct small s = make_small(1000, -5);
    printf("small %d %d\n", s.a, s.b);
    struct pair16 p = { 0xffffffffffffffffull, 1 }, q = { 1, 2 };
    struct pair16 r = add_pair(p, q);
    printf("pair %016lx %016lx\n", r.hi, r.lo);
    struct odd o = { 250, 40000, 0x0f };
    for (int i = 0; i < 4; i++) {
        o = bump_odd(o);
        printf("odd %u %u %u\n", o.c, o.s, o.d);
    }

    printf("== big structs\n");
    struct big a = make_big(1, "alpha");
    struct big b = make_big(2, "a-very-long-name");
    show_big("a", &a);
    show_big("b", &b);
    uint64_t ca = consume_big(a);
    printf("consume a = %016lx, a.v0 still %016lx, name %s\n", ca, a.v[0], a.name);
    struct big t = transform(b, 13);
    show_big("t", &t);
    show_big("b again", &b);
    /* Assignment and self-referential copy through an array. */
    struct big arr[4];
    arr[0] = a;
    arr[1] = t;
    arr[2] = arr[0];
    arr[3] = transform(arr[2], 1);
    arr[0] = arr[3];
    for (int i = 0; i < 4; i++) {
        show_big("arr", &arr[i]);
        mix(consume_big(arr[i]));
    }

    printf("== many arguments\n");
    struct small s1 = { 1, 2 }, s2 = { -3, 4 }, s3 = { 5, -6 }, s4 = { 7, 8 };
    struct pair16 p1 = { 10, 20 }, p2 = { 300, 40 }, p3 = { 5, 6000 };
    struct odd g = { 9, 999, 99 };
    printf("many = %ld\n", many(s1, p1, s2, p2, s3, p3, g, s4));

    printf("== unions and type punning\n");
    union pun u;
    u.u = 0x0123456789abcdefull;
    printf("w0=%08x w1=%08x b0=%02x b7=%02x\n", (uint32_t)u.w[0], (uint32_t)u.w[1], u.b[0], u.b[7]);
    u.b[3] = 0xff;
    u.w[1] = -2;
    printf("u=%016lx\n", u.u);

    printf("== struct array shuffle\n");
    struct small grid[16];
    for (int i = 0; i < 16; i++)
        grid[i] = make_small(i, i * i);
    for (int round = 0; round < 5; round++) {
        for (int i = 0; i < 16; i++) {
            int j = (i * 5 + round) % 16;
            struct small tmp = grid[i];
            grid[i] = grid[j];
            grid[j] = tmp;
            grid[i].b += round;
        }
    }
    for (int i = 0; i < 16; i++) {
        printf("(%d,%d)", grid[i].a, grid[i].b);
        mix((uint64_t)(uint32_t)grid[i].a << 32 | (uint32_t)grid[i].b);
    }
    printf("\nchecksum %016lx\n", checksum);
    return 0;
}
