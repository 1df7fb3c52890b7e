// Validated host patch writes per second through the batch API.
//
//   npm run bench -- (runs it after the speed benchmark)
//
// A text segment of 64 Ki NOPs is patched in batches of 4096 sites, NOP ->
// BL and back (the CMODX-allowed pair, with the checker on), each site
// validated (alignment, inside text, expected old word) and written by the
// core with a compare-and-exchange, each batch moving the code epoch and
// logging its lines.
// Prints the median batch time (tinybench) and writes per second.

import { Bench } from 'tinybench';
import { writeElf } from '../bindings/elf/index.ts';
import { CmodxChecker } from '../bindings/patch/cmodx.ts';
import { TextPatcher, type PatchSite } from '../bindings/patch/text.ts';
import { UserProcess } from '../bindings/user/run.ts';

const BASE = 0x400000n;
const SITES = 65536;
const BATCH = 4096;
const NOP = 0xd503201f;
const text = new Uint8Array(SITES * 4);
const dv = new DataView(text.buffer);
for (let i = 0; i < SITES; i++) dv.setUint32(i * 4, NOP, true);
dv.setUint32(0, 0xd2800ba8, true); // mov x8, #93
dv.setUint32(4, 0xd4000001, true); // svc #0
const p = new UserProcess(writeElf({ entry: BASE, segments: [{ vaddr: BASE, data: text, flags: { r: true, x: true } }] }), {
  io: { write: (_f, d) => d.length, warn: () => {} },
});
const patcher = new TextPatcher({
  memory: p.memory, mem: p.mem, cpus: 1, checker: new CmodxChecker(), core: p.core,
  text: () => p.image.textRanges,
  activity: () => [{ cpu: 0, state: 'stopped', pc: p.cpu.pc }],
});
const bl = (from: bigint) => (0x94000000 | Number(((0x1000n - from) >> 2n) & 0x3ffffffn)) >>> 0;
const batches: [PatchSite[], PatchSite[]][] = [];
for (let b = 2; b * BATCH <= SITES; b += 2) {
  const fwd: PatchSite[] = [], back: PatchSite[] = [];
  for (let i = 0; i < BATCH; i++) {
    const addr = BASE + BigInt((b * BATCH + i - BATCH) * 4);
    fwd.push({ addr, expectedOld: NOP, newWord: bl(addr) });
    back.push({ addr, expectedOld: bl(addr), newWord: NOP });
  }
  batches.push([fwd, back]);
}
let k = 0;
const bench = new Bench({ time: 2000, warmupTime: 200 });
bench.add(`patchBatch of ${BATCH} sites`, () => {
  const [fwd, back] = batches[k++ % batches.length]!;
  patcher.patchBatch(fwd);
  patcher.patchBatch(back);
});
await bench.run();
const r = bench.tasks[0]!.result as unknown as { latency: { p50: number }; error?: Error };
if (r.error) throw r.error;
const perWrite = r.latency.p50 / (2 * BATCH); // ms
console.log(`patch API: median ${(r.latency.p50).toFixed(2)} ms per ${2 * BATCH} validated writes (two batches), ${(1000 / perWrite / 1e6).toFixed(2)} M writes/s`);
