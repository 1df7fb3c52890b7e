/* Buffered stdout and a small printf-style formatter. */
#include "rt.h"

#define STDOUT_BUF_SIZE 4096

static char stdout_buf[STDOUT_BUF_SIZE];
static size_t stdout_len;

void flush_stdout(void)
{
    if (stdout_len) {
        write_all(1, stdout_buf, stdout_len);
        stdout_len = 0;
    }
}

/* Output sink: either the stdout buffer (buf == 0) or a caller's buffer. */
struct sink {
    char *buf;
    size_t cap; /* bytes available for characters, excluding the NUL */
    size_t count; /* characters produced (may exceed cap) */
};

static void sink_put(struct sink *s, char c)
{
    if (!s->buf) {
        if (stdout_len == STDOUT_BUF_SIZE)
            flush_stdout();
        stdout_buf[stdout_len++] = c;
    } else if (s->count < s->cap) {
        s->buf[s->count] = c;
    }
    s->count++;
}

static void sink_repeat(struct sink *s, char c, int n)
{
    while (n-- > 0)
        sink_put(s, c);
}

static void sink_write(struct sink *s, const char *p, size_t n)
{
    while (n--)
        sink_put(s, *p++);
}

enum {
    F_LEFT = 1,
    F_ZERO = 2,
    F_PLUS = 4,
    F_SPACE = 8,
    F_ALT = 16,
};

/* Emits a converted number: sign/prefix, precision zeros, digits, padding. */
static void emit_number(struct sink *s, const char *prefix, const char *digits, int ndigits,
                        int flags, int width, int prec)
{
    int plen = (int)strlen(prefix);
    int zeros = 0;
    if (prec >= 0) {
        if (prec > ndigits)
            zeros = prec - ndigits;
        flags &= ~F_ZERO;
    }
    int total = plen + zeros + ndigits;
    int pad = width > total ? width - total : 0;
    if (flags & F_LEFT) {
        sink_write(s, prefix, (size_t)plen);
        sink_repeat(s, '0', zeros);
        sink_write(s, digits, (size_t)ndigits);
        sink_repeat(s, ' ', pad);
    } else if (flags & F_ZERO) {
        sink_write(s, prefix, (size_t)plen);
        sink_repeat(s, '0', pad + zeros);
        sink_write(s, digits, (size_t)ndigits);
    } else {
        sink_repeat(s, ' ', pad);
        sink_write(s, prefix, (size_t)plen);
        sink_repeat(s, '0', zeros);
        sink_write(s, digits, (size_t)ndigits);
    }
}

/* Converts v to digits (most significant first) in buf; returns the count. */
static int utoa(char *buf, uint64_t v, unsigned base, int upper)
{
    const char *dig = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = dig[v % base];
        v /= base;
    } while (v);
    for (int i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    return n;
}

enum length { L_INT, L_CHAR, L_SHORT, L_LONG, L_LLONG, L_SIZE };

static int format(struct sink *s, const char *fmt, va_list ap)
{
    while (*fmt) {
        if (*fmt != '%') {
            sink_put(s, *fmt++);
            continue;
        }
        fmt++;
        int flags = 0;
        for (;; fmt++) {
            if (*fmt == '-')
                flags |= F_LEFT;
            else if (*fmt == '0')
                flags |= F_ZERO;
            else if (*fmt == '+')
                flags |= F_PLUS;
            else if (*fmt == ' ')
                flags |= F_SPACE;
            else if (*fmt == '#')
                flags |= F_ALT;
            else
                break;
        }
        int width = 0;
        if (*fmt == '*') {
            width = va_arg(ap, int);
            if (width < 0) {
                flags |= F_LEFT;
                width = -width;
            }
            fmt++;
        } else {
            while (*fmt >= '0' && *fmt <= '9')
                width = width * 10 + (*fmt++ - '0');
        }
        int prec = -1;
        if (*fmt == '.') {
            fmt++;
            prec = 0;
            if (*fmt == '*') {
                prec = va_arg(ap, int);
                fmt++;
            } else {
                while (*fmt >= '0' && *fmt <= '9')
                    prec = prec * 10 + (*fmt++ - '0');
            }
        }
        enum length len = L_INT;
        switch (*fmt) {
        case 'h':
            fmt++;
            len = L_SHORT;
            if (*fmt == 'h') {
                fmt++;
                len = L_CHAR;
            }
            break;
        case 'l':
            fmt++;
            len = L_LONG;
            if (*fmt == 'l') {
                fmt++;
                len = L_LLONG;
            }
            break;
        case 'z':
        case 'j':
        case 't':
            fmt++;
            len = L_SIZE;
            break;
        default:
            break;
        }

        char digits[24];
        char conv = *fmt ? *fmt++ : '\0';
        switch (conv) {
        case 'd':
        case 'i': {
            int64_t v;
            if (len == L_INT)
                v = va_arg(ap, int);
            else if (len == L_CHAR)
                v = (signed char)va_arg(ap, int);
            else if (len == L_SHORT)
                v = (short)va_arg(ap, int);
            else
                v = va_arg(ap, int64_t);
            uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
            const char *prefix = v < 0 ? "-" : (flags & F_PLUS) ? "+" : (flags & F_SPACE) ? " " : "";
            int n = (prec == 0 && mag == 0) ? 0 : utoa(digits, mag, 10, 0);
            emit_number(s, prefix, digits, n, flags, width, prec);
            break;
        }
        case 'u':
        case 'x':
        case 'X':
        case 'o': {
            uint64_t v;
            if (len == L_INT)
                v = va_arg(ap, unsigned int);
            else if (len == L_CHAR)
                v = (unsigned char)va_arg(ap, unsigned int);
            else if (len == L_SHORT)
                v = (unsigned short)va_arg(ap, unsigned int);
            else
                v = va_arg(ap, uint64_t);
            unsigned base = conv == 'u' ? 10 : conv == 'o' ? 8 : 16;
            int n = (prec == 0 && v == 0) ? 0 : utoa(digits, v, base, conv == 'X');
            const char *prefix = "";
            if ((flags & F_ALT) && v != 0)
                prefix = conv == 'x' ? "0x" : conv == 'X' ? "0X" : conv == 'o' ? "0" : "";
            emit_number(s, prefix, digits, n, flags, width, prec);
            break;
        }
        case 'p': {
            uintptr_t v = (uintptr_t)va_arg(ap, void *);
            int n = utoa(digits, v, 16, 0);
            emit_number(s, "0x", digits, n, flags, width, prec);
            break;
        }
        case 'c': {
            char c = (char)va_arg(ap, int);
            int pad = width > 1 ? width - 1 : 0;
            if (!(flags & F_LEFT))
                sink_repeat(s, ' ', pad);
            sink_put(s, c);
            if (flags & F_LEFT)
                sink_repeat(s, ' ', pad);
            break;
        }
        case 's': {
            const char *str = va_arg(ap, const char *);
            if (!str)
                str = "(null)";
            size_t n = 0;
            while (str[n] && (prec < 0 || n < (size_t)prec))
                n++;
            int pad = width > (int)n ? width - (int)n : 0;
            if (!(flags & F_LEFT))
                sink_repeat(s, ' ', pad);
            sink_write(s, str, n);
            if (flags & F_LEFT)
                sink_repeat(s, ' ', pad);
            break;
        }
        case '%':
            sink_put(s, '%');
            break;
        case '\0':
            return (int)s->count;
        default:
            /* Unknown conversion: print it verbatim. */
            sink_put(s, '%');
            sink_put(s, conv);
            break;
        }
    }
    return (int)s->count;
}

int vprintf(const char *fmt, va_list ap)
{
    struct sink s = { 0, 0, 0 };
    return format(&s, fmt, ap);
}

int printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vprintf(fmt, ap);
    va_end(ap);
    return n;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    static char dummy;
    struct sink s;
    s.buf = size ? buf : &dummy;
    s.cap = size ? size - 1 : 0;
    s.count = 0;
    int n = format(&s, fmt, ap);
    if (size)
        buf[s.count < s.cap ? s.count : s.cap] = '\0';
    return n;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

int putchar(int c)
{
    struct sink s = { 0, 0, 0 };
    sink_put(&s, (char)c);
    return (unsigned char)c;
}

int puts(const char *str)
{
    struct sink s = { 0, 0, 0 };
    sink_write(&s, str, strlen(str));
    sink_put(&s, '\n');
    return 0;
}

/*
 * 128-bit conversions. Decimal conversion divides by ten limb by limb (four
 * 32-bit limbs), so the runtime itself never needs libgcc's __udivti3.
 */
int fmt_u128(char *buf, u128 v)
{
    uint32_t limb[4] = {
        (uint32_t)(v >> 96), (uint32_t)(v >> 64), (uint32_t)(v >> 32), (uint32_t)v,
    };
    char tmp[48];
    int n = 0;
    for (;;) {
        uint64_t rem = 0;
        int nonzero = 0;
        for (int i = 0; i < 4; i++) {
            uint64_t cur = (rem << 32) | limb[i];
            limb[i] = (uint32_t)(cur / 10);
            rem = cur % 10;
            nonzero |= limb[i] != 0;
        }
        tmp[n++] = (char)('0' + rem);
        if (!nonzero)
            break;
    }
    for (int i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    buf[n] = '\0';
    return n;
}

int fmt_i128(char *buf, i128 v)
{
    if (v < 0) {
        buf[0] = '-';
        return 1 + fmt_u128(buf + 1, (u128)0 - (u128)v);
    }
    return fmt_u128(buf, (u128)v);
}

int fmt_x128(char *buf, u128 v)
{
    uint64_t hi = (uint64_t)(v >> 64);
    uint64_t lo = (uint64_t)v;
    if (hi)
        return snprintf(buf, 48, "0x%lx%016lx", hi, lo);
    return snprintf(buf, 48, "0x%lx", lo);
}

void print_u128(u128 v)
{
    char buf[48];
    fmt_u128(buf, v);
    printf("%s", buf);
}

void print_i128(i128 v)
{
    char buf[48];
    fmt_i128(buf, v);
    printf("%s", buf);
}

void print_x128(u128 v)
{
    char buf[48];
    fmt_x128(buf, v);
    printf("%s", buf);
}

void print_hex64(const char *label, uint64_t v)
{
    printf("%s: %016lx\n", label, v);
}

void print_hex_row(const char *label, const uint64_t *vals, int n)
{
    printf("%s:", label);
    for (int i = 0; i < n; i++)
        printf(" %016lx", vals[i]);
    putchar('\n');
}
