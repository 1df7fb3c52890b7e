#include "smp.h"

#define SMP_STACK (1UL << SMP_STACK_SHIFT)

char smp_stacks[SMP_MAX_CPUS][SMP_STACK] __attribute__((aligned(16)));

s64 hc_write(int fd, const void *buf, u64 len) { return hostcall3(HC_WRITE, (u64)fd, (u64)buf, len); }

void hc_exit(int code)
{
	hostcall3(HC_EXIT, (u64)code, 0, 0);
	for (;;)
		__asm__ volatile("wfi");
}

u64 hc_time_ns(void) { return (u64)hostcall3(HC_TIME_NS, 0, 0, 0); }
s64 hc_report(const char *key, u64 value) { return hostcall3(HC_REPORT, (u64)key, smp_strlen(key), value); }
u64 hc_cpu_count(void) { return (u64)hostcall3(HC_CPU_COUNT, 0, 0, 0); }

u64 smp_strlen(const char *s)
{
	u64 n = 0;
	while (s[n])
		n++;
	return n;
}

void smp_puts(const char *s) { hc_write(1, s, smp_strlen(s)); }

char *smp_fmt(char *buf, const char *a, u64 n, const char *b)
{
	char digits[24];
	int k = 0;
	char *p = buf;
	while (*a)
		*p++ = *a++;
	do {
		digits[k++] = (char)('0' + n % 10);
		n /= 10;
	} while (n);
	while (k)
		*p++ = digits[--k];
	while (*b)
		*p++ = *b++;
	*p = 0;
	return buf;
}

void smp_say(const char *a, u64 n, const char *b)
{
	char line[160];
	smp_puts(smp_fmt(line, a, n, b));
}

void smp_barrier_wait(struct smp_barrier *b, u32 n, u32 *local_sense)
{
	u32 sense = !*local_sense;
	*local_sense = sense;
	if (__atomic_add_fetch(&b->count, 1, __ATOMIC_ACQ_REL) == n) {
		__atomic_store_n(&b->count, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&b->sense, sense, __ATOMIC_RELEASE);
	} else {
		while (__atomic_load_n(&b->sense, __ATOMIC_ACQUIRE) != sense)
			cpu_relax();
	}
}

void ticket_lock(struct ticket_lock *l)
{
	u32 me = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);
	while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != me)
		cpu_relax();
}

void ticket_unlock(struct ticket_lock *l)
{
	u32 o = __atomic_load_n(&l->owner, __ATOMIC_RELAXED);
	__atomic_store_n(&l->owner, o + 1, __ATOMIC_RELEASE);
}

void smp_idle(void)
{
	for (;;)
		__asm__ volatile("wfi");
}
