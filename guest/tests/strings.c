/*
 * Strings and memory: the runtime's mem and str functions at many sizes and
 * alignments, overlapping memmove, formatting with snprintf, and some small
 * string algorithms (reverse, search, tokenising, sorting, run-length coding).
 */
#include "rt.h"

static uint64_t checksum;

static void mix_bytes(const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        checksum = (checksum ^ b[i]) * 0x100000001b3ull;
}

static unsigned char bufa[1024 + 64];
static unsigned char bufb[1024 + 64];

static void pattern(unsigned char *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)(seed + i * 7 + (i >> 3));
}

static NOINLINE void test_memcpy_sizes(void)
{
    printf("== memcpy/memset/memcmp over sizes and alignments\n");
    static const size_t sizes[] = { 0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 255, 256, 1000 };
    unsigned errors = 0;
    for (unsigned si = 0; si < ARRAY_LEN(sizes); si++) {
        size_t n = sizes[si];
        for (unsigned da = 0; da < 8; da += 3) {
            for (unsigned sa = 0; sa < 8; sa += 5) {
                pattern(bufa, sizeof bufa, (unsigned)(n + sa));
                memset(bufb, 0xee, sizeof bufb);
                memcpy(bufb + da + 8, bufa + sa, n);
                if (memcmp(bufb + da + 8, bufa + sa, n) != 0)
                    errors++;
                /* Guard bytes around the destination must be untouched. */
                if (bufb[da + 7] != 0xee || bufb[da + 8 + n] != 0xee)
                    errors++;
                memset(bufb + da + 8, (int)(n & 0xff), n);
                for (size_t i = 0; i < n; i++)
                    if (bufb[da + 8 + i] != (unsigned char)n)
                        errors++;
                if (bufb[da + 8 + n] != 0xee)
                    errors++;
                mix_bytes(bufb, 64);
            }
        }
    }
    printf("errors %u\n", errors);
    /* memcmp ordering is by unsigned bytes. */
    unsigned char x[4] = { 1, 2, 0x80, 4 }, y[4] = { 1, 2, 0x7f, 4 };
    printf("memcmp %d %d %d\n", memcmp(x, y, 4), memcmp(y, x, 4), memcmp(x, x, 4));
}

static NOINLINE void test_memmove(void)
{
    printf("== memmove overlap\n");
    char s[64];
    for (int shift = -9; shift <= 9; shift += 3) {
        strcpy(s, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");
        memmove(s + 10 + shift, s + 10, 30);
        printf("%3d %s\n", shift, s);
        mix_bytes(s, sizeof s);
    }
    /* Large aligned overlapping move (exercises the word loop backwards). */
    for (int i = 0; i < 512; i++)
        bufa[i] = (unsigned char)i;
    memmove(bufa + 64, bufa, 400);
    memmove(bufa + 1, bufa + 9, 100);
    mix_bytes(bufa, 512);
    printf("after moves: %02x %02x %02x %02x\n", bufa[0], bufa[1], bufa[100], bufa[463]);
}

static void reverse(char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n / 2; i++) {
        char t = s[i];
        s[i] = s[n - 1 - i];
        s[n - 1 - i] = t;
    }
}

static NOINLINE const char *find(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (strncmp(hay, needle, n) == 0)
            return hay;
    return n ? 0 : hay;
}

static NOINLINE void test_algorithms(void)
{
    printf("== string algorithms\n");
    static const char text[] =
        "It was the best of times, it was the worst of times, it was the age of wisdom, "
        "it was the age of foolishness, it was the epoch of belief, it was the epoch of incredulity";
    char copy[sizeof text];
    strcpy(copy, text);
    reverse(copy);
    printf("reversed: %.40s...\n", copy);
    printf("len %u\n", (unsigned)strlen(text));

    static const char *const needles[] = { "worst", "epoch of", "wisdom", "Dickens", "", "ity" };
    for (unsigned i = 0; i < ARRAY_LEN(needles); i++) {
        const char *p = find(text, needles[i]);
        printf("find '%s' -> %ld\n", needles[i], p ? (long)(p - text) : -1L);
    }

    /* Tokenise on ", " and count words per token. */
    const char *p = text;
    int tokens = 0;
    while (*p) {
        const char *q = p;
        while (*q && *q != ',')
            q++;
        int words = 1;
        for (const char *r = p; r < q; r++)
            words += *r == ' ' && r != p;
        if (tokens < 4)
            printf("token %d: [%.*s] words=%d\n", tokens, (int)(q - p), p, words);
        tokens++;
        p = *q ? q + 2 : q;
    }
    printf("tokens %d\n", tokens);

    /* Character histogram. */
    unsigned hist[26] = { 0 };
    for (const char *c = text; *c; c++)
        if (*c >= 'a' && *c <= 'z')
            hist[*c - 'a']++;
    for (int i = 0; i < 26; i++)
        if (hist[i])
            printf("%c%u ", 'a' + i, hist[i]);
    printf("\n");

    /* Run-length encoding round trip. */
    static const char rle_in[] = "aaaabbbcccccccccccccdaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaxyzzzz";
    char enc[128], dec[128];
    size_t ei = 0;
    for (size_t i = 0; rle_in[i];) {
        size_t j = i;
        while (rle_in[j] == rle_in[i] && j - i < 9)
            j++;
        enc[ei++] = (char)('0' + (j - i));
        enc[ei++] = rle_in[i];
        i = j;
    }
    enc[ei] = '\0';
    size_t di = 0;
    for (size_t i = 0; enc[i]; i += 2)
        for (int k = 0; k < enc[i] - '0'; k++)
            dec[di++] = enc[i + 1];
    dec[di] = '\0';
    printf("rle %s %s\n", enc, strcmp(dec, rle_in) == 0 ? "roundtrip-ok" : "roundtrip-BAD");
    mix_bytes(enc, ei);
}

static NOINLINE void test_sort_strings(void)
{
    printf("== insertion sort of strings\n");
    const char *names[] = { "pear",   "apple", "fig",  "banana", "cherry", "kiwi",  "date",     "apricot",
                            "grape",  "lemon", "lime", "mango",  "melon",  "olive", "papaya",   "quince",
                            "raisin", "plum",  "yuzu", "",       "apple",  "Zebra", "aardvark", "appl" };
    int n = (int)ARRAY_LEN(names);
    for (int i = 1; i < n; i++) {
        const char *key = names[i];
        int j = i - 1;
        while (j >= 0 && strcmp(names[j], key) > 0) {
            names[j + 1] = names[j];
            j--;
        }
        names[j + 1] = key;
    }
    for (int i = 0; i < n; i++)
        printf("'%s'%c", names[i], i + 1 < n ? ' ' : '\n');
}

static NOINLINE void test_format(void)
{
    printf("== formatting\n");
    char buf[96];
    int n = snprintf(buf, sizeof buf, "[%5d|%-5d|%05d|%+d|% d|%x|%X|%#o]", 42, 42, -42, 7, 7, 0xbeef, 0xbeef, 8);
    printf("%s (%d)\n", buf, n);
    n = snprintf(buf, sizeof buf, "[%8s|%-8s|%.3s|%c%c|%%|%lu|%ld|%llx]", "abc", "abc", "abcdef", 'x', 'y',
                 18446744073709551615ul, -9223372036854775807l - 1, 0x123456789abcdefull);
    printf("%s (%d)\n", buf, n);
    n = snprintf(buf, sizeof buf, "[%hhd|%hhu|%hd|%hu|%zu|%.5d|%8.3d|%-*d|%*d]", 300, 300, 70000, 70000,
                 (size_t)123, 42, -7, 6, 5, 4, 9);
    printf("%s (%d)\n", buf, n);
    /* Truncation: the return value is the untruncated length. */
    char small[8];
    n = snprintf(small, sizeof small, "%s", "truncated output");
    printf("small='%s' n=%d\n", small, n);
    printf("%p %p\n", (void *)0x1234, (void *)0);
    mix_bytes(buf, strlen(buf));
}

int main(void)
{
    test_memcpy_sizes();
    test_memmove();
    test_algorithms();
    test_sort_strings();
    test_format();
    printf("checksum %016lx\n", checksum);
    return 0;
}
