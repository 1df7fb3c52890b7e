// One boot of the guest kernel's hackbench with the given parameters:
// host seconds, guest instructions, instructions per message, guest MIPS.
//
//   node scripts/run-ts.mjs bench/guest-hackbench.ts [--cpus N] [--mode threads|deterministic]
//        [--image pfe2|pfe42] [--seed S] [field=value ...]   (fields of struct hb_params)

import { readFileSync } from 'node:fs';
import { Machine, type Mode } from '../bindings/index.ts';

const FIELDS = ['magic', 'version', 'workload', 'groups', 'fds', 'loops', 'datasize', 'runs',
  'preempt', 'tick', 'pipe_size', 'tasks', 'spin_loops', 'verbose'];

const args = process.argv.slice(2);
let cpus = 4;
let mode: Mode = 'threads';
let image = 'pfe2';
let seed = 1;
const params: [string, number][] = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i]!;
  if (a === '--cpus') cpus = Number(args[++i]);
  else if (a === '--mode') mode = args[++i] as Mode;
  else if (a === '--image') image = args[++i]!;
  else if (a === '--seed') seed = Number(args[++i]);
  else if (/^[a-z_]+=\d+$/.test(a) && FIELDS.includes(a.split('=')[0]!)) params.push([a.split('=')[0]!, Number(a.split('=')[1])]);
  else {
    console.error(`guest-hackbench: unknown argument ${a}`);
    process.exit(2);
  }
}

const elf = readFileSync(new URL(`../guest/build/kernel-${image}.elf`, import.meta.url));
const m = await Machine.create({ cpus, mode, seed, profile: 'kernel' });
m.load(new Uint8Array(elf.buffer, elf.byteOffset, elf.byteLength));
const base = m.image!.symbolAddress('hb_params')!;
for (const [k, v] of params) m.mem.setU32(base + BigInt(4 * FIELDS.indexOf(k)), v);
m.start();
const r = await m.exited;
const rep = (k: string) => Number(r.reports.get(k) ?? 0n);
const messages = rep('messages');
console.log(JSON.stringify({
  cpus, mode, image, exitCode: r.exitCode,
  params: Object.fromEntries(params),
  hostSeconds: Number(r.seconds.toFixed(3)),
  guestInstructions: Number(r.insns),
  messages,
  bytesChecked: rep('bytes_checked'),
  insnsPerMessage: messages ? Math.round(Number(r.insns) / messages) : null,
  guestMips: Number(r.mips.toFixed(1)),
  timeNs: rep('time_ns'),
  vcntNs: rep('vcnt_ns'),
  nvcsw: rep('nvcsw'), nivcsw: rep('nivcsw'), ipiSent: rep('ipi_sent'), ticks: rep('ticks'),
  idleNs: r.perCpu.map((c) => Number(c.idleNs)),
}));
if (r.exitCode !== 0) {
  console.error(r.stdout);
  process.exit(1);
}
