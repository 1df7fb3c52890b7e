/* Runtime of the kernel-profile guests: host calls, console output, SMP helpers. */
#ifndef SMP_H
#define SMP_H

typedef unsigned long u64;
typedef unsigned int u32;
typedef long s64;

#define SMP_MAX_CPUS 64

/* Host calls (hvc #0, number in x8). */
#include "../../include/hostcall.h"

s64 hc_write(int fd, const void *buf, u64 len);
void hc_exit(int code) __attribute__((noreturn));
u64 hc_time_ns(void);
s64 hc_report(const char *key, u64 value);
u64 hc_cpu_count(void);

u64 smp_strlen(const char *s);
/* Writes a string to fd 1 in one host call. */
void smp_puts(const char *s);
/* Formats into buf (NUL-terminated): "%s%u%s" with an unsigned decimal. */
char *smp_fmt(char *buf, const char *a, u64 n, const char *b);
/* One line "<a><n><b>" on fd 1, written with a single host call. */
void smp_say(const char *a, u64 n, const char *b);

/* Sense-reversing barrier for `n` CPUs. */
struct smp_barrier {
	u32 count;
	u32 sense;
};
void smp_barrier_wait(struct smp_barrier *b, u32 n, u32 *local_sense);

/* Ticket spinlock. */
struct ticket_lock {
	u32 next;
	u32 owner;
};
void ticket_lock(struct ticket_lock *l);
void ticket_unlock(struct ticket_lock *l);

static inline void cpu_relax(void) { __asm__ volatile("yield" ::: "memory"); }
static inline void smp_mb(void) { __asm__ volatile("dmb ish" ::: "memory"); }
static inline void smp_wmb(void) { __asm__ volatile("dmb ishst" ::: "memory"); }
static inline void smp_rmb(void) { __asm__ volatile("dmb ishld" ::: "memory"); }

static inline u32 load_acquire(const u32 *p)
{
	u32 v;
	__asm__ volatile("ldar %w0, [%1]" : "=r"(v) : "r"(p) : "memory");
	return v;
}

static inline void store_release(u32 *p, u32 v)
{
	__asm__ volatile("stlr %w0, [%1]" ::"r"(v), "r"(p) : "memory");
}

/* Idles forever (the machine ends when another CPU exits). */
void smp_idle(void) __attribute__((noreturn));

int smp_main(u64 cpu, u64 ncpus);

#endif
