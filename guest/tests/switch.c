/*
 * Control flow: a dense switch (jump table through an indirect br), a sparse
 * switch (compare tree), a switch on characters, computed goto, and a tiny
 * bytecode interpreter built from them.
 */
#include "rt.h"

static NOINLINE uint64_t dense(unsigned op, uint64_t x)
{
    switch (op) {
    case 0:
        return x + 1;
    case 1:
        return x * 3;
    case 2:
        return x ^ 0x5a5a;
    case 3:
        return x << 3;
    case 4:
        return x >> 2;
    case 5:
        return ~x;
    case 6:
        return x - 77;
    case 7:
        return x * x;
    case 8:
        return x | 0x100;
    case 9:
        return x & 0xffff0000ffffull;
    case 10:
        return (x << 7) | (x >> 57);
    case 11:
        return x + (x >> 32);
    case 12:
        return (uint64_t)-(int64_t)x;
    case 13:
        return x / 3;
    case 14:
        return x % 1000;
    case 15:
        return x + 0x123456789ull;
    case 16:
        return __builtin_bswap64(x);
    case 17:
        return x ^ (x >> 17);
    case 18:
        return x * 0x9e3779b97f4a7c15ull;
    case 19:
        return x - (x << 1);
    default:
        return x + 1000;
    }
}

static NOINLINE int sparse(int64_t key)
{
    switch (key) {
    case -1000000:
        return 1;
    case -5:
        return 2;
    case 0:
        return 3;
    case 7:
        return 4;
    case 100:
        return 5;
    case 1024:
        return 6;
    case 65535:
        return 7;
    case 65536:
        return 8;
    case 1000000007:
        return 9;
    case 0x7fffffffffffll:
        return 10;
    case -0x7fffffffffffffffll - 1:
        return 11;
    default:
        return 0;
    }
}

/* Returns a class for a character: exercises byte-indexed tables and ranges. */
static NOINLINE int char_class(int c)
{
    switch (c) {
    case 'a':
    case 'e':
    case 'i':
    case 'o':
    case 'u':
        return 1;
    case '0' ... '9':
        return 2;
    case ' ':
    case '\t':
    case '\n':
        return 3;
    case 'A' ... 'Z':
        return 4;
    case '!':
    case '?':
    case '.':
    case ',':
        return 5;
    default:
        return c >= 'a' && c <= 'z' ? 6 : 0;
    }
}

/* Bytecode for a small stack machine. */
enum { OP_PUSH, OP_ADD, OP_SUB, OP_MUL, OP_DUP, OP_SWAP, OP_JNZ, OP_DEC, OP_PRINT, OP_HALT, OP_OVER, OP_DROP };

static NOINLINE int64_t interp_switch(const int64_t *code)
{
    int64_t stack[32];
    int sp = 0;
    int pc = 0;
    for (;;) {
        int64_t op = code[pc++];
        switch (op) {
        case OP_PUSH:
            stack[sp++] = code[pc++];
            break;
        case OP_ADD:
            sp--;
            stack[sp - 1] = (int64_t)((uint64_t)stack[sp - 1] + (uint64_t)stack[sp]);
            break;
        case OP_SUB:
            sp--;
            stack[sp - 1] = (int64_t)((uint64_t)stack[sp - 1] - (uint64_t)stack[sp]);
            break;
        case OP_MUL:
            sp--;
            stack[sp - 1] = (int64_t)((uint64_t)stack[sp - 1] * (uint64_t)stack[sp]);
            break;
        case OP_DUP:
            stack[sp] = stack[sp - 1];
            sp++;
            break;
        case OP_SWAP: {
            int64_t t = stack[sp - 1];
            stack[sp - 1] = stack[sp - 2];
            stack[sp - 2] = t;
            break;
        }
        case OP_OVER:
            stack[sp] = stack[sp - 2];
            sp++;
            break;
        case OP_DROP:
            sp--;
            break;
        case OP_JNZ: {
            int64_t target = code[pc++];
            if (stack[--sp] != 0)
                pc = (int)target;
            break;
        }
        case OP_DEC:
            stack[sp - 1]--;
            break;
        case OP_PRINT:
            printf("  print %ld\n", stack[sp - 1]);
            break;
        case OP_HALT:
            return sp ? stack[sp - 1] : 0;
        default:
            printf("bad opcode %ld\n", op);
            return -1;
        }
    }
}

/* The same machine with computed goto (GNU C labels as values). */
static NOINLINE int64_t interp_goto(const int64_t *code)
{
    static const void *const table[] = {
        &&do_push, &&do_add, &&do_sub, &&do_mul, &&do_dup,   &&do_swap,
        &&do_jnz,  &&do_dec, &&do_print, &&do_halt, &&do_over, &&do_drop,
    };
    int64_t stack[32];
    int sp = 0;
    int pc = 0;
#define DISPATCH() goto *table[code[pc++]]
    DISPATCH();
do_push:
    stack[sp++] = code[pc++];
    DISPATCH();
do_add:
    sp--;
    stack[sp - 1] = (int64_t)((uint64_t)stack[sp - 1] + (uint64_t)stack[sp]);
    DISPATCH();
do_sub:
    sp--;
    stack[sp - 1] = (int64_t)((uint64_t)stack[sp - 1] - (uint64_t)stack[sp]);
    DISPATCH();
do_mul:
    sp--;
    stack[sp - 1] = (int64_t)((uint64_t)stack[sp - 1] * (uint64_t)stack[sp]);
    DISPATCH();
do_dup:
    stack[sp] = stack[sp - 1];
    sp++;
    DISPATCH();
do_swap: {
    int64_t t = stack[sp - 1];
    stack[sp - 1] = stack[sp - 2];
    stack[sp - 2] = t;
    DISPATCH();
}
do_over:
    stack[sp] = stack[sp - 2];
    sp++;
    DISPATCH();
do_drop:
    sp--;
    DISPATCH();
do_jnz: {
    int64_t target = code[pc++];
    if (stack[--sp] != 0)
        pc = (int)target;
    DISPATCH();
}
do_dec:
    stack[sp - 1]--;
    DISPATCH();
do_print:
    printf("  print %ld\n", stack[sp - 1]);
    DISPATCH();
do_halt:
    return sp ? stack[sp - 1] : 0;
#undef DISPATCH
}

int main(void)
{
    printf("== dense switch\n");
    uint64_t x = 0x0123456789abcdefull, acc = 0;
    for (unsigned i = 0; i < 400; i++) {
        x = dense((unsigned)(x % 23), x);
        acc += x;
        if (i % 20 == 0)
            printf("%3u %016lx\n", i, x);
    }
    printf("dense acc %016lx\n", acc);

    printf("== sparse switch\n");
    static const int64_t keys[] = { -1000000,   -5, 0,       7, 100, 1024, 65535, 65536, 1000000007, 0x7fffffffffffll,
                                    INT64_MIN, 1,  -1000001, 8, 99,  1023, 65537, -6,    1000000006, 0x7ffffffffffell };
    int total = 0;
    for (unsigned i = 0; i < ARRAY_LEN(keys); i++) {
        int r = sparse(keys[i]);
        printf("%ld->%d ", keys[i], r);
        total = total * 3 + r;
    }
    printf("\nsparse total %d\n", total);

    printf("== char classes\n");
    const char *text = "Hello, World! The quick brown fox jumps over 13 lazy dogs.\tZ9?";
    unsigned counts[7] = { 0 };
    for (const char *p = text; *p; p++)
        counts[char_class((unsigned char)*p)]++;
    for (int i = 0; i < 7; i++)
        printf("class %d: %u\n", i, counts[i]);

    printf("== interpreters\n");
    /* Computes 12! with a loop, printing intermediate products. */
    static const int64_t prog[] = {
        OP_PUSH, 1,  OP_PUSH, 12,      /* acc n */
        OP_DUP,  OP_PRINT, OP_DROP,    /* 4: show n */
        OP_SWAP, OP_OVER,  OP_MUL,     /* n acc*n */
        OP_SWAP, OP_DEC,   OP_DUP,     /* acc*n n-1 n-1 */
        OP_JNZ,  4,        OP_DROP,    /* loop while n-1 != 0 */
        OP_PUSH, 7,        OP_SUB,  OP_HALT,
    };
    int64_t r1 = interp_switch(prog);
    int64_t r2 = interp_goto(prog);
    printf("switch interp %ld, goto interp %ld\n", r1, r2);
    return r1 == r2 ? 0 : 1;
}
