/*
 * Recursion and indirect calls: fib, ackermann, quicksort, mutual recursion,
 * towers of hanoi, a recursive-descent expression evaluator, and function
 * pointer tables / callbacks.
 */
#include "rt.h"

static NOINLINE uint64_t fib(unsigned n)
{
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

static NOINLINE uint64_t ackermann(uint64_t m, uint64_t n)
{
    if (m == 0)
        return n + 1;
    if (n == 0)
        return ackermann(m - 1, 1);
    return ackermann(m - 1, ackermann(m, n - 1));
}

static NOINLINE int is_odd(unsigned n);

static NOINLINE int is_even(unsigned n)
{
    return n == 0 ? 1 : is_odd(n - 1);
}

static NOINLINE int is_odd(unsigned n)
{
    return n == 0 ? 0 : is_even(n - 1);
}

static unsigned hanoi_moves;
static uint64_t hanoi_sig;

static NOINLINE void hanoi(unsigned n, int from, int to, int via)
{
    if (n == 0)
        return;
    hanoi(n - 1, from, via, to);
    hanoi_moves++;
    hanoi_sig = hanoi_sig * 7 + (uint64_t)(from * 3 + to) + n;
    hanoi(n - 1, via, to, from);
}

/* Quicksort with a comparator callback (an indirect call per comparison). */
typedef int (*cmp_fn)(const void *, const void *);

static void swap_bytes(char *a, char *b, size_t size)
{
    while (size--) {
        char t = *a;
        *a++ = *b;
        *b++ = t;
    }
}

static NOINLINE void quicksort(void *base, size_t n, size_t size, cmp_fn cmp)
{
    char *arr = base;
    while (n > 1) {
        char *pivot = arr + (n / 2) * size;
        swap_bytes(pivot, arr + (n - 1) * size, size);
        pivot = arr + (n - 1) * size;
        size_t store = 0;
        for (size_t i = 0; i + 1 < n; i++) {
            if (cmp(arr + i * size, pivot) < 0) {
                swap_bytes(arr + i * size, arr + store * size, size);
                store++;
            }
        }
        swap_bytes(arr + store * size, pivot, size);
        /* Recurse on the smaller half, loop on the larger one. */
        if (store < n - store - 1) {
            quicksort(arr, store, size, cmp);
            arr += (store + 1) * size;
            n = n - store - 1;
        } else {
            quicksort(arr + (store + 1) * size, n - store - 1, size, cmp);
            n = store;
        }
    }
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int cmp_u32_desc(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x < y) - (x > y);
}

struct pair {
    int16_t key;
    uint8_t seq;
    char name[5];
};

static int cmp_pair(const void *a, const void *b)
{
    const struct pair *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return (int)x->seq - (int)y->seq;
}

/* Recursive-descent evaluator for + - * / % and parentheses. */
struct parser {
    const char *p;
};

static int64_t parse_expr(struct parser *ps);

static NOINLINE int64_t parse_atom(struct parser *ps)
{
    while (*ps->p == ' ')
        ps->p++;
    if (*ps->p == '(') {
        ps->p++;
        int64_t v = parse_expr(ps);
        while (*ps->p == ' ')
            ps->p++;
        if (*ps->p == ')')
            ps->p++;
        return v;
    }
    if (*ps->p == '-') {
        ps->p++;
        return -parse_atom(ps);
    }
    int64_t v = 0;
    while (*ps->p >= '0' && *ps->p <= '9')
        v = v * 10 + (*ps->p++ - '0');
    return v;
}

static NOINLINE int64_t parse_term(struct parser *ps)
{
    int64_t v = parse_atom(ps);
    for (;;) {
        while (*ps->p == ' ')
            ps->p++;
        char op = *ps->p;
        if (op != '*' && op != '/' && op != '%')
            return v;
        ps->p++;
        int64_t r = parse_atom(ps);
        if (op == '*')
            v *= r;
        else if (r == 0)
            v = 0;
        else if (op == '/')
            v /= r;
        else
            v %= r;
    }
}

static int64_t parse_expr(struct parser *ps)
{
    int64_t v = parse_term(ps);
    for (;;) {
        while (*ps->p == ' ')
            ps->p++;
        char op = *ps->p;
        if (op != '+' && op != '-')
            return v;
        ps->p++;
        int64_t r = parse_term(ps);
        v = op == '+' ? v + r : v - r;
    }
}

/* Function pointer tables. */
/* Arithmetic wraps (done in unsigned) so repeated folding stays defined. */
static int64_t op_add(int64_t a, int64_t b) { return (int64_t)((uint64_t)a + (uint64_t)b); }
static int64_t op_sub(int64_t a, int64_t b) { return (int64_t)((uint64_t)a - (uint64_t)b); }
static int64_t op_mul(int64_t a, int64_t b) { return (int64_t)((uint64_t)a * (uint64_t)b); }
static int64_t op_max(int64_t a, int64_t b) { return a > b ? a : b; }
static int64_t op_xor(int64_t a, int64_t b) { return a ^ b; }

typedef int64_t (*binop)(int64_t, int64_t);

struct named_op {
    const char *name;
    binop fn;
};

static const struct named_op ops[] = {
    { "add", op_add }, { "sub", op_sub }, { "mul", op_mul }, { "max", op_max }, { "xor", op_xor },
};

static NOINLINE int64_t fold(binop fn, const int64_t *v, int n, int64_t init)
{
    for (int i = 0; i < n; i++)
        init = fn(init, v[i]);
    return init;
}

/* A function returning a function pointer, and a callback taking a callback. */
static NOINLINE binop pick(int i)
{
    return ops[i % (int)ARRAY_LEN(ops)].fn;
}

static NOINLINE int64_t apply_twice(int64_t (*f)(binop, const int64_t *, int, int64_t), binop op,
                                    const int64_t *v, int n)
{
    return f(op, v, n, f(op, v, n, 1));
}

int main(void)
{
    printf("== fib\n");
    for (unsigned i = 0; i <= 24; i += 3)
        printf("fib(%u) = %lu\n", i, fib(i));

    printf("== ackermann\n");
    for (uint64_t m = 0; m <= 3; m++)
        for (uint64_t n = 0; n <= 4; n++)
            printf("A(%lu,%lu) = %lu\n", m, n, ackermann(m, n));

    printf("== mutual recursion\n");
    for (unsigned n = 0; n < 2000; n += 333)
        printf("even(%u)=%d odd(%u)=%d\n", n, is_even(n), n, is_odd(n));

    printf("== hanoi\n");
    hanoi(12, 1, 3, 2);
    printf("moves %u sig %016lx\n", hanoi_moves, hanoi_sig);

    printf("== quicksort\n");
    static int64_t nums[300];
    uint64_t s = 88172645463325252ull;
    for (unsigned i = 0; i < ARRAY_LEN(nums); i++) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        nums[i] = (int64_t)s >> (s & 31);
    }
    quicksort(nums, ARRAY_LEN(nums), sizeof nums[0], cmp_i64);
    int sorted = 1;
    for (unsigned i = 1; i < ARRAY_LEN(nums); i++)
        sorted &= nums[i - 1] <= nums[i];
    printf("sorted=%d first=%ld median=%ld last=%ld\n", sorted, nums[0], nums[150], nums[299]);

    static uint32_t words[97];
    for (unsigned i = 0; i < ARRAY_LEN(words); i++)
        words[i] = (uint32_t)(i * 2654435761u) >> (i % 7);
    quicksort(words, ARRAY_LEN(words), sizeof words[0], cmp_u32_desc);
    for (unsigned i = 0; i < ARRAY_LEN(words); i += 8)
        printf("%08x ", words[i]);
    printf("\n");

    struct pair pairs[12];
    for (int i = 0; i < 12; i++) {
        pairs[i].key = (int16_t)((i * 37) % 5 - 2);
        pairs[i].seq = (uint8_t)i;
        snprintf(pairs[i].name, sizeof pairs[i].name, "p%d", i);
    }
    quicksort(pairs, 12, sizeof pairs[0], cmp_pair);
    for (int i = 0; i < 12; i++)
        printf("%s:%d ", pairs[i].name, pairs[i].key);
    printf("\n");

    printf("== expressions\n");
    static const char *const exprs[] = {
        "1 + 2 * 3",
        "(1 + 2) * 3",
        "100 / 7 % 5 - -3",
        "((((((((((42))))))))))",
        "2*(3+(4*(5+(6*(7+8)))))-1",
        "-9 / 2 + -9 % 2 * 1000",
        "123456789 * 987654321 - 5 / 0",
    };
    for (unsigned i = 0; i < ARRAY_LEN(exprs); i++) {
        struct parser ps = { exprs[i] };
        printf("%s = %ld\n", exprs[i], parse_expr(&ps));
    }

    printf("== function pointers\n");
    static const int64_t vals[] = { 3, -7, 11, 1 << 20, -123456, 99 };
    for (unsigned i = 0; i < ARRAY_LEN(ops); i++) {
        printf("%s: fold=%ld twice=%ld\n", ops[i].name, fold(ops[i].fn, vals, 6, 0),
               apply_twice(fold, pick((int)i), vals, 6));
    }
    int64_t acc = 5;
    for (int i = 0; i < 50; i++)
        acc = pick(i * 7 + 1)(acc, i * 3 - 20) & 0xffffffff;
    printf("chain %ld\n", acc);
    return 0;
}
