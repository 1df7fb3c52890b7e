/*
 * Kernel library: a bump allocator, memory helpers, console output,
 * results reported to the host.
 */
#include "kernel.h"

/* The heap: from the end of the image to __heap_end (kernel.ld); the host keeps RAM above it for ftrace. */
extern char __heap_start[], __heap_end[];

static spinlock_t heap_lock;
static u64 heap_next;

void *kmalloc(u64 size)
{
	u64 flags = spin_lock_irqsave(&heap_lock);
	u64 base = (u64)__heap_start;
	if (heap_next == 0)
		heap_next = base;
	u64 p = (heap_next + 15) & ~15UL;
	if (p + size > (u64)__heap_end || p + size < p) {
		spin_unlock_irqrestore(&heap_lock, flags);
		panic("kmalloc: out of memory");
	}
	heap_next = p + size;
	spin_unlock_irqrestore(&heap_lock, flags);
	memset((void *)p, 0, size);
	return (void *)p;
}

u64 kmalloc_mark(void)
{
	u64 flags = spin_lock_irqsave(&heap_lock);
	if (heap_next == 0)
		heap_next = (u64)__heap_start;
	u64 m = heap_next;
	spin_unlock_irqrestore(&heap_lock, flags);
	return m;
}

/* Frees everything allocated since `mark` (between benchmark runs). */
void kmalloc_release(u64 mark)
{
	u64 flags = spin_lock_irqsave(&heap_lock);
	heap_next = mark;
	spin_unlock_irqrestore(&heap_lock, flags);
}

notrace void *memset(void *d, int c, u64 n)
{
	u8 *p = d;
	while (n && ((u64)p & 7)) {
		*p++ = (u8)c;
		n--;
	}
	u64 w = (u8)c * 0x0101010101010101UL;
	for (; n >= 8; n -= 8, p += 8)
		*(u64 *)p = w;
	while (n--)
		*p++ = (u8)c;
	return d;
}

notrace void *memcpy(void *d, const void *s, u64 n)
{
	u8 *dp = d;
	const u8 *sp = s;
	if ((((u64)dp | (u64)sp) & 7) == 0) {
		for (; n >= 8; n -= 8, dp += 8, sp += 8)
			*(u64 *)dp = *(const u64 *)sp;
	}
	while (n--)
		*dp++ = *sp++;
	return d;
}

u64 strlen(const char *s)
{
	u64 n = 0;
	while (s[n])
		n++;
	return n;
}

void puts(const char *s) { hostcall3(HC_WRITE, 1, (u64)s, strlen(s)); }

static char *put_num(char *p, char *end, u64 v, u32 base)
{
	char digits[24];
	int k = 0;
	do {
		u32 d = (u32)(v % base);
		digits[k++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
		v /= base;
	} while (v);
	while (k && p < end)
		*p++ = digits[--k];
	return p;
}

void printk(const char *fmt, ...)
{
	char line[256];
	char *p = line, *end = line + sizeof(line) - 1;
	__builtin_va_list ap;
	__builtin_va_start(ap, fmt);
	for (; *fmt && p < end; fmt++) {
		if (*fmt != '%') {
			*p++ = *fmt;
			continue;
		}
		fmt++;
		int lng = 0;
		if (*fmt == 'l') {
			lng = 1;
			fmt++;
		}
		switch (*fmt) {
		case 's': {
			const char *s = __builtin_va_arg(ap, const char *);
			while (*s && p < end)
				*p++ = *s++;
			break;
		}
		case 'u':
			p = put_num(p, end, lng ? __builtin_va_arg(ap, u64) : __builtin_va_arg(ap, u32), 10);
			break;
		case 'x':
			p = put_num(p, end, lng ? __builtin_va_arg(ap, u64) : __builtin_va_arg(ap, u32), 16);
			break;
		case '%':
			*p++ = '%';
			break;
		default:
			fmt--;
			break;
		}
		if (!*fmt)
			break;
	}
	__builtin_va_end(ap);
	hostcall3(HC_WRITE, 1, (u64)line, (u64)(p - line));
}

void report(const char *key, u64 value) { hostcall3(HC_REPORT, (u64)key, strlen(key), value); }

/* Reports "<prefix><index>.<key>", e.g. "run0.messages". */
void report_indexed(const char *prefix, u32 index, const char *key, u64 value)
{
	char name[96];
	char *p = name, *end = name + sizeof(name) - 1;
	while (*prefix && p < end)
		*p++ = *prefix++;
	p = put_num(p, end, index, 10);
	if (p < end)
		*p++ = '.';
	while (*key && p < end)
		*p++ = *key++;
	hostcall3(HC_REPORT, (u64)name, (u64)(p - name), value);
}

u64 host_time_ns(void) { return (u64)hostcall3(HC_TIME_NS, 0, 0, 0); }

/* A positive answer means the host queued text patches for the patcher: wait until they are applied. */
void host_phase(u32 id, u64 arg)
{
	if (hostcall3(HC_PHASE, id, arg, 0) > 0)
		patcher_sync();
}

void host_exit(int code)
{
	hostcall3(HC_EXIT, (u64)code, 0, 0);
	for (;;)
		wfi();
}

void panic(const char *msg)
{
	local_irq_disable();
	printk("Kernel panic on CPU %u: %s\n", (u32)(read_sysreg(mpidr_el1) & 0xff), msg);
	host_exit(1);
}
