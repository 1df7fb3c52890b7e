/*
 * Hashing and checksums computed from tables built at run time: CRC-32
 * (reflected, table driven and bitwise), FNV-1a 32/64, Adler-32, xorshift and
 * splitmix generators, murmur-style finalisers, a sieve and a small
 * open-addressing hash table.
 */
#include "rt.h"

static uint32_t crc_table[256];

static NOINLINE void crc32_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
}

static NOINLINE uint32_t crc32_table(const uint8_t *p, size_t n)
{
    uint32_t c = 0xffffffffu;
    while (n--)
        c = crc_table[(c ^ *p++) & 0xff] ^ (c >> 8);
    return c ^ 0xffffffffu;
}

static NOINLINE uint32_t crc32_bitwise(const uint8_t *p, size_t n)
{
    uint32_t c = 0xffffffffu;
    while (n--) {
        c ^= *p++;
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
    }
    return ~c;
}

static NOINLINE uint32_t fnv1a32(const uint8_t *p, size_t n)
{
    uint32_t h = 0x811c9dc5u;
    while (n--)
        h = (h ^ *p++) * 0x01000193u;
    return h;
}

static NOINLINE uint64_t fnv1a64(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    while (n--)
        h = (h ^ *p++) * 0x100000001b3ull;
    return h;
}

static NOINLINE uint32_t adler32(const uint8_t *p, size_t n)
{
    uint32_t a = 1, b = 0;
    while (n--) {
        a = (a + *p++) % 65521;
        b = (b + a) % 65521;
    }
    return (b << 16) | a;
}

static NOINLINE uint64_t xorshift64(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

static NOINLINE uint32_t xorshift32(uint32_t *s)
{
    uint32_t x = *s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *s = x;
}

static NOINLINE uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static NOINLINE uint32_t murmur_fmix32(uint32_t h)
{
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    h ^= h >> 16;
    return h;
}

/* Open addressing with linear probing; keys are non-zero. */
#define TABLE_SIZE 1024
static uint64_t keys[TABLE_SIZE];
static uint32_t values[TABLE_SIZE];

static NOINLINE int table_put(uint64_t key, uint32_t value)
{
    uint32_t i = murmur_fmix32((uint32_t)key ^ (uint32_t)(key >> 32)) & (TABLE_SIZE - 1);
    int probes = 0;
    while (keys[i] && keys[i] != key) {
        i = (i + 1) & (TABLE_SIZE - 1);
        probes++;
    }
    keys[i] = key;
    values[i] += value;
    return probes;
}

static NOINLINE int64_t table_get(uint64_t key)
{
    uint32_t i = murmur_fmix32((uint32_t)key ^ (uint32_t)(key >> 32)) & (TABLE_SIZE - 1);
    while (keys[i]) {
        if (keys[i] == key)
            return values[i];
        i = (i + 1) & (TABLE_SIZE - 1);
    }
    return -1;
}

static uint8_t sieve[20000];

int main(void)
{
    static const char *const inputs[] = {
        "",
        "a",
        "abc",
        "123456789",
        "The quick brown fox jumps over the lazy dog",
        "The quick brown fox jumps over the lazy dog.",
    };
    crc32_init();
    printf("crc table: %08x %08x %08x %08x\n", crc_table[1], crc_table[128], crc_table[255], crc_table[37]);
    printf("== string hashes\n");
    for (unsigned i = 0; i < ARRAY_LEN(inputs); i++) {
        const uint8_t *p = (const uint8_t *)inputs[i];
        size_t n = strlen(inputs[i]);
        printf("'%s': crc=%08x/%08x fnv32=%08x fnv64=%016lx adler=%08x\n", inputs[i], crc32_table(p, n),
               crc32_bitwise(p, n), fnv1a32(p, n), fnv1a64(p, n), adler32(p, n));
    }

    printf("== buffer hashes\n");
    static uint8_t data[8192];
    uint64_t s = 0x123456789ull;
    for (unsigned i = 0; i < sizeof data; i += 8) {
        uint64_t r = splitmix64(&s);
        memcpy(data + i, &r, 8);
    }
    for (size_t n = 1; n <= sizeof data; n *= 4)
        printf("n=%5u crc=%08x fnv64=%016lx adler=%08x\n", (unsigned)n, crc32_table(data, n), fnv1a64(data, n),
               adler32(data, n));

    printf("== generators\n");
    uint64_t x64 = 88172645463325252ull;
    uint32_t x32 = 2463534242u;
    uint64_t sm = 0;
    for (int i = 0; i < 1000; i++) {
        uint64_t a = xorshift64(&x64);
        uint32_t b = xorshift32(&x32);
        uint64_t c = splitmix64(&sm);
        if (i % 125 == 0)
            printf("%4d %016lx %08x %016lx %08x\n", i, a, b, c, murmur_fmix32(b));
    }

    printf("== hash table\n");
    uint64_t g = 7;
    int total_probes = 0;
    for (int i = 0; i < 700; i++) {
        uint64_t k = (splitmix64(&g) % 900) + 1;
        total_probes += table_put(k, (uint32_t)i);
    }
    int64_t found = 0, missing = 0;
    for (uint64_t k = 1; k <= 1000; k++) {
        int64_t v = table_get(k);
        if (v < 0)
            missing++;
        else
            found += v;
    }
    printf("probes %d found-sum %ld missing %ld\n", total_probes, found, missing);

    printf("== sieve\n");
    unsigned count = 0, last = 0;
    uint64_t psum = 0;
    for (unsigned i = 2; i < sizeof sieve; i++) {
        if (sieve[i])
            continue;
        count++;
        last = i;
        psum += (uint64_t)i * i;
        for (unsigned j = i * i; j < sizeof sieve; j += i)
            sieve[j] = 1;
    }
    printf("primes below %u: %u, largest %u, sum of squares %lu\n", (unsigned)sizeof sieve, count, last, psum);
    uint32_t final = crc32_table(sieve, sizeof sieve) ^ fnv1a32(data, sizeof data);
    printf("final %08x\n", final);
    return 0;
}
