// The short soak: a few threads-mode boots of the guest kernel with random
// sizes on 1..4 CPUs, one traced, each under a watchdog; every one must end
// with all its messages and nothing else. `npm run soak` is the long one.

import { expect, it } from 'vitest';
import { soak } from '../../bindings/workload/soak.ts';

it('8 random boots: no hang, no oops, no lost message, no host exception', async () => {
  const r = await soak({ boots: 8, maxCpus: 4, seed: 3, traceEvery: 4, watchdogMs: 60_000 });
  const bad = r.boots.filter((b) => b.verdict !== 'ok');
  expect(bad, JSON.stringify(bad)).toEqual([]);
  expect(r.counts).toEqual({ ok: 8, hang: 0, oops: 0, 'lost-messages': 0, 'host-exception': 0 });
  expect(r.messages).toBe(r.expected);
  expect(r.boots.filter((b) => b.traced)).toHaveLength(2);
  expect(new Set(r.boots.map((b) => b.cpus)).size).toBeGreaterThan(1);
}, 300_000);

it('a boot the watchdog gives up on is counted as a hang, not waited for', async () => {
  const r = await soak({ boots: 1, maxCpus: 2, seed: 5, traceEvery: 0, watchdogMs: 1 });
  expect(r.counts.hang).toBe(1);
  expect(r.boots[0]!.detail).toMatch(/^no end after 1 ms; CPUs at /);
}, 60_000);
