// The two kernel images: their patchable function entries, notrace code,
// the parameter block, data pages apart from code, and that a rebuild from
// source gives the committed bytes.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseElf } from '../../bindings/elf/index.ts';
import { HB_FIELDS, kernelImage } from '../util/kernel.ts';

const NOP = 0xd503201f;
/** Assembly (no patchable entry by construction). */
const ASM = ['_start', 'cpu_switch_to', 'ret_from_fork'];
/** C functions marked notrace: entry, per-CPU set-up, exception handlers, switch tail, memory primitives, ftrace itself. */
const NOTRACE = [
  'start_kernel', 'sched_init_cpu', 'handle_irq', 'bad_exception', 'schedule_tail', 'memcpy', 'memset',
  'ftrace_ops_list_func', 'function_trace_call', 'fgraph_entry_call', 'ftrace_return_to_handler',
  'ftrace_redirect_call', 'ftrace_recursing_call', 'rb_write',
  'ftrace_modify_code', 'patch_queue_run.isra.0', 'patcher_main', 'patcher_init', 'patcher_boot', 'patcher_boot_pending',
  'patcher_poll', 'patcher_sync', 'ftrace_stub', 'rcu_tasks_qs',
];
/** Functions every hackbench message goes through. */
const HOT = [
  'ksys_write', 'ksys_read', 'fdget', 'vfs_write', 'vfs_read', 'pipe_write', 'pipe_read', 'pipe_lock',
  'copy_page_from_iter', 'copy_page_to_iter', 'copy_from_user', 'copy_to_user', 'wake_up', 'try_to_wake_up',
  'schedule', 'spin_lock', 'spin_unlock', 'prepare_to_wait', 'finish_wait',
];

function load(which: 'pfe2' | 'pfe42') {
  const bytes = kernelImage(which);
  const img = parseElf(bytes);
  const text = img.segments.find((s) => s.flags.x)!;
  const word = (a: bigint): number => {
    const o = Number(a - text.vaddr) + text.offset;
    return new DataView(bytes.buffer, bytes.byteOffset).getUint32(o, true);
  };
  const funcs = img.symbols.filter((s) => s.type === 'FUNC' && s.sectionIndex !== 0);
  return { img, word, funcs, text };
}

describe.each([
  ['pfe2', 0n],
  ['pfe42', 8n],
] as const)('kernel-%s.elf', (which, before) => {
  const { img, word, funcs } = load(which);
  const sites = new Set(img.patchableEntries);

  it('records one site per traced function: every C function but the notrace ones', () => {
    const traced = funcs.filter((f) => !ASM.includes(f.name) && !NOTRACE.includes(f.name));
    expect(img.patchableEntries.length).toBe(traced.length);
    expect(sites.size).toBe(img.patchableEntries.length);
    for (const f of traced) expect(sites.has(f.value - before), f.name).toBe(true);
    for (const name of [...ASM, ...NOTRACE]) {
      const f = funcs.find((s) => s.name === name);
      expect(f, name).toBeDefined();
      expect(sites.has(f!.value - before), name).toBe(false);
    }
    for (const name of HOT) expect(funcs.some((f) => f.name === name && sites.has(f.value - before)), name).toBe(true);
    expect(img.patchableEntries.length).toBeGreaterThan(50);
  });

  it(`every site holds ${before ? 'four NOPs (two before the entry, two at it)' : 'NOP;NOP at the entry'}`, () => {
    const n = before ? 4 : 2;
    for (const s of img.patchableEntries) {
      for (let k = 0; k < n; k++) expect(word(s + BigInt(4 * k))).toBe(NOP);
    }
    // notrace code starts with a real instruction
    for (const name of NOTRACE) expect(word(img.symbolAddress(name)!)).not.toBe(NOP);
  });

  it('keeps data on pages of its own and exports the parameter block', () => {
    const data = img.segments.filter((s) => s.flags.w);
    const code = img.segments.filter((s) => s.flags.x);
    for (const d of data) {
      expect(d.vaddr % 4096n).toBe(0n);
      for (const c of code) expect(d.vaddr >= ((c.vaddr + c.memSize + 4095n) & ~4095n)).toBe(true);
    }
    const p = img.symbols.find((s) => s.name === 'hb_params')!;
    expect(p.type).toBe('OBJECT');
    expect(p.size).toBe(64n); // 16 u32 fields: guest/kernel/README.md
    expect(HB_FIELDS.length).toBe(15);
    expect(data.some((d) => p.value >= d.vaddr && p.value + p.size <= d.vaddr + d.fileSize)).toBe(true);
  });
});

it('both images have the same sites, shifted by the two NOPs before each entry', () => {
  const a = load('pfe2');
  const b = load('pfe42');
  expect(b.img.patchableEntries.length).toBe(a.img.patchableEntries.length);
  const names = (x: ReturnType<typeof load>, before: bigint) =>
    x.img.patchableEntries.map((s) => x.img.symbolize(s + before)!.name).sort();
  expect(names(b, 8n)).toEqual(names(a, 0n));
});

const CC = process.env.GUEST_CC || 'aarch64-linux-gnu-gcc';
const haveCc = spawnSync(CC, ['--version']).status === 0;
if (!haveCc) console.log(`kernel rebuild test skipped: ${CC} not found`);

it.skipIf(!haveCc)('rebuilding from guest/kernel/ gives the committed bytes (reproducible build)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kernel-rebuild-'));
  try {
    const r = spawnSync(process.execPath, ['scripts/build-guest.mjs', '--kernel-into', dir], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    for (const which of ['pfe2', 'pfe42']) {
      const fresh = readFileSync(join(dir, `kernel-${which}.elf`));
      expect(Buffer.compare(fresh, Buffer.from(kernelImage(which as 'pfe2')))).toBe(0);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
