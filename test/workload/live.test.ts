import { describe, expect, it } from 'vitest';
import { LiveError, LiveMachine } from '../../bindings/workload/live.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(f: () => T, ok: (v: T) => boolean, ms = 20_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = f();
    if (ok(v)) return v;
    if (Date.now() - t0 > ms) throw new Error(`timed out; last ${JSON.stringify(v)}`);
    await sleep(20);
  }
}

describe('live machine', () => {
  it('patches one site while the CPUs run: NOP -> BL ftrace_caller -> NOP, with hits only while traced', async () => {
    const live = await LiveMachine.start({ cpus: 2 });
    try {
      const fn = 'pipe_write';
      let s = live.snapshot(fn);
      expect(s.state).toBe('disabled');
      expect(s.words.map((w) => w.text)).toEqual(['mov x9, x30', 'nop']);
      expect(s.words[0]!.offset).toBe(0);
      // the CPUs run and switch tasks
      await until(() => live.snapshot(fn).cpus, (c) => c.some((x) => x.pid > 0 && x.task.length > 0));
      live.setTraced(fn, true);
      s = live.snapshot(fn);
      expect(s.state).toBe('caller');
      expect(s.words[1]!.text).toMatch(/^bl .*ftrace_caller/);
      s = await until(() => live.snapshot(fn), (x) => x.hits > 0);
      live.setTraced(fn, false);
      const off = live.snapshot(fn);
      expect(off.words.map((w) => w.text)).toEqual(['mov x9, x30', 'nop']);
      expect(off.traced).toBe(false);
      // the CPUs keep retiring instructions
      const a = off.cpus.reduce((t, c) => t + c.insns, 0);
      const later = await until(() => live.snapshot(fn), (x) => x.cpus.reduce((t, c) => t + c.insns, 0) > a);
      expect(later.cpus.reduce((t, c) => t + c.insns, 0)).toBeGreaterThan(a);
      expect(() => live.snapshot('no_such_fn')).toThrow(LiveError);
    } finally {
      await live.stop();
    }
    expect(() => live.setTraced('pipe_write', true)).toThrow(/not running/);
  }, 60_000);

  it('refuses bad options with a typed error', async () => {
    await expect(LiveMachine.start({ cpus: 0 })).rejects.toThrow(LiveError);
    await expect(LiveMachine.start({ image: 'nope' })).rejects.toThrow(/image/);
  });
});
