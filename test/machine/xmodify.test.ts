// Cross-modifying code between two CPUs, in the kernel profile.
//
// CPU 1 keeps calling f (mov x0, #1; ret) until CPU 0 raises a flag, then
// calls f once more and publishes what it returned. CPU 0 first waits until
// CPU 1 has called f a few hundred times (so f sits in CPU 1's I-cache:
// decoded or translated), then rewrites f to mov x0, #2 with the
// architecture's sequence (DC CVAU; DSB ISH; IC IVAU; DSB ISH) and raises the
// flag. The machine's exit code is CPU 1's last result.
//
//   reader after the flag   architectural model            coherent model
//   no ISB                  may run the old f: returns 1   returns 2
//   ISB                     must run the new f: returns 2  returns 2

import { describe, expect, it } from 'vitest';
import { kernelElf, runKernel } from '../util/machine.ts';

const DATA = 0x4001_0000;

/** `inval`: the writer's instruction-cache maintenance; `readerSeq`: what the reader runs after the flag. */
function image(readerIsb: boolean, inval = 'ic ivau, x2', readerSeq?: string): Uint8Array {
  return kernelElf(`
    _start:
      movz x19, #${DATA >> 16}, lsl #16      // x19 -> data page: +0 calls, +8 flag, +16 result, +24 done
      cbnz x0, reader
    writer:
      ldr x1, [x19]
      cmp x1, #300
      b.lo writer                            // wait until the reader has run f 300 times
      adr x2, f
      ldr w3, newword
      str w3, [x2]                           // the new instruction
      dc cvau, x2                            // clean the data cache line to the point of unification
      dsb ish
      ${inval}                               // invalidate the instruction cache
      dsb ish
      mov x1, #1
      str x1, [x19, #8]                      // raise the flag
    wait_done:
      ldr x1, [x19, #24]
      cbz x1, wait_done
      ldr x0, [x19, #16]
      mov x8, #93
      hvc #0                                 // exit(result)
    reader:
      bl f
      ldr x1, [x19]
      add x1, x1, #1
      str x1, [x19]
      ldr x1, [x19, #8]
      cbz x1, reader                         // until the flag
      ${readerSeq ?? (readerIsb ? 'isb                                    // context synchronization' : 'nop')}
      bl f
      str x0, [x19, #16]
      mov x1, #1
      str x1, [x19, #24]
    park:
      wfe
      b park
    newword:
      .word 0xd2800040                       // mov x0, #2
    f:
      mov x0, #1
      ret
  `);
}

describe('cross-modifying code between CPUs', () => {
  for (const jitThreshold of [0, 1, 64]) {
    it(`architectural, no ISB on the reader: the old instruction may still run (deterministic, translation threshold ${jitThreshold})`, async () => {
      const { result } = await runKernel(image(false), { cpus: 2, mode: 'deterministic', seed: 3, quantum: 200, jitThreshold, icache: 'architectural' });
      expect(result.exitCode).toBe(1);
      expect(result.perCpu[1]!.stale).toBeGreaterThan(0n);
    });
    for (const mode of ['deterministic', 'threads'] as const) {
      it(`architectural, ISB on the reader: the new instruction runs (${mode}, threshold ${jitThreshold})`, async () => {
        const { result } = await runKernel(image(true), { cpus: 2, mode, seed: 3, quantum: 200, jitThreshold, icache: 'architectural' });
        expect(result.exitCode).toBe(2);
      });
      it(`coherent, no ISB: the new instruction runs (${mode}, threshold ${jitThreshold})`, async () => {
        const { result } = await runKernel(image(false), { cpus: 2, mode, seed: 3, quantum: 200, jitThreshold, icache: 'coherent' });
        expect(result.exitCode).toBe(2);
        expect(result.perCpu[1]!.stale).toBe(0n);
      });
    }
  }

  // IC IALLU invalidates only the CPU that runs it (IALLUIS is the broadcast one).
  it('architectural: the writer\'s IC IALLU leaves the reader\'s cache alone, ISB or not (deterministic)', async () => {
    const { result } = await runKernel(image(true, 'ic iallu'), { cpus: 2, mode: 'deterministic', seed: 3, quantum: 200, icache: 'architectural' });
    expect(result.exitCode).toBe(1);
    expect(result.perCpu[1]!.stale).toBeGreaterThan(0n);
  });
  for (const mode of ['deterministic', 'threads'] as const) {
    it(`architectural: the writer's IC IALLUIS reaches the reader (${mode})`, async () => {
      const { result } = await runKernel(image(true, 'ic ialluis'), { cpus: 2, mode, seed: 3, quantum: 200, icache: 'architectural' });
      expect(result.exitCode).toBe(2);
    });
    it(`architectural: IC IALLU; DSB NSH; ISB on the reader itself sees the new code (${mode})`, async () => {
      const seq = 'ic iallu\n      dsb nsh\n      isb';
      const { result } = await runKernel(image(true, 'ic iallu', seq), { cpus: 2, mode, seed: 3, quantum: 200, icache: 'architectural' });
      expect(result.exitCode).toBe(2);
    });
  }
});
