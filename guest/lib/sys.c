/* System call wrappers and process exit. */
#include "rt.h"

static inline long syscall1(long nr, long a0)
{
    register long x8 __asm__("x8") = nr;
    register long x0 __asm__("x0") = a0;
    __asm__ volatile("svc #0" : "+r"(x0) : "r"(x8) : "memory");
    return x0;
}

static inline long syscall2(long nr, long a0, long a1)
{
    register long x8 __asm__("x8") = nr;
    register long x0 __asm__("x0") = a0;
    register long x1 __asm__("x1") = a1;
    __asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1) : "memory");
    return x0;
}

static inline long syscall3(long nr, long a0, long a1, long a2)
{
    register long x8 __asm__("x8") = nr;
    register long x0 __asm__("x0") = a0;
    register long x1 __asm__("x1") = a1;
    register long x2 __asm__("x2") = a2;
    __asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
    return x0;
}

long sys_write(int fd, const void *buf, size_t len)
{
    return syscall3(SYS_write, fd, (long)buf, (long)len);
}

void sys_exit(int code)
{
    for (;;)
        syscall1(SYS_exit, code);
}

void sys_exit_group(int code)
{
    for (;;)
        syscall1(SYS_exit_group, code);
}

long sys_clock_gettime(int clock, struct timespec *ts)
{
    return syscall2(SYS_clock_gettime, clock, (long)ts);
}

uintptr_t sys_brk(uintptr_t addr)
{
    return (uintptr_t)syscall1(SYS_brk, (long)addr);
}

long write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    size_t done = 0;
    while (done < len) {
        long r = sys_write(fd, p + done, len - done);
        if (r <= 0)
            return done ? (long)done : r;
        done += (size_t)r;
    }
    return (long)done;
}

void exit(int code)
{
    flush_stdout();
    sys_exit_group(code);
}

uint64_t getauxval(uint64_t type)
{
    char **p = environ;
    if (!p)
        return 0;
    while (*p)
        p++;
    for (uint64_t *av = (uint64_t *)(p + 1); av[0] != AT_NULL; av += 2) {
        if (av[0] == type)
            return av[1];
    }
    return 0;
}
