/*
 * Minimal freestanding runtime for the guest test programs.
 *
 * Everything here talks to a Linux-style AArch64 user environment through
 * five system calls only: write, exit, exit_group, clock_gettime and brk.
 */
#ifndef GUEST_RT_H
#define GUEST_RT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

typedef long ssize_t;
typedef __int128 i128;
typedef unsigned __int128 u128;

#define NOINLINE __attribute__((noinline))
#define NORETURN __attribute__((noreturn))
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* System call numbers (asm-generic table used by arm64). */
#define SYS_write 64
#define SYS_exit 93
#define SYS_exit_group 94
#define SYS_clock_gettime 113
#define SYS_brk 214

#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1

/* Auxiliary vector keys used by the tests. */
#define AT_NULL 0
#define AT_PAGESZ 6

struct timespec {
    long tv_sec;
    long tv_nsec;
};

/* Raw system calls: return the kernel's value (negative errno on error). */
long sys_write(int fd, const void *buf, size_t len);
NORETURN void sys_exit(int code);
NORETURN void sys_exit_group(int code);
long sys_clock_gettime(int clock, struct timespec *ts);
/* Raw brk: returns the new program break (or the old one on failure). */
uintptr_t sys_brk(uintptr_t addr);

/* Writes the whole buffer, retrying on short writes. */
long write_all(int fd, const void *buf, size_t len);

/* Process exit: flushes buffered stdout, then exit_group. */
NORETURN void exit(int code);

/* Environment pointer saved by _start, and auxv lookup (0 if missing). */
extern char **environ;
uint64_t getauxval(uint64_t type);

/* String and memory functions (GCC may emit calls to the mem* ones). */
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strcpy(char *dst, const char *src);
char *strchr(const char *s, int c);

/* Formatted output. Conversions: d i u x X o c s p %, length modifiers
 * hh h l ll z j t, flags - 0 + space #, width and precision (also '*'). */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int putchar(int c);
int puts(const char *s);
void flush_stdout(void);

/* 128-bit integers. fmt_* write a NUL-terminated string and return its length
 * (buffers of 48 bytes are always large enough). */
int fmt_u128(char *buf, u128 v);
int fmt_i128(char *buf, i128 v);
int fmt_x128(char *buf, u128 v);
void print_u128(u128 v);
void print_i128(i128 v);
void print_x128(u128 v);

/* "label: 0123456789abcdef\n" and "label: v0 v1 ...\n" (16 hex digits each);
 * used by the assembly tests. */
void print_hex64(const char *label, uint64_t v);
void print_hex_row(const char *label, const uint64_t *vals, int n);

#endif
