/*
 * GCC __atomic builtins on 8/16/32/64-bit (and 128-bit compare-exchange)
 * objects with several memory orders, plus 128-bit compare-and-swap. Built with -mno-outline-atomics, so
 * armv8-a gets inline LDXR/STXR (LDAXR/STLXR) loops and armv8.1-a gets LSE
 * instructions (CAS, LDADD, LDCLR, LDEOR, LDSET, SWP).
 * Single-threaded: results are fully deterministic.
 */
#include "rt.h"

static uint64_t checksum;

static void mix(uint64_t v)
{
    checksum = (checksum ^ v) * 0x100000001b3ull;
}

#define DEFINE_TEST(T, NAME, FMT)                                                                          \
    static T NAME##_obj;                                                                                   \
    static NOINLINE void test_##NAME(T init, T operand)                                                    \
    {                                                                                                      \
        T *p = &NAME##_obj;                                                                                \
        __atomic_store_n(p, init, __ATOMIC_RELEASE);                                                       \
        T r0 = __atomic_load_n(p, __ATOMIC_ACQUIRE);                                                       \
        T r1 = __atomic_fetch_add(p, operand, __ATOMIC_RELAXED);                                           \
        T r2 = __atomic_fetch_sub(p, (T)(operand >> 1), __ATOMIC_ACQ_REL);                                 \
        T r3 = __atomic_fetch_and(p, (T)~operand, __ATOMIC_SEQ_CST);                                       \
        T r4 = __atomic_fetch_or(p, operand, __ATOMIC_ACQUIRE);                                            \
        T r5 = __atomic_fetch_xor(p, (T)(operand * 3), __ATOMIC_RELEASE);                                  \
        T r6 = __atomic_fetch_nand(p, (T)(operand | 1), __ATOMIC_SEQ_CST);                                 \
        T r7 = __atomic_add_fetch(p, (T)5, __ATOMIC_SEQ_CST);                                              \
        T r8 = __atomic_sub_fetch(p, (T)7, __ATOMIC_RELAXED);                                              \
        T r9 = __atomic_and_fetch(p, (T)(init | operand), __ATOMIC_ACQ_REL);                               \
        T r10 = __atomic_or_fetch(p, (T)0x11, __ATOMIC_RELEASE);                                           \
        T r11 = __atomic_xor_fetch(p, init, __ATOMIC_ACQUIRE);                                             \
        T r12 = __atomic_exchange_n(p, operand, __ATOMIC_SEQ_CST);                                         \
        T r13 = __atomic_exchange_n(p, init, __ATOMIC_RELAXED);                                            \
        T expected = (T)(init + 1);                                                                        \
        int c1 = __atomic_compare_exchange_n(p, &expected, operand, 0, __ATOMIC_SEQ_CST,                  \
                                             __ATOMIC_RELAXED); /* fails: memory holds init */             \
        T seen1 = expected;                                                                                \
        int c2 = __atomic_compare_exchange_n(p, &expected, operand, 0, __ATOMIC_ACQ_REL,                  \
                                             __ATOMIC_ACQUIRE); /* succeeds */                              \
        /* Weak CAS may fail spuriously: retry until it succeeds (not printed). */                        \
        T cur = __atomic_load_n(p, __ATOMIC_RELAXED);                                                      \
        while (!__atomic_compare_exchange_n(p, &cur, (T)((uint64_t)cur * 2 + 1), 1, __ATOMIC_RELEASE,               \
                                            __ATOMIC_RELAXED))                                             \
            ;                                                                                              \
        T weak_final = __atomic_load_n(p, __ATOMIC_SEQ_CST);                                               \
        int tas = __atomic_test_and_set(&NAME##_flag, __ATOMIC_SEQ_CST);                                   \
        int tas2 = __atomic_test_and_set(&NAME##_flag, __ATOMIC_SEQ_CST);                                  \
        __atomic_clear(&NAME##_flag, __ATOMIC_RELEASE);                                                    \
        printf(#NAME " init=" FMT " op=" FMT "\n", init, operand);                                         \
        printf("  load=" FMT " add=" FMT " sub=" FMT " and=" FMT " or=" FMT " xor=" FMT " nand=" FMT "\n",   \
               r0, r1, r2, r3, r4, r5, r6);                                                                \
        printf("  add_fetch=" FMT " sub_fetch=" FMT " and_fetch=" FMT " or_fetch=" FMT " xor_fetch=" FMT     \
               "\n",                                                                                       \
               r7, r8, r9, r10, r11);                                                                      \
        printf("  xchg=" FMT "," FMT " cas=%d(" FMT "),%d final=" FMT " weak=" FMT " tas=%d%d\n",           \
               r12, r13, c1, seen1, c2, cur, weak_final, tas, tas2);                                       \
        mix((uint64_t)r1 + r2 + r3 + r4 + r5 + r6 + r7 + r8 + r9 + r10 + r11 + r12 + r13 + weak_final);    \
    }

static unsigned char u8_flag, u16_flag, u32_flag, u64_flag, s8_flag, s32_flag;

DEFINE_TEST(uint8_t, u8, "%02x")
DEFINE_TEST(uint16_t, u16, "%04x")
DEFINE_TEST(uint32_t, u32, "%08x")
DEFINE_TEST(uint64_t, u64, "%016lx")
DEFINE_TEST(int8_t, s8, "%d")
DEFINE_TEST(int32_t, s32, "%d")

/* Atomic accumulation into a struct of mixed widths. */
struct counters {
    uint8_t a;
    uint16_t b;
    uint32_t c;
    uint64_t d;
};

static struct counters ctr;

static NOINLINE void test_counters(void)
{
    for (uint32_t i = 0; i < 1000; i++) {
        __atomic_fetch_add(&ctr.a, (uint8_t)i, __ATOMIC_RELAXED);
        __atomic_fetch_add(&ctr.b, (uint16_t)(i * 3), __ATOMIC_RELAXED);
        __atomic_fetch_xor(&ctr.c, i * 2654435761u, __ATOMIC_ACQ_REL);
        __atomic_fetch_add(&ctr.d, (uint64_t)i << 40, __ATOMIC_SEQ_CST);
        if (i % 3 == 0)
            __atomic_fetch_or(&ctr.c, 1u << (i % 32), __ATOMIC_RELEASE);
        if (i % 5 == 0)
            __atomic_fetch_and(&ctr.d, ~(1ull << (i % 64)), __ATOMIC_ACQUIRE);
    }
    printf("counters a=%02x b=%04x c=%08x d=%016lx\n", ctr.a, ctr.b, ctr.c, ctr.d);
    mix(ctr.a + ctr.b + ctr.c + ctr.d);
}

/* A spinlock and a lock-free stack, used from one thread. */
static int lock;

static void spin_lock(int *l)
{
    while (__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE))
        ;
}

static void spin_unlock(int *l)
{
    __atomic_store_n(l, 0, __ATOMIC_RELEASE);
}

struct node {
    struct node *next;
    int value;
};

static struct node *stack_head;
static struct node nodes[16];

static void push(struct node *n)
{
    struct node *old = __atomic_load_n(&stack_head, __ATOMIC_RELAXED);
    do {
        n->next = old;
    } while (!__atomic_compare_exchange_n(&stack_head, &old, n, 1, __ATOMIC_RELEASE, __ATOMIC_RELAXED));
}

static struct node *pop(void)
{
    struct node *old = __atomic_load_n(&stack_head, __ATOMIC_ACQUIRE);
    while (old && !__atomic_compare_exchange_n(&stack_head, &old, old->next, 0, __ATOMIC_ACQUIRE,
                                               __ATOMIC_ACQUIRE))
        ;
    return old;
}

static NOINLINE void test_structures(void)
{
    int crit = 0;
    for (int i = 0; i < 10; i++) {
        spin_lock(&lock);
        crit += i;
        spin_unlock(&lock);
    }
    printf("lock %d crit %d\n", __atomic_load_n(&lock, __ATOMIC_SEQ_CST), crit);
    for (int i = 0; i < 16; i++) {
        nodes[i].value = i * i;
        push(&nodes[i]);
    }
    int order = 0;
    for (struct node *n; (n = pop());)
        order = order * 3 + n->value;
    printf("stack order %d\n", order);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
}

/*
 * 128-bit compare-and-swap. GCC 12 sends the __atomic_* forms for 16-byte
 * objects to libatomic, but inlines the legacy __sync form: an LDXP/STLXP
 * loop on armv8-a and CASPAL on armv8.1-a. Exchange and add are built on it.
 */
static u128 wide __attribute__((aligned(16)));

static u128 wide_exchange(u128 v)
{
    u128 cur = wide;
    for (;;) {
        u128 seen = __sync_val_compare_and_swap(&wide, cur, v);
        if (seen == cur)
            return seen;
        cur = seen;
    }
}

static u128 wide_fetch_add(u128 v)
{
    u128 cur = wide;
    for (;;) {
        u128 seen = __sync_val_compare_and_swap(&wide, cur, cur + v);
        if (seen == cur)
            return seen;
        cur = seen;
    }
}

static NOINLINE void test_wide(void)
{
    char buf[48];
    u128 init = ((u128)0x0123456789abcdefull << 64) | 0xfedcba9876543210ull;
    wide = init;
    u128 seen = __sync_val_compare_and_swap(&wide, init + 1, (u128)42); /* fails */
    fmt_x128(buf, seen);
    printf("cas128 fail seen=%s\n", buf);
    seen = __sync_val_compare_and_swap(&wide, (init >> 64) | (init << 64), (u128)42); /* fails: halves swapped */
    fmt_x128(buf, seen);
    printf("cas128 fail2 seen=%s\n", buf);
    int ok = __sync_bool_compare_and_swap(&wide, init, ~init);
    fmt_x128(buf, wide);
    printf("cas128 ok=%d now=%s\n", ok, buf);
    u128 old = wide_exchange((u128)7 << 100);
    fmt_x128(buf, old);
    printf("xchg128 old=%s\n", buf);
    u128 prev = wide_fetch_add(((u128)1 << 64) | 0xffffffffffffffffull);
    fmt_x128(buf, prev);
    printf("add128 prev=%s ", buf);
    fmt_x128(buf, wide);
    printf("now=%s\n", buf);
    mix((uint64_t)wide ^ (uint64_t)(wide >> 64));
}

int main(void)
{
    printf("== atomics\n");
    test_u8(0xf0, 0x3c);
    test_u8(0xff, 0x01);
    test_u16(0x8001, 0x7fff);
    test_u16(0, 0xffff);
    test_u32(0x80000000u, 0x7fffffffu);
    test_u32(0x12345678u, 0x0f0f0f0fu);
    test_u64(0x8000000000000000ull, 0xffffffffffffffffull);
    test_u64(0x0123456789abcdefull, 0x00000000ffffffffull);
    test_s8(-128, 127);
    test_s8(5, -3);
    test_s32(-2147483647 - 1, -1);
    test_s32(1000, 999);
    test_counters();
    test_structures();
    test_wide();
    printf("checksum %016lx\n", checksum);
    return 0;
}
