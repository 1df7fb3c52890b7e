// The Machine API's contract: typed errors for bad options, images and
// states (changing nothing), the kernel boot protocol, bounds-checked guest
// memory, and the user profile on the Machine.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ConfigError, ElfError, GuestAccessError, LoadError, Machine, MachineError, type MachineOptions,
} from '../../bindings/index.ts';
import { assemble } from '../../bindings/isa/asm.ts';
import * as L from '../../assembly/layout.ts';
import { DATA, kernelElf, RAM, smpElf } from '../util/machine.ts';
import { codeElf } from '../util/elf.ts';

const quiet = { log: () => {} };

describe('options', () => {
  const bad: [string, MachineOptions][] = [
    ['0 CPUs', { cpus: 0 }],
    ['65 CPUs', { cpus: 65 }],
    ['1.5 CPUs', { cpus: 1.5 }],
    ['RAM not a multiple of 64 KiB', { ramSize: 100_000 }],
    ['RAM of 0', { ramSize: 0 }],
    ['RAM above 2 GiB', { ramSize: 3 * 2 ** 30 }],
    ['unknown mode', { mode: 'lockstep' as never }],
    ['unknown profile', { profile: 'hypervisor' as never }],
    ['unknown icache model', { icache: 'magic' as never }],
    ['negative seed', { seed: -1 }],
    ['zero quantum', { quantum: 0 }],
    ['user profile on 2 CPUs', { profile: 'user', cpus: 2 }],
  ];
  it.each(bad)('%s is a ConfigError', async (_name, opts) => {
    await expect(Machine.create({ ...quiet, ...opts })).rejects.toBeInstanceOf(ConfigError);
  });

  it('64 CPUs and the defaults are accepted', async () => {
    const m = await Machine.create({ cpus: 64, ramSize: 1 << 20, ...quiet });
    expect(m.ncpus).toBe(64);
    const d = await Machine.create(quiet);
    expect([d.ncpus, d.profile, d.mode, d.mem.base, d.mem.size]).toEqual([1, 'kernel', 'threads', RAM, 256 << 20]);
  });
});

describe('the largest RAM', () => {
  it('2 GiB: the page map sits below RAM, the last word is usable by the host and the guest', async () => {
    const m = await Machine.create({ ...quiet, ramSize: 2 ** 31, mode: 'deterministic' });
    expect(m.mem.size).toBe(2 ** 31);
    const dv = new DataView(m.memory.buffer);
    const map = dv.getUint32(L.MACHINE_BASE + L.M_CODEMAP, true);
    const ramOffset = dv.getUint32(L.MACHINE_BASE + L.M_RAM_OFFSET, true);
    expect(map + 2 ** 31 / 4096).toBeLessThanOrEqual(ramOffset); // one page-map byte per 4 KiB page, below RAM
    const last = RAM + BigInt(2 ** 31) - 8n;
    m.load(kernelElf(`
      movz x1, #0x${(last & 0xffffn).toString(16)}
      movk x1, #0x${(last >> 16n).toString(16)}, lsl #16
      ldr x2, [x1]
      add x2, x2, #1
      str x2, [x1]
      mov x0, #0
      mov x8, #93
      hvc #0`));
    m.mem.setU64(last, 41n);
    m.start();
    const r = await m.exited;
    expect(r.exitCode).toBe(0);
    expect(m.mem.u64(last)).toBe(42n);
  });

  it('2 GiB: text in the last page (Wasm offsets past 2^31) can be patched', async () => {
    const m = await Machine.create({ ...quiet, ramSize: 2 ** 31, mode: 'deterministic' });
    const top = RAM + BigInt(2 ** 31) - 0x1000n;
    const word = (src: string) => new DataView(assemble(src, 0n).bytes.buffer).getUint32(0, true);
    m.load(codeElf(assemble('nop\nmov x8, #93\nhvc #0', top).bytes, top));
    expect(m.mem.ramOffset + Number(top - m.mem.base)).toBeGreaterThan(2 ** 31);
    expect(m.patchText(top, word('nop'), word('mov x0, #7')).written).toBe(1);
    expect(() => m.patchText(top, word('nop'), word('mov x0, #8'))).toThrow(/memory holds/);
    m.start();
    expect((await m.exited).exitCode).toBe(7);
    expect(m.mem.u32(top)).toBe(word('mov x0, #7'));
  });
});

describe('kernel images', () => {
  it('a segment below RAM is a LoadError and RAM stays untouched', async () => {
    const a = assemble('mov x0, #1\nb 0', 0x1000n);
    const elf = codeElf(a.bytes, 0x1000n);
    const m = await Machine.create({ ...quiet, ramSize: 1 << 20 });
    expect(() => m.load(elf)).toThrow(LoadError);
    expect(m.status).toBe('created');
    expect(m.mem.read(RAM, 64).every((b) => b === 0)).toBe(true);
    m.load(kernelElf('b 0')); // the machine is still usable
    expect(m.status).toBe('loaded');
  });

  it('a segment past the end of RAM is a LoadError and nothing is written', async () => {
    const m = await Machine.create({ ...quiet, ramSize: 64 << 10 }); // DATA (RAM + 64 KiB) is just outside
    const err = (() => {
      try {
        m.load(kernelElf('mov x0, #7\nb 0'));
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(LoadError);
    expect((err as LoadError).address).toBe(DATA);
    expect(m.mem.u32(RAM)).toBe(0);
  });

  it('bytes that are not an ELF give an ElfError', async () => {
    const m = await Machine.create(quiet);
    expect(() => m.load(new Uint8Array(100))).toThrow(ElfError);
  });

  it('boots every CPU at e_entry at EL1 with x0 = index, x1 = count, SP = 0', async () => {
    const m = await Machine.create({ ...quiet, cpus: 3, mode: 'deterministic' });
    m.load(kernelElf('mrs x5, CurrentEL\nb 0'));
    for (let i = 0; i < 3; i++) {
      const c = m.cpu(i);
      expect([c.pc, c.x(0), c.x(1), c.sp, c.el]).toEqual([RAM, BigInt(i), 3n, 0n, 1]);
      m.stepCpu(i, 1);
      expect(m.cpu(i).x(5)).toBe(4n); // CurrentEL.EL = 1
    }
  });
});

describe('faults in the kernel profile', () => {
  it.each(['threads', 'deterministic'] as const)('%s: an undefined instruction is an oops and 128 + SIGILL', async (mode) => {
    const log: string[] = [];
    const m = await Machine.create({ cpus: 2, mode, log: (l) => log.push(l) });
    m.load(kernelElf('cbz x0, spin\n.inst 0x00000000\nspin:\nb spin')); // udf #0
    m.start();
    const r = await m.exited;
    expect(r.end).toBe('fault');
    expect(r.exitCode).toBe(132);
    expect(r.fault?.kind).toBe('undefined-instruction');
    expect(r.fault?.cpu).toBe(1);
    expect(log.join('\n')).toContain('[CPU 1]');
  });

  it.each(['threads', 'deterministic'] as const)(
    '%s: a VBAR_EL1 outside RAM ends the machine with an oops at the vector instead of looping',
    async (mode) => {
      const m = await Machine.create({ ...quiet, cpus: 2, mode });
      m.load(kernelElf('cbnz x0, spin\nmov x1, #0x1000\nmsr vbar_el1, x1\nisb\nsvc #0\nspin:\nb spin'));
      m.start();
      const r = await Promise.race([m.exited, new Promise<null>((res) => setTimeout(() => res(null), 10_000))]);
      if (!r) await m.terminate();
      expect(r?.end).toBe('fault');
      expect(r?.exitCode).toBe(139);
      expect(r?.fault?.kind).toBe('instruction-abort');
      expect(r?.fault?.pc).toBe(0x1200n);
      expect(r?.fault?.report).toContain('The exception cannot be taken: it recurs at its own vector');
      expect(r?.fault?.report).toContain(`ELR_EL1 0x${(RAM + 20n).toString(16)}`);
    },
  );

  it('HLT (halting debug off) is reported as an undefined instruction', async () => {
    const m = await Machine.create({ ...quiet, mode: 'deterministic' });
    m.load(kernelElf('nop\nhlt #0'));
    m.start();
    const r = await m.exited;
    expect(r.exitCode).toBe(132);
    expect(r.fault?.report).toContain('[CPU 0]');
    expect(r.fault?.pc).toBe(RAM + 4n);
  });
});

describe('icache option', () => {
  const flags = (m: Machine): number => new DataView(m.memory.buffer).getUint32(L.MACHINE_BASE + L.M_FLAGS, true);
  it('maps to the machine block flag', async () => {
    expect(flags(await Machine.create({ ...quiet, icache: 'coherent' })) & L.MF_COHERENT_ICACHE).toBe(L.MF_COHERENT_ICACHE);
    expect(flags(await Machine.create({ ...quiet, icache: 'architectural' })) & L.MF_COHERENT_ICACHE).toBe(0);
    expect(flags(await Machine.create(quiet)) & L.MF_COHERENT_ICACHE).toBe(0);
  });

  it('coherent: a word patched by the host is executed at the next fetch', async () => {
    const m = await Machine.create({ ...quiet, icache: 'coherent', mode: 'deterministic' });
    m.load(kernelElf('loop:\nmov x2, #1\nb loop'));
    m.stepCpu(0, 4);
    expect(m.cpu(0).x(2)).toBe(1n);
    m.mem.setU32(RAM, assemble('mov x2, #2', RAM).bytes.reduce((w, b, i) => w | (b << (8 * i)), 0) >>> 0);
    m.stepCpu(0, 2);
    expect(m.cpu(0).x(2)).toBe(2n);
  });
});

describe('states and guest memory', () => {
  it('calls out of order are typed BAD_STATE errors', async () => {
    const m = await Machine.create({ ...quiet, cpus: 2 });
    const code = (f: () => unknown): string | undefined => {
      try {
        f();
      } catch (e) {
        return e instanceof MachineError ? e.code : `other: ${String(e)}`;
      }
    };
    expect(code(() => m.start())).toBe('BAD_STATE');
    expect(code(() => m.resume())).toBe('BAD_STATE');
    await expect(m.pause()).rejects.toBeInstanceOf(MachineError);
    m.load(smpElf('spin'));
    expect(code(() => m.load(smpElf('spin')))).toBe('BAD_STATE');
    expect(() => m.cpu(2)).toThrow(ConfigError);
    expect(() => m.stepCpu(0, -1)).toThrow(ConfigError);
    m.start();
    expect(code(() => m.start())).toBe('BAD_STATE');
    expect(code(() => m.cpu(0))).toBe('BAD_STATE');
    expect(code(() => m.stepCpu(0, 1))).toBe('BAD_STATE');
    await m.terminate();
    const r = await m.exited;
    expect(r.end).toBe('terminated');
    expect(r.exitCode).toBeNull();
  });

  it('guest memory accesses outside RAM are GuestAccessErrors', async () => {
    const m = await Machine.create({ ...quiet, ramSize: 1 << 20 });
    expect(() => m.mem.u32(RAM - 4n)).toThrow(GuestAccessError);
    expect(() => m.mem.u64(RAM + (1n << 20n) - 4n)).toThrow(GuestAccessError);
    expect(() => m.mem.write(RAM + (1n << 20n) - 2n, new Uint8Array(4))).toThrow(GuestAccessError);
    expect(m.mem.u32(RAM + (1n << 20n) - 4n)).toBe(0);
    m.mem.setU64(RAM + 8n, 0x1122334455667788n);
    expect(m.mem.u32(RAM + 12n)).toBe(0x11223344);
  });
});

describe('user profile on the Machine', () => {
  const manifest = JSON.parse(readFileSync('guest/build/manifest.json', 'utf8')) as {
    programs: { name: string; elf: string; expected: { stdout: string; status: number } }[];
  };
  const p = manifest.programs.find((q) => q.name === 'hash-O2-v81')!;
  it.each(['threads', 'deterministic'] as const)('%s mode runs a Linux-style ELF like qemu-aarch64 did', async (mode) => {
    const m = await Machine.create({ ...quiet, profile: 'user', mode });
    m.load(new Uint8Array(readFileSync(p.elf)), { args: [p.elf] });
    m.start();
    const r = await m.exited;
    expect(r.stdout).toBe(readFileSync(p.expected.stdout, 'utf8'));
    expect(r.exitCode).toBe(p.expected.status);
  });
});
