/*
 * Cross-modifying code between CPUs. For each variant, ROUNDS rounds; in
 * round r a writer CPU (r % ncpus) waits until every other CPU has called the
 * function at least WARM times (so it sits in their I-cache: decoded or
 * translated), rewrites it to return a value of round r, runs the
 * maintenance of the variant, checks its own call, and raises a flag with a
 * release store. The readers keep calling the function until they acquire
 * the flag, then (ISB) call it once more and must see the new code.
 *   ivau        DC CVAU; DSB ISH; IC IVAU; DSB ISH by the writer
 *   ialluis     DC CVAU; DSB ISH; IC IALLUIS; DSB ISH by the writer
 *   iallu       DC CVAU; DSB ISH by the writer; IC IALLU; DSB NSH on each CPU
 *   no-isb      as ivau, but the readers call once without an ISB first: the
 *               old code may still run (architectural I-cache model), counted
 *               in the `noisb_stale` report, then with an ISB they must see
 *               the new code
 *   straddle    two instructions in two cache lines, both lines maintained;
 *               a reader in the loop may see either half old or new
 *   branch      the first word toggles between NOP and B (a pair the
 *               architecture lets other CPUs run while it changes)
 *   buffer      code written into a data buffer and called through a pointer
 * CPU 0 prints one line per variant and exits 0.
 */
#include "el1.h"

#define ROUNDS 8
#define WARM 64

__asm__(".pushsection .text.patched, \"ax\"\n"
	".balign 64\n"
	"patched:\n"
	"	movz w0, #0\n"
	"	ret\n"
	"	.fill 12, 4, 0xd503201f\n"
	"straddle:\n" /* 56 bytes into the line: the MOVK is in the next one */
	"	movz w0, #0\n"
	"	nop\n"
	"	movk w0, #0, lsl #16\n"
	"	ret\n"
	".balign 64\n"
	"redirect:\n"
	"	nop\n"
	"	movz w0, #1\n"
	"	ret\n"
	"redirect_target:\n"
	"	movz w0, #2\n"
	"	ret\n"
	".popsection\n");
u32 patched(void);
u32 straddle(void);
u32 redirect(void);
extern u32 redirect_target[];

enum { V_IVAU, V_IALLUIS, V_IALLU, V_NOISB, V_STRADDLE, V_BRANCH, V_BUFFER, NV };
static const char *const names[NV] = {"ivau", "ialluis", "iallu", "no-isb", "straddle", "branch", "buffer"};

static struct smp_barrier bar;
static u32 flag;
static u64 calls[SMP_MAX_CPUS];
static u64 noisb_stale;
static u32 buffer[16] __attribute__((aligned(64)));
static u32 current[4] = {0, 0, 1, 0}; /* what each function returns now */

static u32 movz_w0(u32 v) { return 0x52800000 | ((v & 0xffff) << 5); }
static u32 movk_w0_16(u32 v) { return 0x72a00000 | ((v & 0xffff) << 5); }
static int fn(int v) { return v == V_STRADDLE ? 1 : v == V_BRANCH ? 2 : v == V_BUFFER ? 3 : 0; }

static void sync_line(const void *p)
{
	__asm__ volatile("dc cvau, %0\n dsb ish\n ic ivau, %0\n dsb ish" ::"r"(p) : "memory");
}

static u32 call(int v)
{
	if (v == V_STRADDLE)
		return straddle();
	if (v == V_BRANCH)
		return redirect();
	if (v == V_BUFFER)
		return ((u32(*)(void))(void *)buffer)();
	return patched();
}

static u32 expected(int v, u32 r)
{
	if (v == V_BRANCH)
		return (r & 1) ? 2 : 1;
	if (v == V_STRADDLE)
		return r * 0x10001;
	return r;
}

static void rewrite(int v, u32 r)
{
	u32 *p;
	switch (v) {
	case V_STRADDLE:
		p = (u32 *)(void *)straddle;
		__atomic_store_n(&p[0], movz_w0(r), __ATOMIC_RELAXED);
		__atomic_store_n(&p[2], movk_w0_16(r), __ATOMIC_RELAXED);
		sync_line(&p[0]);
		sync_line(&p[2]);
		break;
	case V_BRANCH: {
		p = (u32 *)(void *)redirect;
		s64 off = ((s64)(u64)redirect_target - (s64)(u64)p) / 4;
		__atomic_store_n(p, (r & 1) ? 0x14000000 | ((u32)off & 0x3ffffff) : 0xd503201f, __ATOMIC_RELAXED);
		sync_line(p);
		break;
	}
	case V_BUFFER:
		buffer[0] = movz_w0(r);
		buffer[1] = 0xd65f03c0; /* ret */
		sync_line(buffer);
		break;
	default:
		p = (u32 *)(void *)patched;
		__atomic_store_n(p, movz_w0(r), __ATOMIC_RELAXED);
		if (v == V_IALLUIS)
			__asm__ volatile("dc cvau, %0\n dsb ish\n ic ialluis\n dsb ish" ::"r"(p) : "memory");
		else if (v == V_IALLU)
			__asm__ volatile("dc cvau, %0\n dsb ish\n ic iallu\n dsb nsh" ::"r"(p) : "memory");
		else
			sync_line(p);
	}
}

/* A reader's call before it has seen the flag: old or new (for straddle, each half old or new). */
static int plausible(int v, u32 got, u32 old, u32 now)
{
	if (got == old || got == now)
		return 1;
	return v == V_STRADDLE && ((got & 0xffff) == (old & 0xffff) || (got & 0xffff) == (now & 0xffff)) &&
	       ((got >> 16) == (old >> 16) || (got >> 16) == (now >> 16));
}

int smp_main(u64 cpu, u64 ncpus)
{
	u32 sense = 0;
	if (cpu == 0) {
		buffer[0] = movz_w0(0);
		buffer[1] = 0xd65f03c0;
		sync_line(buffer);
	}
	smp_barrier_wait(&bar, (u32)ncpus, &sense);
	for (int v = 0; v < NV; v++) {
		for (u32 r = 1; r <= ROUNDS; r++) {
			u64 writer = r % ncpus;
			u32 seq = (u32)v * 1000 + r, want = expected(v, r), old = current[fn(v)];
			isb();
			if (cpu == writer) {
				for (u64 c = 0; c < ncpus; c++)
					while (c != cpu && __atomic_load_n(&calls[c], __ATOMIC_ACQUIRE) < WARM)
						cpu_relax();
				rewrite(v, r);
				isb();
				CHECKEQ(call(v), want);
				__atomic_store_n(&flag, seq, __ATOMIC_RELEASE);
			} else {
				for (u64 n = 1;; n++) {
					u32 got = call(v);
					CHECK(plausible(v, got, old, want));
					if (n == WARM)
						__atomic_store_n(&calls[cpu], WARM, __ATOMIC_RELEASE);
					if (n > WARM && __atomic_load_n(&flag, __ATOMIC_ACQUIRE) == seq)
						break;
				}
				if (v == V_IALLU)
					__asm__ volatile("ic iallu\n dsb nsh" ::: "memory");
				if (v == V_NOISB) {
					u32 got = call(v);
					if (got != want) {
						CHECKEQ(got, old);
						__atomic_fetch_add(&noisb_stale, 1, __ATOMIC_RELAXED);
					}
				}
				isb();
				CHECKEQ(call(v), want);
			}
			smp_barrier_wait(&bar, (u32)ncpus, &sense);
			__atomic_store_n(&calls[cpu], 0, __ATOMIC_RELAXED);
			if (cpu == writer)
				current[fn(v)] = want;
			smp_barrier_wait(&bar, (u32)ncpus, &sense);
		}
		if (cpu == 0) {
			char line[80], *p = line;
			for (const char *s = names[v]; *s; s++)
				*p++ = *s;
			*p++ = ':';
			*p++ = ' ';
			*p = 0;
			smp_say(line, ROUNDS, " rounds ok\n");
		}
	}
	smp_barrier_wait(&bar, (u32)ncpus, &sense);
	if (cpu != 0)
		smp_idle();
	hc_report("noisb_stale", noisb_stale);
	return 0;
}
