/*
 * Bitfields (signed and unsigned, straddling words, packed and unaligned
 * structs). GCC uses ubfx/sbfx/bfi/bfxil and unaligned loads/stores here.
 */
#include "rt.h"

struct flags {
    unsigned a : 1;
    unsigned b : 3;
    signed c : 5;
    unsigned d : 7;
    signed e : 16;
    unsigned f : 32; /* starts a new 32-bit unit */
    uint64_t g : 33;
    int64_t h : 31;
};

struct __attribute__((packed)) packed_rec {
    uint8_t tag;
    uint32_t id;
    uint16_t len;
    uint64_t value;
    int8_t delta;
    int32_t offset;
    unsigned lo : 4;
    unsigned hi : 12;
};

struct __attribute__((packed)) packed_bits {
    uint64_t x : 13;
    int64_t y : 29;
    uint64_t z : 22;
    uint8_t tail;
};

struct wide {
    uint64_t lo : 40;
    uint64_t mid : 20;
    uint64_t top : 4;
    int64_t s1 : 7;
    int64_t s2 : 57;
};

static uint64_t checksum;

static void mix(uint64_t v)
{
    checksum = (checksum + v) * 0x2545f4914f6cdd1dull;
}

static NOINLINE uint64_t next(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545f4914f6cdd1dull;
}

static NOINLINE void fill_flags(struct flags *f, uint64_t r)
{
    f->a = r & 1;
    f->b = (r >> 1) & 7;
    f->c = (int)((r >> 4) & 31) - 16;
    f->d = (r >> 9) & 127;
    f->e = (int16_t)(r >> 16);
    f->f = (uint32_t)(r >> 7);
    f->g = r >> 3;
    f->h = (int32_t)(r >> 20) >> 1;
}

static NOINLINE uint64_t sum_flags(const struct flags *f)
{
    return f->a + f->b + (uint64_t)(int64_t)f->c + f->d + (uint64_t)(int64_t)f->e + f->f + f->g + (uint64_t)f->h;
}

static NOINLINE void test_flags(void)
{
    printf("== struct flags (size %u)\n", (unsigned)sizeof(struct flags));
    uint64_t s = 0x853c49e6748fea9bull;
    struct flags arr[8];
    for (int i = 0; i < 8; i++) {
        memset(&arr[i], 0, sizeof arr[i]);
        fill_flags(&arr[i], next(&s));
    }
    for (int i = 0; i < 8; i++) {
        struct flags *f = &arr[i];
        printf("a=%u b=%u c=%d d=%u e=%d f=%08x g=%09lx h=%ld sum=%016lx\n", f->a, f->b, f->c, f->d, f->e, f->f,
               (uint64_t)f->g, (int64_t)f->h, sum_flags(f));
        /* Increments wrap inside the field. */
        f->b += 5;
        f->c -= 20;
        f->d *= 3;
        f->e += 30000;
        f->g += 0x1ffffffffull;
        f->h = -f->h;
        printf("  -> b=%u c=%d d=%u e=%d g=%09lx h=%ld\n", f->b, f->c, f->d, f->e, (uint64_t)f->g, (int64_t)f->h);
        mix(sum_flags(f));
    }
    uint64_t raw[sizeof(struct flags) / 8];
    memcpy(raw, &arr[3], sizeof raw);
    for (unsigned i = 0; i < ARRAY_LEN(raw); i++)
        printf("raw[%u] = %016lx\n", i, raw[i]);
}

static NOINLINE void test_packed(void)
{
    printf("== packed (size %u, %u)\n", (unsigned)sizeof(struct packed_rec), (unsigned)sizeof(struct packed_bits));
    static struct packed_rec recs[5];
    uint64_t s = 0xdeadbeefcafef00dull;
    for (int i = 0; i < 5; i++) {
        uint64_t r = next(&s);
        recs[i].tag = (uint8_t)r;
        recs[i].id = (uint32_t)(r >> 8);
        recs[i].len = (uint16_t)(r >> 40);
        recs[i].value = r * 31;
        recs[i].delta = (int8_t)(r >> 56);
        recs[i].offset = (int32_t)(r >> 17);
        recs[i].lo = (unsigned)r;
        recs[i].hi = (unsigned)(r >> 4);
    }
    for (int i = 0; i < 5; i++) {
        struct packed_rec *p = &recs[i];
        printf("tag=%02x id=%08x len=%u value=%016lx delta=%d offset=%d lo=%x hi=%03x\n", p->tag, p->id, p->len,
               p->value, p->delta, p->offset, p->lo, p->hi);
        p->value += p->id;
        p->offset ^= p->delta;
        mix(p->value + (uint64_t)(int64_t)p->offset);
    }
    const uint8_t *bytes = (const uint8_t *)recs;
    uint64_t h = 0;
    for (unsigned i = 0; i < sizeof recs; i++)
        h = h * 131 + bytes[i];
    printf("packed bytes hash %016lx\n", h);

    struct packed_bits pb[3];
    memset(pb, 0, sizeof pb);
    for (int i = 0; i < 3; i++) {
        uint64_t r = next(&s);
        pb[i].x = r;
        pb[i].y = (int64_t)r >> 35;
        pb[i].z = r >> 11;
        pb[i].tail = (uint8_t)i;
    }
    for (int i = 0; i < 3; i++) {
        printf("x=%04lx y=%ld z=%06lx tail=%u\n", (uint64_t)pb[i].x, (int64_t)pb[i].y, (uint64_t)pb[i].z,
               pb[i].tail);
        mix(pb[i].x ^ (uint64_t)pb[i].y ^ pb[i].z);
    }
}

static NOINLINE void test_wide(void)
{
    printf("== wide fields\n");
    struct wide w;
    memset(&w, 0, sizeof w);
    uint64_t s = 42;
    for (int i = 0; i < 10; i++) {
        uint64_t r = next(&s);
        w.lo += r;
        w.mid ^= r >> 13;
        w.top -= 1;
        w.s1 = (int64_t)w.s1 + (int64_t)(r & 0xf) - 8;
        w.s2 = (int64_t)(r >> 7) - (int64_t)w.s2;
        printf("lo=%010lx mid=%05lx top=%lx s1=%ld s2=%ld\n", (uint64_t)w.lo, (uint64_t)w.mid, (uint64_t)w.top,
               (int64_t)w.s1, (int64_t)w.s2);
        mix(w.lo + w.mid + w.top + (uint64_t)w.s1 + (uint64_t)w.s2);
    }
}

/* Manual bit-field extraction/insertion helpers (ubfx/sbfx/bfi patterns). */
static NOINLINE uint64_t extract(uint64_t v, unsigned lsb, unsigned width)
{
    return (v >> lsb) & ((width == 64) ? ~0ull : ((1ull << width) - 1));
}

static NOINLINE int64_t extract_signed(uint64_t v, unsigned lsb, unsigned width)
{
    return (int64_t)(v << (64 - lsb - width)) >> (64 - width);
}

static NOINLINE uint64_t insert(uint64_t dst, uint64_t src, unsigned lsb, unsigned width)
{
    uint64_t mask = ((width == 64) ? ~0ull : ((1ull << width) - 1)) << lsb;
    return (dst & ~mask) | ((src << lsb) & mask);
}

static NOINLINE void test_manual(void)
{
    printf("== manual extract/insert\n");
    uint64_t v = 0xf0e1d2c3b4a59687ull;
    for (unsigned lsb = 0; lsb < 64; lsb += 7) {
        for (unsigned width = 1; lsb + width <= 64; width += 11) {
            uint64_t u = extract(v, lsb, width);
            int64_t sx = extract_signed(v, lsb, width);
            uint64_t ins = insert(0x5555555555555555ull, ~v, lsb, width);
            printf("%2u %2u u=%lx s=%ld ins=%016lx\n", lsb, width, u, sx, ins);
            mix(u ^ (uint64_t)sx ^ ins);
        }
    }
    /* Constant forms, which become single ubfx/sbfx/bfi/bfxil instructions. */
    uint64_t x = extract(v, 0, 64);
    uint64_t y = 0x0123456789abcdefull;
    printf("ubfx %lx sbfx %lx bfi %016lx bfxil %016lx\n", (x >> 12) & 0xfff, (uint64_t)((int64_t)(x << 20) >> 44),
           (y & ~0xff0ul) | ((x & 0xff) << 4), (y & ~0xfffful) | ((x >> 16) & 0xffff));
}

int main(void)
{
    test_flags();
    test_packed();
    test_wide();
    test_manual();
    printf("checksum %016lx\n", checksum);
    return 0;
}
