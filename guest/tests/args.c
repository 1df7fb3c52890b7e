/*
 * Process start-up state: argc/argv, the environment count, the auxiliary
 * vector (AT_PAGESZ), stack alignment, and clock_gettime. Only values that
 * every correct implementation agrees on are printed: argv[0] is reduced to
 * its file name up to the first '-' or '.' (so every build variant of this
 * program prints the same), environment contents and times are never printed.
 * Exits with argc as its status.
 */
#include "rt.h"

/* "dir/args-O2-v80.elf" -> "args" */
static void program_name(char *out, size_t size, const char *path)
{
    const char *b = path;
    for (const char *p = path; *p; p++)
        if (*p == '/')
            b = p + 1;
    size_t n = 0;
    while (b[n] && b[n] != '-' && b[n] != '.' && n + 1 < size) {
        out[n] = b[n];
        n++;
    }
    out[n] = '\0';
}

int main(int argc, char **argv, char **envp)
{
    printf("argc=%d\n", argc);
    char name[32] = "(none)";
    if (argc > 0)
        program_name(name, sizeof name, argv[0]);
    printf("argv[0] program=%s\n", name);
    for (int i = 1; i < argc; i++)
        printf("argv[%d]=\"%s\" len=%u\n", i, argv[i], (unsigned)strlen(argv[i]));
    printf("argv[argc] is %s\n", argv[argc] ? "NOT NULL" : "NULL");

    /* envp must follow argv's NULL terminator directly. */
    printf("envp follows argv: %s\n", envp == argv + argc + 1 ? "yes" : "no");
    printf("environ matches envp: %s\n", environ == envp ? "yes" : "no");
    int envc = 0;
    size_t env_bytes = 0;
    int well_formed = 1;
    for (char **e = envp; *e; e++) {
        envc++;
        env_bytes += strlen(*e);
        if (!strchr(*e, '='))
            well_formed = 0;
    }
    printf("envc=%d all contain '=': %s\n", envc, well_formed ? "yes" : "no");
    (void)env_bytes;

    /* Auxiliary vector: pairs after envp's NULL, terminated by AT_NULL. */
    uint64_t *auxv = (uint64_t *)(envp + envc + 1);
    uint64_t pagesz = 0;
    int entries = 0;
    for (uint64_t *a = auxv; a[0] != AT_NULL; a += 2) {
        if (a[0] == AT_PAGESZ)
            pagesz = a[1];
        entries++;
    }
    printf("AT_PAGESZ=%lu (via getauxval %lu)\n", pagesz, getauxval(AT_PAGESZ));
    printf("auxv has entries: %s\n", entries > 0 ? "yes" : "no");
    printf("getauxval(unknown)=%lu\n", getauxval(0x7fff));

    /* The initial stack pointer is 16-byte aligned; so is ours in main. */
    uintptr_t sp;
    __asm__ volatile("mov %0, sp" : "=r"(sp));
    printf("sp aligned: %s\n", (sp & 15) == 0 ? "yes" : "no");
    printf("argv on stack above sp: %s\n", (uintptr_t)argv > sp ? "yes" : "no");

    /* Clocks: only sanity properties are printed. */
    struct timespec m1, m2, r;
    long e1 = sys_clock_gettime(CLOCK_MONOTONIC, &m1);
    volatile uint64_t spin = 0;
    for (int i = 0; i < 10000; i++)
        spin += (uint64_t)i;
    long e2 = sys_clock_gettime(CLOCK_MONOTONIC, &m2);
    long e3 = sys_clock_gettime(CLOCK_REALTIME, &r);
    int mono_ok = m2.tv_sec > m1.tv_sec || (m2.tv_sec == m1.tv_sec && m2.tv_nsec >= m1.tv_nsec);
    int nsec_ok = m1.tv_nsec >= 0 && m1.tv_nsec < 1000000000 && r.tv_nsec >= 0 && r.tv_nsec < 1000000000;
    printf("clock_gettime rc=%ld,%ld,%ld monotonic=%s nsec-range=%s\n", e1, e2, e3, mono_ok ? "ok" : "BAD",
           nsec_ok ? "ok" : "BAD");

    /* A direct write() of a partial buffer, after flushing what is buffered. */
    flush_stdout();
    static const char direct[] = "direct write: ok (this tail is not written)";
    long w = sys_write(1, direct, 16);
    sys_write(1, "\n", 1);
    printf("write returned %ld\n", w);
    printf("write to bad fd returned %s\n", sys_write(-1, "x", 1) < 0 ? "an error" : "success?");
    return argc;
}
