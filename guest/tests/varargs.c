/*
 * Variadic functions: va_list walking over register-save area and stack
 * (more than eight integer arguments), mixed widths, va_copy, passing a
 * va_list down, and a small formatter of its own. Exits with status 42.
 */
#include "rt.h"

static NOINLINE int64_t sum_ints(int count, ...)
{
    va_list ap;
    va_start(ap, count);
    int64_t s = 0;
    for (int i = 0; i < count; i++)
        s += va_arg(ap, int);
    va_end(ap);
    return s;
}

/* Types described by a string: i=int, l=long, u=unsigned, p=pointer, c=char. */
static NOINLINE uint64_t sum_typed(const char *types, ...)
{
    va_list ap;
    va_start(ap, types);
    uint64_t s = 0;
    for (const char *t = types; *t; t++) {
        switch (*t) {
        case 'i':
            s = s * 3 + (uint64_t)(int64_t)va_arg(ap, int);
            break;
        case 'l':
            s = s * 5 + (uint64_t)va_arg(ap, long);
            break;
        case 'u':
            s = s * 7 + va_arg(ap, unsigned);
            break;
        case 'p':
            s = s * 11 + (uint64_t)(uintptr_t)va_arg(ap, void *);
            break;
        case 'c':
            s = s * 13 + (uint64_t)(char)va_arg(ap, int);
            break;
        }
    }
    va_end(ap);
    return s;
}

/* Walks the list twice via va_copy. */
static NOINLINE int64_t minmax_spread(int count, ...)
{
    va_list ap, again;
    va_start(ap, count);
    va_copy(again, ap);
    int64_t mn = INT64_MAX, mx = INT64_MIN;
    for (int i = 0; i < count; i++) {
        int64_t v = va_arg(ap, int64_t);
        if (v < mn)
            mn = v;
        if (v > mx)
            mx = v;
    }
    int64_t above = 0;
    for (int i = 0; i < count; i++)
        above += va_arg(again, int64_t) > (mn / 2 + mx / 2);
    va_end(again);
    va_end(ap);
    return (int64_t)((uint64_t)mx - (uint64_t)mn) + above;
}

/* A va_list handed to another function. */
static NOINLINE int vlog(char *buf, size_t n, const char *fmt, va_list ap)
{
    int k = snprintf(buf, n, "[log] ");
    return k + vsnprintf(buf + k, n - (size_t)k, fmt, ap);
}

static NOINLINE int logf_(char *buf, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vlog(buf, n, fmt, ap);
    va_end(ap);
    return r;
}

/* Struct arguments through varargs. */
struct pt {
    int32_t x, y;
};

struct big3 {
    uint64_t a, b, c;
};

static NOINLINE int64_t sum_structs(int n, ...)
{
    va_list ap;
    va_start(ap, n);
    int64_t s = 0;
    for (int i = 0; i < n; i++) {
        struct pt p = va_arg(ap, struct pt);
        struct big3 b = va_arg(ap, struct big3);
        s += p.x * 10 + p.y + (int64_t)(b.a + b.b * 2 + b.c * 3);
    }
    va_end(ap);
    return s;
}

int main(void)
{
    printf("== varargs\n");
    printf("sum0 %ld\n", sum_ints(0));
    printf("sum3 %ld\n", sum_ints(3, 1, 2, 3));
    printf("sum7 %ld\n", sum_ints(7, -1, -2, -3, -4, -5, -6, -7));
    printf("sum12 %ld\n", sum_ints(12, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12));
    printf("sum20 %ld\n",
           sum_ints(20, 100, -200, 300, -400, 500, -600, 700, -800, 900, -1000, 1100, -1200, 1300, -1400, 1500, -1600,
                    1700, -1800, 1900, 0x7fffffff));
    printf("typed %016lx\n", sum_typed("ilupc", -5, -6L, 0xffffffffu, (void *)0x1000, 'z'));
    printf("typed %016lx\n", sum_typed("iiiiiiiillllllllcccc", 1, 2, 3, 4, 5, 6, 7, 8, 10L, 20L, 30L, 40L, 50L, 60L,
                                       70L, -80L, 'a', 'b', -1, 0x180));
    printf("spread %ld\n", minmax_spread(5, (int64_t)3, (int64_t)-9, (int64_t)1000000000000, (int64_t)7, (int64_t)0));
    printf("spread %ld\n",
           minmax_spread(10, (int64_t)1, (int64_t)2, (int64_t)3, (int64_t)4, (int64_t)5, (int64_t)6, (int64_t)7,
                         (int64_t)8, (int64_t)9, INT64_MIN / 2));
    char buf[128];
    int n = logf_(buf, sizeof buf, "%s=%d %s=%lx %c", "answer", 42, "mask", 0xf0f0f0f0f0ul, '!');
    printf("%s (%d)\n", buf, n);
    struct pt p1 = { 1, 2 }, p2 = { -3, 4 };
    struct big3 b1 = { 5, 6, 7 }, b2 = { 100, 200, 300 };
    printf("structs %ld\n", sum_structs(2, p1, b1, p2, b2));
    printf("exiting with 42\n");
    return 42;
}
