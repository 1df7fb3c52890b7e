// Differential test: every guest program of guest/build/manifest.json runs
// under qemu-aarch64 and under patchlab with the same argv and envp; stdout
// and the exit code must be identical. Without qemu the reference is the
// output recorded when the programs were built (guest/build/expected/).
// Each program runs three ways: interpreter only, with block translation at
// the default threshold, and with every block head translated at first sight
// (so the translator sees all the code, cold paths included).

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runUserProgram } from '../bindings/user/run.ts';
import { runQemu, skipReason } from './util/qemu.ts';

interface Program {
  name: string;
  kind: string;
  test: string;
  elf: string;
  args: string[];
  env: Record<string, string>;
  expected: { status: number; stdout: string };
}

const manifest = JSON.parse(readFileSync('guest/build/manifest.json', 'utf8')) as { programs: Program[] };
const qemuSkip = skipReason();
if (qemuSkip) console.warn(`guest-diff: comparing with recorded qemu output only: ${qemuSkip}`);

// DCZID_EL0 is implementation defined: qemu's "max" CPU reports 512-byte DC
// ZVA blocks, patchlab a Cortex-A57's 64 bytes. mem.S prints it on its own
// line and everything else relative to it.
const normalise = (s: string): string => s.replace(/^dczid.*$/m, 'dczid <implementation defined>');

const MODES: [string, number | undefined][] = [['interpreter', 0], ['default', undefined], ['translate-all', 1]];

function runPatchlab(p: Program, args: string[], jitThreshold: number | undefined): { stdout: string; status: number | null; report?: string; jitErrors: number } {
  let stdout = '';
  const decoder = new TextDecoder();
  const r = runUserProgram(new Uint8Array(readFileSync(p.elf)), {
    args: [p.elf, ...args],
    env: Object.entries(p.env).map(([k, v]) => `${k}=${v}`),
    maxInsns: 2_000_000_000n,
    jitThreshold,
    io: {
      write: (fd, d) => {
        if (fd === 1) stdout += decoder.decode(d, { stream: true });
        return d.length;
      },
      warn: () => {},
    },
  });
  return { stdout, status: r.exitCode, report: r.fault?.report, jitErrors: r.jit.errors };
}

describe('guest programs: patchlab against qemu-aarch64', () => {
  // Kernel-profile programs (smp-*, kernel-*) boot on the Machine; test/machine/ and test/kernel/ run them.
  for (const p of manifest.programs.filter((q) => q.kind !== 'smp' && q.kind !== 'kernel')) {
    // With qemu the benchmark runs a short iteration count; the recorded
    // output (the reference without qemu) is for its default arguments.
    const args = p.kind === 'bench' && !qemuSkip ? ['20000'] : p.args;
    let want: { stdout: string; status: number | null } | undefined;
    const reference = (): { stdout: string; status: number | null } => {
      if (want) return want;
      if (qemuSkip) {
        want = { stdout: readFileSync(p.expected.stdout, 'utf8'), status: p.expected.status };
      } else {
        const q = runQemu(p.elf, args, { env: p.env });
        want = { stdout: q.stdout.toString(), status: q.status };
      }
      return want;
    };
    for (const [mode, threshold] of MODES) {
      it(`${p.name} (${mode})`, () => {
        const ours = runPatchlab(p, args, threshold);
        const w = reference();
        expect(ours.report).toBeUndefined();
        expect(ours.jitErrors).toBe(0);
        expect(normalise(ours.stdout)).toBe(normalise(w.stdout));
        expect(ours.status).toBe(w.status);
      });
    }
  }

  it('covers -O0/-O2/-Os for armv8-a and armv8.1-a and the assembly programs', () => {
    const names = new Set(manifest.programs.map((p) => p.name));
    for (const opt of ['O0', 'O2', 'Os']) for (const v of ['v80', 'v81']) expect(names.has(`atomics-${opt}-${v}`)).toBe(true);
    expect(names.has('lse')).toBe(true);
    expect(manifest.programs.length).toBeGreaterThanOrEqual(90);
  });
});
