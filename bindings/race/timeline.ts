// The events a race keeps for its report: the last ones before a failure
// (patch writes, CPUs stopping at a site between its two words, context
// switches, timer interrupts, the failing CPU's last branches, the fault),
// in the order they happened, printed as a table.

export type TimelineKind = 'write' | 'toggle' | 'site' | 'switch' | 'irq' | 'branch' | 'fault' | 'wrong-return' | 'hang';

export interface TimelineEvent {
  /** Deterministic: guest instructions retired by every CPU so far; threads: host ms since the run started. */
  at: number;
  /** The CPU it concerns, or null for the host. */
  cpu: number | null;
  kind: TimelineKind;
  text: string;
  /** How many times it happened in a row (the same CPU, kind and text), at `at` the last time. */
  count: number;
}

/** A bounded log of the newest events, numbered in order. */
export class Timeline {
  private readonly ring: TimelineEvent[] = [];
  /** Number of the next event (events merged into the one before do not count). */
  seq = 0;
  constructor(readonly capacity: number) {}

  add(e: Omit<TimelineEvent, 'count'>): void {
    const last = this.ring[this.ring.length - 1];
    if (last && last.cpu === e.cpu && last.kind === e.kind && last.text === e.text) {
      last.count++;
      last.at = e.at;
      return;
    }
    this.ring.push({ ...e, count: 1 });
    this.seq++;
    if (this.ring.length > this.capacity) this.ring.shift();
  }

  /** Up to `n` events ending before event number `end` (default: the newest), oldest first. */
  window(n: number, end = this.seq): TimelineEvent[] {
    const first = this.seq - this.ring.length; // number of ring[0]
    const hi = Math.max(0, Math.min(this.ring.length, end - first));
    return this.ring.slice(Math.max(0, hi - n), hi).map((e) => ({ ...e }));
  }
}

/** The timeline as a table: when, who, what. */
export function formatTimeline(events: readonly TimelineEvent[], unit: 'insns' | 'ms'): string {
  const head = unit === 'insns' ? 'insns' : 'ms';
  const rows = events.map((e) => [
    unit === 'ms' ? e.at.toFixed(3) : String(e.at),
    e.cpu === null ? 'host' : `cpu${e.cpu}`,
    e.kind,
    e.count > 1 ? `${e.text} (x${e.count}, the last shown)` : e.text,
  ]);
  const w = [head.length, 4, 4].map((n, i) => Math.max(n, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => `  ${r[0]!.padStart(w[0]!)}  ${r[1]!.padEnd(w[1]!)}  ${r[2]!.padEnd(w[2]!)}  ${r[3]}`;
  return [line([head, 'who', 'what', '']).trimEnd(), ...rows.map(line)].join('\n');
}
