// What a cycle model costs in host time: the same deterministic hackbench boot
// (nop-nop, same seed, so the same guest work up to the schedule) with
// --timing none (translator on, as by default), none with the interpreter
// only, a53 and a57, in rounds that alternate the four so drift falls on all;
// medians of the boots' host seconds and their ratio to none. The goal is a
// speed ratio of at least 0.33 (a model at least a third as fast as none).
//
//   node scripts/run-ts.mjs bench/timing-speed.ts [--rounds R] [--cpus N] [--groups G] [--fds F] [--loops L] [--json]

import { parseArgs } from 'node:util';
import { hackbench } from '../bindings/hackbench/run.ts';
import type { TimingName } from '../bindings/timing/models.ts';

const { values: a } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    cpus: { type: 'string', default: '2' },
    groups: { type: 'string', default: '10' },
    fds: { type: 'string', default: '20' },
    loops: { type: 'string', default: '100' },
    json: { type: 'boolean', default: false },
  },
});

interface Config { name: string; timing: TimingName; jitThreshold?: number }
const CONFIGS: Config[] = [
  { name: 'none', timing: 'none' },
  { name: 'none, interpreter', timing: 'none', jitThreshold: 0 },
  { name: 'a53', timing: 'a53' },
  { name: 'a57', timing: 'a57' },
];

const rounds = Number(a.rounds);
const sizes = { cpus: Number(a.cpus), groups: Number(a.groups), fds: Number(a.fds), loops: Number(a.loops) };
const seconds = new Map<string, number[]>(CONFIGS.map((c) => [c.name, []]));
const insns = new Map<string, number>();
for (let r = 0; r < rounds; r++) {
  for (const c of CONFIGS) {
    const res = await hackbench({
      ...sizes, runs: 1, prologues: ['nop-nop'], mode: 'deterministic', timing: c.timing, jitThreshold: c.jitThreshold,
    });
    const run = res.prologues[0]!.runs[0]!;
    seconds.get(c.name)!.push(run.bootSeconds);
    insns.set(c.name, run.guestInstructions);
  }
}
const median = (xs: number[]): number => {
  const s = [...xs].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const base = median(seconds.get('none')!);
const rows = CONFIGS.map((c) => {
  const s = median(seconds.get(c.name)!);
  const n = insns.get(c.name)!;
  return { config: c.name, medianSeconds: s, guestInstructions: n, nsPerInsn: (1e9 * s) / n, speedVsNone: base / s };
});
if (a.json) {
  console.log(JSON.stringify({ sizes, rounds, rows }, null, 2));
} else {
  console.log(`timing-speed: deterministic hackbench ${sizes.groups}x${sizes.fds}x${sizes.loops}, ${sizes.cpus} CPUs, medians of ${rounds} boots`);
  console.log('  config               host s   guest insns   ns/insn   speed vs none');
  for (const r of rows) {
    console.log(`  ${r.config.padEnd(18)} ${r.medianSeconds.toFixed(3).padStart(8)} ${String(r.guestInstructions).padStart(13)} ${r.nsPerInsn.toFixed(2).padStart(9)} ${r.speedVsNone.toFixed(3).padStart(15)}`);
  }
  console.log('  goal: every model at a speed of at least 0.333 of none');
}
