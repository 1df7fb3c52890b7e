/*
 * Memory and string functions. This file must be compiled with -fno-builtin
 * and -fno-tree-loop-distribute-patterns, otherwise GCC may turn the loops
 * below back into calls to the very functions being defined.
 */
#include "rt.h"

typedef uint64_t __attribute__((may_alias)) word_t;

void *memcpy(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    if ((((uintptr_t)d | (uintptr_t)s) & 7) == 0) {
        while (n >= 32) {
            word_t a = ((const word_t *)s)[0];
            word_t b = ((const word_t *)s)[1];
            word_t c = ((const word_t *)s)[2];
            word_t e = ((const word_t *)s)[3];
            ((word_t *)d)[0] = a;
            ((word_t *)d)[1] = b;
            ((word_t *)d)[2] = c;
            ((word_t *)d)[3] = e;
            d += 32;
            s += 32;
            n -= 32;
        }
        while (n >= 8) {
            *(word_t *)d = *(const word_t *)s;
            d += 8;
            s += 8;
            n -= 8;
        }
    }
    while (n--)
        *d++ = *s++;
    return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (d == s || n == 0)
        return dst;
    if (d < s || d >= s + n)
        return memcpy(dst, src, n);
    /* Overlapping with dst above src: copy backwards. */
    d += n;
    s += n;
    if ((((uintptr_t)d | (uintptr_t)s) & 7) == 0) {
        while (n >= 8) {
            d -= 8;
            s -= 8;
            *(word_t *)d = *(const word_t *)s;
            n -= 8;
        }
    }
    while (n--)
        *--d = *--s;
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;
    unsigned char b = (unsigned char)c;
    while (n && ((uintptr_t)d & 7)) {
        *d++ = b;
        n--;
    }
    if (n >= 8) {
        word_t w = b * 0x0101010101010101ull;
        while (n >= 8) {
            *(word_t *)d = w;
            d += 8;
            n -= 8;
        }
    }
    while (n--)
        *d++ = b;
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *p = a;
    const unsigned char *q = b;
    for (size_t i = 0; i < n; i++) {
        if (p[i] != q[i])
            return p[i] < q[i] ? -1 : 1;
    }
    return 0;
}

size_t strlen(const char *s)
{
    const char *p = s;
    while (*p)
        p++;
    return (size_t)(p - s);
}

int strcmp(const char *a, const char *b)
{
    const unsigned char *p = (const unsigned char *)a;
    const unsigned char *q = (const unsigned char *)b;
    while (*p && *p == *q) {
        p++;
        q++;
    }
    return (int)*p - (int)*q;
}

int strncmp(const char *a, const char *b, size_t n)
{
    const unsigned char *p = (const unsigned char *)a;
    const unsigned char *q = (const unsigned char *)b;
    for (; n; n--, p++, q++) {
        if (*p != *q || !*p)
            return (int)*p - (int)*q;
    }
    return 0;
}

char *strcpy(char *dst, const char *src)
{
    char *d = dst;
    while ((*d++ = *src++))
        ;
    return dst;
}

char *strchr(const char *s, int c)
{
    char ch = (char)c;
    for (;; s++) {
        if (*s == ch)
            return (char *)s;
        if (!*s)
            return 0;
    }
}
