/*
 * A token goes ROUNDS times around the ring of CPUs through per-CPU
 * mailboxes: the sender writes a payload derived from the token, then
 * publishes the token (odd tokens: DMB ISHST then a plain store, read with a
 * plain load then DMB ISHLD; even tokens: STLR / LDAR). The receiver checks
 * the payload. CPU 0 receives the last token and exits 0, or 1 when any
 * payload was wrong.
 */
#include "smp.h"

#define ROUNDS 100
#define WORDS 6

struct mailbox {
	u32 token;
	u32 pad;
	u64 data[WORDS];
} __attribute__((aligned(64)));

static struct mailbox box[SMP_MAX_CPUS];
static u64 errors;

static u64 payload(u32 t, int k) { return (u64)t * 0x9e3779b97f4a7c15UL + (u64)k; }

static void send(u64 to, u32 t)
{
	for (int k = 0; k < WORDS; k++)
		box[to].data[k] = payload(t, k);
	if (t & 1) {
		smp_wmb();
		*(volatile u32 *)&box[to].token = t;
	} else {
		store_release(&box[to].token, t);
	}
}

static u32 receive(u64 cpu, u32 last)
{
	for (;;) {
		u32 t = *(volatile u32 *)&box[cpu].token;
		if (t != last) {
			if (t & 1)
				smp_rmb();
			else
				t = load_acquire(&box[cpu].token);
			return t;
		}
		cpu_relax();
	}
}

int smp_main(u64 cpu, u64 ncpus)
{
	u32 last = 0;
	u64 hops = 0, bad = 0;
	u32 final = ROUNDS * (u32)ncpus;
	if (cpu == 0)
		send(1 % ncpus, 1);
	for (;;) {
		u32 t = receive(cpu, last);
		last = t;
		hops++;
		for (int k = 0; k < WORDS; k++)
			if (box[cpu].data[k] != payload(t, k))
				bad++;
		if (bad)
			__atomic_fetch_add(&errors, bad, __ATOMIC_RELAXED);
		bad = 0;
		if (t == final) {
			smp_say("token went round ", ROUNDS, " times\n");
			smp_say("payload errors ", errors, "\n");
			return errors ? 1 : 0;
		}
		send((cpu + 1) % ncpus, t + 1);
		if (t + ncpus > final)
			break;
	}
	smp_say("cpu ", cpu, " forwarded its last token\n");
	smp_idle();
}
