// npm run soak [-- --boots N --max-cpus N --seed S --trace-every N --watchdog-ms MS --json]
//
// The threads-mode soak (bindings/workload/soak.ts): many boots of the guest
// kernel on 1..8 CPUs with random hackbench sizes, one in four with the
// function tracer on, each under a watchdog. Prints a line per boot and the
// counts of hangs, oopses, lost messages and host exceptions; exits 1 when
// any of them is not 0.

import { Command, InvalidArgumentError } from 'commander';
import { soak } from '../bindings/workload/soak.ts';

const int = (lo: number, hi: number) => (v: string): number => {
  if (!/^\d+$/.test(v) || Number(v) < lo || Number(v) > hi) throw new InvalidArgumentError(`expected an integer ${lo}..${hi}`);
  return Number(v);
};
const opts = new Command('soak')
  .option('--boots <n>', 'boots to run', int(1, 100_000), 200)
  .option('--max-cpus <n>', 'most CPUs per boot', int(1, 8), 8)
  .option('--seed <s>', 'seed of the sizes', int(0, 0xffffffff), 1)
  .option('--trace-every <n>', 'one boot in N traced (0: none)', int(0, 1000), 4)
  .option('--watchdog-ms <ms>', 'watchdog per boot', int(1000, 3_600_000), 120_000)
  .option('--json', 'print the result as JSON')
  .parse(process.argv.slice(2), { from: 'user' })
  .opts<{ boots: number; maxCpus: number; seed: number; traceEvery: number; watchdogMs: number; json?: boolean }>();

const r = await soak({
  ...opts,
  onBoot: (b) => {
    if (opts.json) return;
    const size = `${b.cpus} CPUs, ${b.groups}x${b.fds}x${b.loops} x ${b.datasize} B${b.traced ? ', traced' : ''}`;
    process.stdout.write(`boot ${String(b.index).padStart(4)}: ${b.verdict.padEnd(14)} ${(b.ms / 1000).toFixed(2).padStart(7)} s  ${size}${b.detail ? `  ${b.detail}` : ''}\n`);
  },
});
if (opts.json) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
else {
  const c = r.counts;
  const ms = r.boots.map((b) => b.ms).sort((a, b) => a - b);
  process.stdout.write(
    `\n${r.boots.length} boots in ${r.seconds.toFixed(1)} s (median ${(ms[ms.length >> 1]! / 1000).toFixed(2)} s a boot): ` +
      `${c.ok} ok, ${c.hang} hangs, ${c.oops} oopses, ${c['lost-messages']} with lost messages, ${c['host-exception']} host exceptions; ` +
      `${r.messages} of ${r.expected} messages delivered\n`,
  );
}
process.exitCode = r.counts.ok === r.boots.length ? 0 : 1;
// a hung boot's CPU threads may still be there: do not wait for them
setTimeout(() => process.exit(), 100).unref();
