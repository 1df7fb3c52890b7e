// Host calls served by the Machine's owner (onHostCall, onPhase): the CPU
// waits for the handler and gets its value in x0, in both modes and from
// several CPUs at once; deterministic mode replays the calls; a handler may
// patch text while the other CPUs run; a handler that fails ends the machine
// with HOSTCALL_FAILED; pause, terminate and another CPU's exit while a call
// waits end or stop cleanly; phase without a handler returns 0 silently;
// registration's ConfigError and BAD_STATE cases.

import { describe, expect, it } from 'vitest';
import * as L from '../../assembly/layout.ts';
import { ConfigError, Machine, MachineError, type HostCall, type MachineOptions, type Platform } from '../../bindings/index.ts';
import { assemble } from '../../bindings/isa/asm.ts';
import { nodePlatform } from '../../bindings/machine/platform-node.ts';
import { MachineWords } from '../../bindings/machine/words.ts';
import { DATA, kernelElf, sym } from '../util/machine.ts';

const MODES = ['threads', 'deterministic'] as const;
const U64 = 1n << 64n;
/** x21 = DATA */
const DATA_X21 = `movz x21, #${Number(DATA >> 16n)}, lsl #16`;
const EXIT = (code: number): string => `mov x0, #${code}\nmov x8, #93\nhvc #0`;

/** Blocks this thread for `ms` (a handler that takes its time; the CPU threads go on). */
function blockFor(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

async function machine(opts: MachineOptions, src: string, log: string[] = []): Promise<Machine> {
  const m = await Machine.create({ profile: 'kernel', log: (l) => log.push(l), ...opts });
  m.load(kernelElf(src));
  return m;
}

/** `exited`, or null after `ms` (the machine is then terminated). */
async function settled(m: Machine, ms = 15_000): Promise<{ ok: boolean; value: unknown } | null> {
  const r = await Promise.race([
    m.exited.then((value) => ({ ok: true, value }), (value: unknown) => ({ ok: false, value })),
    new Promise<null>((res) => setTimeout(() => res(null), ms)),
  ]);
  if (!r) await m.terminate();
  return r;
}

// Each CPU makes K calls of 0x200 with x0..x5 = cpu, i, cpu + 100, 3, 2^64 - 1, 5
// and stores x0 at DATA + 64 * cpu + 8 * i; then one call of 0x201 (no handler),
// x0 to DATA + 0x800 + 8 * cpu. CPU 0 exits once every CPU is done.
const K = 8;
const CALLER = `
  _start:
    mov x19, x0
    mov x22, x1
    ${DATA_X21}
    mov x20, #0
  loop:
    mov x0, x19
    mov x1, x20
    add x2, x19, #100
    mov x3, #3
    movn x4, #0
    mov x5, #5
    movz x8, #0x200
    hvc #0
    lsl x9, x19, #6
    add x9, x21, x9
    str x0, [x9, x20, lsl #3]
    add x20, x20, #1
    cmp x20, #${K}
    b.lt loop
    movz x8, #0x201
    hvc #0
    add x9, x21, #0x800
    str x0, [x9, x19, lsl #3]
    add x3, x21, #0xf00
    mov x1, #1
    ldaddal x1, x2, [x3]
    cbnz x19, park
  wait:
    ldar x1, [x3]
    cmp x1, x22
    b.lt wait
    ${EXIT(0)}
  park:
    wfe
    b park
`;

/** The handler's value for call i of `cpu`: negative numbers for even i, bigints for odd ones. */
const answer = (cpu: number, i: number): bigint | number => (i % 2 === 0 ? -(cpu * 1000 + i) - 1 : BigInt(cpu * 1000 + i));

describe.each(MODES)('onHostCall (%s)', (mode) => {
  it('calls from 4 CPUs get the handler\'s values in x0; the handler sees the calling CPU and x0..x5', async () => {
    const log: string[] = [];
    const m = await machine({ cpus: 4, mode, quantum: mode === 'deterministic' ? 100 : undefined }, CALLER, log);
    const calls: HostCall[] = [];
    m.onHostCall(0x200, (c) => {
      calls.push(c);
      return answer(c.cpu, Number(c.args[1]));
    });
    m.start();
    const r = await settled(m);
    expect(r?.ok).toBe(true);
    expect(calls).toHaveLength(4 * K);
    for (const c of calls) {
      expect(c.nr).toBe(0x200);
      expect(c.args).toEqual([BigInt(c.cpu), c.args[1], BigInt(c.cpu) + 100n, 3n, U64 - 1n, 5n]);
    }
    for (let cpu = 0; cpu < 4; cpu++) {
      expect(calls.filter((c) => c.cpu === cpu).map((c) => c.args[1])).toEqual([...Array(K).keys()].map(BigInt));
      for (let i = 0; i < K; i++) {
        expect(m.mem.u64(DATA + BigInt(64 * cpu + 8 * i)), `CPU ${cpu} call ${i}`).toBe(BigInt.asUintN(64, BigInt(answer(cpu, i))));
      }
      expect(m.mem.u64(DATA + 0x800n + BigInt(8 * cpu))).toBe(U64 - 38n); // 0x201 has no handler: -ENOSYS
    }
    expect(log.filter((l) => l.includes('unknown host call'))).toEqual([expect.stringContaining('unknown host call 513')]);
  });

  it('a handler that patches text (NOP -> B) while the other CPUs run: they see the new code', async () => {
    // CPUs 1..3 call g until it returns 2, counting at DATA + 0x100 + 8 * cpu;
    // CPU 0 waits until each has been through g, then calls 0x300, whose
    // handler rewrites g's NOP into a branch to the code returning 2.
    const m = await machine({ cpus: 4, mode, quantum: mode === 'deterministic' ? 200 : undefined }, `
      _start:
        mov x19, x0
        mov x22, x1
        ${DATA_X21}
        add x3, x21, #0xf00
        add x10, x21, #0x100
        cbnz x19, worker
        mov x9, #1
      ready:
        cmp x9, x22
        b.ge go
      seen:
        ldr x1, [x10, x9, lsl #3]
        cbz x1, seen
        add x9, x9, #1
        b ready
      go:
        movz x8, #0x300
        hvc #0
        str x0, [x21]
      wait:
        ldar x1, [x3]
        add x1, x1, #1
        cmp x1, x22
        b.lt wait
        ${EXIT(0)}
      worker:
        mov x20, #0
      wloop:
        bl g
        add x20, x20, #1
        str x20, [x10, x19, lsl #3]
        cmp x0, #2
        b.ne wloop
        mov x1, #1
        ldaddal x1, x2, [x3]
      park:
        wfe
        b park
      g:
        nop
        mov x0, #1
        ret
      alt:
        mov x0, #2
        ret
    `);
    const g = sym(m, 'g');
    const off = sym(m, 'alt') - g;
    const nop = new DataView(assemble('nop', 0n).bytes.buffer).getUint32(0, true);
    const b = new DataView(assemble(`b 0x${off.toString(16)}`, 0n).bytes.buffer).getUint32(0, true);
    let seen: { states: string[]; verdict: string; progress: bigint[] } | null = null;
    m.onHostCall(0x300, () => {
      const progress = [1, 2, 3].map((c) => m.mem.u64(DATA + 0x100n + BigInt(8 * c)));
      const states = m.activity().map((a) => a.state);
      const verdict = m.patchText(g, nop, b, { kick: true }).records[0]!.verdict;
      seen = { states, verdict, progress };
      return 77;
    });
    m.start();
    const r = await settled(m);
    expect(r?.ok).toBe(true);
    expect((r?.value as { exitCode: number }).exitCode).toBe(0);
    expect(seen!.verdict).toBe('allowed');
    expect(seen!.states).toEqual(['running', 'running', 'running', 'running']);
    expect(seen!.progress.every((p) => p > 0n)).toBe(true);
    expect(m.mem.u64(DATA)).toBe(77n);
    expect(m.mem.u32(g)).toBe(b);
  });

  it.each([
    ['throws', () => { throw new Error('boom'); }, 'boom'],
    ['returns 1.5', () => 1.5, 'returned 1.5'],
    ['returns 2^64', () => U64, `returned ${U64}n`],
    ['returns nothing', () => undefined as unknown as number, 'returned undefined'],
  ])('a handler that %s ends the machine: exited rejects with HOSTCALL_FAILED, the other CPUs stop', async (_what, handler, text) => {
    // CPU 1 makes the call; the others spin until stopped.
    const m = await machine({ cpus: 3, mode }, 'cmp x0, #1\nb.ne spin\nmovz x8, #0x400\nhvc #0\nspin:\nb spin');
    m.onHostCall(0x400, handler);
    m.start();
    const r = await settled(m);
    expect(r?.ok).toBe(false);
    const err = r!.value as MachineError;
    expect(err).toBeInstanceOf(MachineError);
    expect(err.code).toBe('HOSTCALL_FAILED');
    expect(err.cpu).toBe(1);
    expect(err.message).toContain('host call 1024 (0x400)');
    expect(err.message).toContain('CPU 1');
    expect(err.message).toContain(text);
    if (text === 'boom') expect((err.cause as Error).message).toBe('boom');
    expect(m.status).toBe('ended');
  });

  it('pause() asked inside a handler: the call completes first, then every CPU pauses; resume goes on', async () => {
    const m = await machine({ cpus: 2, mode }, `
        ${DATA_X21}
        cbz x0, spin
        movz x8, #0x200
        hvc #0
        str x0, [x21]
      flag:
        ldr x1, [x21, #8]
        cbz x1, flag
        ${EXIT(7)}
      spin:
        b spin
    `);
    let paused: Promise<void> | null = null;
    m.onHostCall(0x200, () => {
      paused = m.pause();
      return 42;
    });
    m.start();
    for (let i = 0; i < 1000 && !paused; i++) await new Promise((res) => setTimeout(res, 5));
    const ok = await Promise.race([paused!.then(() => true), new Promise<false>((res) => setTimeout(() => res(false), 10_000))]);
    expect(ok).toBe(true);
    expect(m.status).toBe('paused');
    expect(m.cpu(1).x(0)).toBe(42n);
    m.mem.setU64(DATA + 8n, 1n);
    m.resume();
    const r = await settled(m);
    expect((r?.value as { exitCode: number }).exitCode).toBe(7);
    expect(m.mem.u64(DATA)).toBe(42n);
  });

  it('terminate() asked inside a handler ends the machine', async () => {
    const m = await machine({ cpus: 2, mode }, 'cbz x0, spin\nmovz x8, #0x200\nhvc #0\nspin:\nb spin');
    m.onHostCall(0x200, () => {
      void m.terminate();
      return 0;
    });
    m.start();
    const r = await settled(m);
    expect(r?.ok).toBe(true);
    expect((r?.value as { end: string }).end).toBe('terminated');
  });

  it('phase(id, arg) without a handler returns 0 and warns nothing; onPhase gets id and arg', async () => {
    const src = `
      ${DATA_X21}
      mov x0, #3
      mov x1, #9
      movz x8, #0x102
      hvc #0
      str x0, [x21]
      mov x0, #4
      mov x1, #1
      movz x8, #0x102
      hvc #0
      str x0, [x21, #8]
      ${EXIT(0)}`;
    const log: string[] = [];
    const plain = await machine({ mode }, src, log);
    plain.start();
    await plain.exited;
    expect([plain.mem.u64(DATA), plain.mem.u64(DATA + 8n)]).toEqual([0n, 0n]);
    expect(log).toEqual([]);

    const m = await machine({ mode }, src, log);
    const phases: [number, bigint, bigint][] = [];
    m.onPhase((c) => {
      phases.push([c.nr, c.args[0], c.args[1]]);
      return c.args[0] * 10n + c.args[1];
    });
    m.start();
    await m.exited;
    expect(phases).toEqual([[0x102, 3n, 9n], [0x102, 4n, 1n]]);
    expect([m.mem.u64(DATA), m.mem.u64(DATA + 8n)]).toEqual([39n, 41n]);
    expect(log).toEqual([]);
  });

  it('the largest number, 2^32 - 1, is served; x8 with bits above 32 is not that call', async () => {
    const log: string[] = [];
    const m = await machine({ mode }, `
      ${DATA_X21}
      movz x8, #0xffff
      movk x8, #0xffff, lsl #16
      hvc #0
      str x0, [x21]
      movk x8, #1, lsl #32
      hvc #0
      str x0, [x21, #8]
      ${EXIT(0)}`, log);
    m.onHostCall(0xffff_ffff, () => -2);
    m.start();
    await m.exited;
    expect([m.mem.u64(DATA), m.mem.u64(DATA + 8n)]).toEqual([U64 - 2n, U64 - 38n]);
    expect(log).toHaveLength(1);
  });
});

describe('onHostCall in deterministic mode', () => {
  async function record(seed: number) {
    const m = await machine({ cpus: 4, mode: 'deterministic', seed, quantum: 50 }, CALLER);
    const seen: string[] = [];
    m.onHostCall(0x200, (c) => {
      seen.push(`${c.cpu}:${c.args[1]}@${m.counters().map((x) => x.insns).join(',')}`);
      return answer(c.cpu, Number(c.args[1]));
    });
    m.start();
    const r = await m.exited;
    expect(r.exitCode).toBe(0);
    return seen;
  }

  it('the same seed calls the handler at the same instruction counts of every CPU; another seed at others', async () => {
    const a = await record(11);
    expect(a).toHaveLength(4 * K);
    expect(await record(11)).toEqual(a);
    expect(await record(12)).not.toEqual(a);
  });

  it('stepCpu over a failing call throws HOSTCALL_FAILED and ends the machine', async () => {
    const m = await machine({ mode: 'deterministic' }, 'movz x8, #0x200\nhvc #0\nb 0');
    m.onHostCall(0x200, () => { throw new Error('no'); });
    expect(() => m.stepCpu(0, 5)).toThrow(expect.objectContaining({ code: 'HOSTCALL_FAILED' }));
    await expect(m.exited).rejects.toMatchObject({ code: 'HOSTCALL_FAILED', cpu: 0 });
    expect(m.status).toBe('ended');
  });
});

/** Node's platform; `drop` decides which messages from the CPU threads never arrive; records terminate() calls. */
function filteringPlatform(drop: (m: { t: string; nr?: number }) => boolean): { platform: Platform; terminated: number[] } {
  const terminated: number[] = [];
  return {
    terminated,
    platform: {
      ...nodePlatform,
      spawn(url, opts) {
        const h = nodePlatform.spawn(url, opts);
        const cpu = (opts.workerData as { cpu: number }).cpu;
        return {
          post: (msg, t) => h.post(msg, t),
          onMessage: (fn) => h.onMessage((msg) => { if (!drop(msg as { t: string })) fn(msg); }),
          onError: (fn) => h.onError(fn),
          onExit: (fn) => h.onExit(fn),
          terminate: () => {
            terminated.push(cpu);
            return h.terminate();
          },
        };
      },
    },
  };
}

describe('threads mode: a call pending when another CPU exits', () => {
  // CPU 1 sets DATA + 8 and calls 0x500, x0 to DATA + 0x20; CPU 2 waits for
  // DATA + 0x10 (set by the handler of 0x500), sets DATA + 0x18 and calls
  // 0x501, x0 to DATA + 0x28; CPU 0 waits for DATA + 0x18 (or DATA + 8 with
  // `early`) and exits with 5.
  const src = (flag: number): string => `
      mov x19, x0
      ${DATA_X21}
      mov x1, #1
      cmp x19, #1
      b.eq one
      cmp x19, #2
      b.eq two
    zero:
      ldr x2, [x21, #${flag}]
      cbz x2, zero
      ${EXIT(5)}
    one:
      str x1, [x21, #8]
      movz x8, #0x500
      hvc #0
      str x0, [x21, #0x20]
      b spin
    two:
      ldr x2, [x21, #0x10]
      cbz x2, two
      str x1, [x21, #0x18]
      movz x8, #0x501
      hvc #0
      str x0, [x21, #0x28]
    spin:
      b spin`;

  it('a call the main thread has not served yet: the waiting CPU thread notices the halt and finishes by itself', async () => {
    const { platform, terminated } = filteringPlatform((msg) => msg.t === 'call');
    const m = await machine({ cpus: 3, mode: 'threads', platform, log: () => {} }, src(8));
    let called = 0;
    m.onHostCall(0x500, () => ++called);
    m.onHostCall(0x501, () => ++called);
    const t0 = performance.now();
    m.start();
    const r = await settled(m);
    expect(r?.ok).toBe(true);
    expect((r?.value as { exitCode: number }).exitCode).toBe(5);
    expect(performance.now() - t0).toBeLessThan(1500); // halted threads are terminated after 2 s
    expect(terminated).toEqual([]);
    expect(called).toBe(0);
    expect(m.mem.u64(DATA + 0x20n)).toBe(0n);
  });

  it('terminate() while a call waits unanswered: the waiting CPU thread finishes by itself', async () => {
    const { platform } = filteringPlatform((msg) => msg.t === 'call');
    const m = await machine({ cpus: 2, mode: 'threads', platform, log: () => {} }, `
        ${DATA_X21}
        cbz x0, spin
        mov x1, #1
        str x1, [x21, #8]
        movz x8, #0x500
        hvc #0
        str x0, [x21, #0x20]
      spin:
        b spin`);
    m.onHostCall(0x500, () => 1);
    m.start();
    for (let i = 0; i < 1000 && m.mem.u64(DATA + 8n) === 0n; i++) await new Promise((res) => setTimeout(res, 5));
    await new Promise((res) => setTimeout(res, 50));
    const t0 = performance.now();
    await m.terminate();
    const r = await settled(m);
    expect((r?.value as { end: string }).end).toBe('terminated');
    expect(performance.now() - t0).toBeLessThan(1500); // not the 2 s after which halted threads are terminated
    expect(m.mem.u64(DATA + 0x20n)).toBe(0n);
  });

  it('a handler still running when the machine halts, a call queued behind it: both CPUs finish, the queued call is not served', async () => {
    const { platform, terminated } = filteringPlatform(() => false);
    const m = await machine({ cpus: 3, mode: 'threads', platform, log: () => {} }, src(0x18));
    const words = new MachineWords(m.memory);
    let second = 0;
    m.onHostCall(0x500, () => {
      m.mem.setU64(DATA + 0x10n, 1n); // CPU 2 makes its call, then CPU 0 exits, while this thread is still here
      const t = performance.now();
      while (words.exitKind === L.EK_NONE && performance.now() - t < 5000) blockFor(1);
      blockFor(50);
      return 1;
    });
    m.onHostCall(0x501, () => ++second);
    m.start();
    const r = await settled(m);
    expect(r?.ok).toBe(true);
    expect((r?.value as { exitCode: number }).exitCode).toBe(5);
    expect(second).toBe(0);
    expect(terminated).toEqual([]);
    expect(m.mem.u64(DATA + 0x28n)).toBe(0n);
  });
});

describe('registering handlers', () => {
  const noop = (): number => 0;

  it.each([64, 93, 113, 0x100, 0x101, 0x102, 1.5, -1, 2 ** 32, NaN, '5' as unknown as number])(
    'onHostCall(%s) is a ConfigError',
    async (nr) => {
      const m = await machine({}, 'b 0');
      expect(() => m.onHostCall(nr, noop)).toThrow(ConfigError);
    },
  );

  it('a second handler for a number, a second phase handler, a handler that is not a function: ConfigError', async () => {
    const m = await Machine.create({ log: () => {} }); // before load() too
    m.onHostCall(0x200, noop);
    expect(() => m.onHostCall(0x200, noop)).toThrow(ConfigError);
    m.onPhase(noop);
    expect(() => m.onPhase(noop)).toThrow(ConfigError);
    expect(() => m.onHostCall(0x201, 5 as never)).toThrow(ConfigError);
    expect(() => m.onHostCall(0x102, noop)).toThrow(/onPhase/);
  });

  it('the user profile makes no host calls: ConfigError', async () => {
    const m = await Machine.create({ profile: 'user', log: () => {} });
    expect(() => m.onHostCall(0x200, noop)).toThrow(ConfigError);
    expect(() => m.onPhase(noop)).toThrow(ConfigError);
  });

  it.each(MODES)('%s: after start() or the end, BAD_STATE', async (mode) => {
    const m = await machine({ mode }, 'b 0');
    m.start();
    for (const f of [() => m.onHostCall(0x200, noop), () => m.onPhase(noop)]) {
      expect(f).toThrow(MachineError);
      expect(f).toThrow(expect.objectContaining({ code: 'BAD_STATE' }));
    }
    await m.terminate();
    expect(() => m.onHostCall(0x200, noop)).toThrow(expect.objectContaining({ code: 'BAD_STATE' }));
  });
});
