/*
 * Outline atomics: built with -moutline-atomics, so on armv8-a every
 * __atomic/__sync operation is a call to one of libgcc's __aarch64_* helpers,
 * which test __aarch64_have_lse_atomics and run either an LSE instruction or
 * an LDXR/STXR loop. libgcc sets that flag in a constructor from
 * getauxval(AT_HWCAP); this program runs its own constructors (.init_array,
 * as a freestanding _start must) and supplies __getauxval. The same operations
 * then run again with the flag cleared (the exclusive-loop path), and both
 * passes must give the same results. On armv8.1-a GCC emits the LSE
 * instructions inline instead.
 */
#include "rt.h"

#define AT_HWCAP 16
#define HWCAP_ATOMICS (1u << 8)

/* libgcc's flag (defined in its lse-init.o) and its constructor's auxv lookup. */
extern _Bool __aarch64_have_lse_atomics __attribute__((visibility("hidden")));
unsigned long __getauxval(unsigned long type) { return getauxval(type); }

extern void (*__init_array_start[])(void) __attribute__((weak));
extern void (*__init_array_end[])(void) __attribute__((weak));

static uint8_t b8;
static uint16_t b16;
static uint32_t b32;
static uint64_t b64;
static u128 b128 __attribute__((aligned(16)));

static uint64_t run_pass(void)
{
    uint64_t h = 0;
#define MIX(v) (h = (h ^ (uint64_t)(v)) * 0x100000001b3ull)
#define OPS(T, obj)                                                                                    \
    do {                                                                                               \
        obj = (T)0x5a;                                                                                 \
        for (int i = 0; i < 40; i++) {                                                                 \
            MIX(__atomic_fetch_add(&obj, (T)(i * 37 + 1), __ATOMIC_RELAXED));                          \
            MIX(__atomic_fetch_sub(&obj, (T)3, __ATOMIC_ACQUIRE));                                     \
            MIX(__atomic_fetch_and(&obj, (T) ~(T)(1u << (i % 8)), __ATOMIC_RELEASE));                  \
            MIX(__atomic_fetch_or(&obj, (T)(0x81u << (i % 8)), __ATOMIC_ACQ_REL));                     \
            MIX(__atomic_fetch_xor(&obj, (T)0xa5a5a5a5a5a5a5a5ull, __ATOMIC_SEQ_CST));                 \
            MIX(__atomic_exchange_n(&obj, (T)(i * 0x0101010101010101ull), __ATOMIC_ACQ_REL));          \
            T e = obj;                                                                                 \
            MIX(__atomic_compare_exchange_n(&obj, &e, (T)(e + 9), 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)); \
            e = (T)(obj + 1);                                                                          \
            MIX(__atomic_compare_exchange_n(&obj, &e, (T)77, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED));  \
            MIX(e);                                                                                    \
            MIX(__atomic_fetch_nand(&obj, (T)0x3c, __ATOMIC_ACQ_REL));                                  \
            MIX(__sync_val_compare_and_swap(&obj, obj, (T)(i * 5)));                                   \
            MIX(__sync_lock_test_and_set(&obj, (T)(i + 1)));                                           \
            __sync_lock_release(&obj);                                                                 \
            MIX(obj);                                                                                  \
        }                                                                                              \
    } while (0)
    OPS(uint8_t, b8);
    OPS(uint16_t, b16);
    OPS(uint32_t, b32);
    OPS(uint64_t, b64);
    b128 = 1;
    for (int i = 0; i < 40; i++) {
        u128 old = b128, nv = old * 3 + ((u128)i << 64) + (u128)i;
        MIX(__sync_bool_compare_and_swap(&b128, old, nv));
        MIX(__sync_bool_compare_and_swap(&b128, old, nv)); /* fails: the value moved */
        u128 seen = __sync_val_compare_and_swap(&b128, nv, nv + 1);
        MIX((uint64_t)seen ^ (uint64_t)(seen >> 64));
    }
    MIX((uint64_t)b128 ^ (uint64_t)(b128 >> 64));
    return h;
}

int main(void)
{
    for (void (**f)(void) = __init_array_start; f < __init_array_end; f++)
        (*f)();
    printf("hwcap atomics: %d\n", (getauxval(AT_HWCAP) & HWCAP_ATOMICS) != 0);
#ifdef __ARM_FEATURE_ATOMICS
    printf("lse in use: 1\n"); /* inline */
    uint64_t lse = run_pass(), llsc = run_pass();
#else
    printf("lse in use: %d\n", __aarch64_have_lse_atomics); /* set by libgcc's constructor */
    uint64_t lse = run_pass();
    __aarch64_have_lse_atomics = 0;
    uint64_t llsc = run_pass();
#endif
    printf("checksum %016lx\n", lse);
    printf("both paths agree: %d\n", lse == llsc);
    return lse == llsc ? 0 : 1;
}
