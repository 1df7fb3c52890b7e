/*
 * Heap growth with the brk system call: a bump allocator on top of it,
 * writing and verifying the new memory, shrinking, and requests that must
 * fail. Only relative facts are printed, never addresses.
 */
#include "rt.h"

static uintptr_t heap_start, heap_end, heap_next;

/* Grows the break so that [heap_next, heap_next + n) is usable. */
static NOINLINE void *sbrk_alloc(size_t n)
{
    uintptr_t p = (heap_next + 15) & ~(uintptr_t)15;
    if (p + n > heap_end) {
        uintptr_t want = p + n;
        uintptr_t got = sys_brk(want);
        if (got < want)
            return 0;
        heap_end = got;
    }
    heap_next = p + n;
    return (void *)p;
}

static uint64_t checksum;

static void mix(uint64_t v)
{
    checksum = (checksum ^ v) * 0x100000001b3ull;
}

int main(void)
{
    heap_start = sys_brk(0);
    heap_end = heap_next = heap_start;
    printf("initial break is non-zero: %s\n", heap_start ? "yes" : "no");
    printf("brk(0) again is the same: %s\n", sys_brk(0) == heap_start ? "yes" : "no");

    /* Many small allocations. */
    uint64_t *blocks[64];
    for (int i = 0; i < 64; i++) {
        size_t words = (size_t)(i * 37 % 61 + 1);
        blocks[i] = sbrk_alloc(words * 8);
        if (!blocks[i]) {
            printf("allocation %d failed\n", i);
            return 1;
        }
        blocks[i][0] = words;
        for (size_t k = 1; k < words; k++)
            blocks[i][k] = (uint64_t)i * 1000003 + k;
    }
    uint64_t sum = 0;
    for (int i = 0; i < 64; i++) {
        size_t words = blocks[i][0];
        for (size_t k = 1; k < words; k++)
            sum += blocks[i][k] ^ (uint64_t)k;
    }
    printf("small blocks: used %lu bytes, sum %016lx\n", (uint64_t)(heap_next - heap_start), sum);
    mix(sum);

    /* A 4 MiB region written with a pattern and read back. */
    size_t big = 4u << 20;
    uint32_t *region = sbrk_alloc(big);
    if (!region) {
        printf("big allocation failed\n");
        return 1;
    }
    printf("break grew by at least 4 MiB: %s\n", sys_brk(0) >= (uintptr_t)region + big ? "yes" : "no");
    uint32_t x = 2463534242u;
    for (size_t i = 0; i < big / 4; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        region[i] = x;
    }
    x = 2463534242u;
    size_t bad = 0;
    uint64_t rsum = 0;
    for (size_t i = 0; i < big / 4; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        bad += region[i] != x;
        rsum += region[i];
    }
    printf("region verify: bad=%lu sum=%016lx last=%08x\n", (uint64_t)bad, rsum, region[big / 4 - 1]);
    mix(rsum);

    /* Fresh memory from brk reads as zero. */
    uint8_t *fresh = sbrk_alloc(70000);
    size_t nonzero = 0;
    for (size_t i = 0; i < 70000; i++)
        nonzero += fresh[i] != 0;
    printf("fresh memory non-zero bytes: %lu\n", (uint64_t)nonzero);
    memset(fresh, 0xab, 70000);

    /* Shrinking returns the requested break. */
    uintptr_t before = sys_brk(0);
    uintptr_t target = (uintptr_t)region;
    uintptr_t after = sys_brk(target);
    printf("shrink: returned target %s, brk(0) agrees %s\n", after == target ? "yes" : "no",
           sys_brk(0) == target ? "yes" : "no");
    heap_end = heap_next = target;

    /* Growing again: whole pages above the lowered break were released, so
     * they come back zero. (The page holding the break itself keeps its old
     * contents on Linux, so it is not checked.) */
    uintptr_t page = getauxval(AT_PAGESZ);
    if (!page)
        page = 4096;
    uint8_t *again = sbrk_alloc(3 * page);
    uintptr_t first_page = (target + page) & ~(page - 1);
    size_t nz = 0;
    for (uintptr_t a = first_page; a < (uintptr_t)again + 3 * page; a++)
        nz += *(uint8_t *)a != 0;
    printf("regrown: ok=%s non-zero bytes in released pages: %lu\n", again ? "yes" : "no", (uint64_t)nz);
    (void)before;

    /* A break below the start of the heap is refused: the old break comes back. */
    uintptr_t cur = sys_brk(0);
    uintptr_t r = sys_brk(heap_start - (1u << 20));
    printf("brk below start refused: %s\n", r == cur ? "yes" : "no");

    /* Early data still intact. */
    uint64_t sum2 = 0;
    for (int i = 0; i < 64; i++) {
        size_t words = blocks[i][0];
        for (size_t k = 1; k < words; k++)
            sum2 += blocks[i][k] ^ (uint64_t)k;
    }
    printf("small blocks still intact: %s\n", sum2 == sum ? "yes" : "no");
    printf("checksum %016lx\n", checksum);
    return 0;
}
