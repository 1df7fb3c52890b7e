// Per-CPU ring buffers in guest memory (layout.ts FCPU, EVENT). Each CPU is
// the only writer of its buffer: it writes an event's 32 bytes, then stores
// head + 1 with release; when head - tail would pass the capacity it drops the
// event and counts it in `lost` instead (never silently). The host is the
// only reader: it copies the events between its tail and the head it loaded,
// then stores the new tail, which frees their slots.

import type { GuestMemory } from '../guest-memory.ts';
import type { TraceEvent } from './events.ts';
import { EV, EVENT, FCPU } from './layout.ts';

export interface RawEvent {
  type: number;
  cpu: number;
  pid: number;
  depth: number;
  /** CNTVCT ticks */
  ts: bigint;
  ip: bigint;
  arg: bigint;
}

export class CpuRing {
  private tail = 0n;
  /** Events copied out so far. */
  drained = 0n;

  constructor(
    private readonly mem: GuestMemory,
    readonly cpu: number,
    /** Address of this CPU's ftrace_cpu block. */
    readonly block: bigint,
    /** Address of its event array. */
    readonly events: bigint,
    /** Capacity in events (a power of two). */
    readonly capacity: number,
  ) {}

  /** Writes the block's fields (before any CPU starts). */
  init(profile: bigint): void {
    const m = this.mem;
    m.write(this.block, new Uint8Array(FCPU.size));
    m.setU64(this.block + BigInt(FCPU.events), this.events);
    m.setU32(this.block + BigInt(FCPU.mask), this.capacity - 1);
    m.setU64(this.block + BigInt(FCPU.profile), profile);
  }

  /** Copies out the events committed since the last drain and frees their slots. */
  drain(out: RawEvent[]): number {
    const head = this.mem.atomicU64(this.block + BigInt(FCPU.head));
    const n = Number(head - this.tail);
    if (n <= 0) return 0;
    const mask = BigInt(this.capacity - 1);
    let i = this.tail;
    while (i < head) {
      const slot = Number(i & mask);
      const run = Math.min(Number(head - i), this.capacity - slot);
      const bytes = this.mem.read(this.events + BigInt(slot * EVENT.size), run * EVENT.size);
      const dv = new DataView(bytes.buffer);
      for (let k = 0; k < run; k++) {
        const o = k * EVENT.size;
        out.push({
          type: dv.getUint16(o + EVENT.type, true),
          cpu: this.cpu,
          pid: dv.getUint32(o + EVENT.pid, true),
          depth: dv.getUint16(o + EVENT.depth, true),
          ts: dv.getBigUint64(o + EVENT.ts, true),
          ip: dv.getBigUint64(o + EVENT.ip, true),
          arg: dv.getBigUint64(o + EVENT.arg, true),
        });
      }
      i += BigInt(run);
    }
    this.tail = head;
    this.drained += BigInt(n);
    this.mem.atomicSetU64(this.block + BigInt(FCPU.tail), head);
    return n;
  }

  private u64(field: number): bigint {
    return this.mem.atomicU64(this.block + BigInt(field));
  }

  /** The counters the CPU keeps in its block. */
  counters(): { lost: bigint; missed: bigint; calls: bigint; overrun: bigint } {
    return { lost: this.u64(FCPU.lost), missed: this.u64(FCPU.missed), calls: this.u64(FCPU.calls), overrun: this.u64(FCPU.overrun) };
  }
}

/** A raw event as the output layer's TraceEvent, with ticks turned into nanoseconds at `hz`. */
export function toTraceEvent(e: RawEvent, hz: bigint): TraceEvent | null {
  const ns = (t: bigint) => Number((t * 1_000_000_000n) / hz);
  switch (e.type) {
    case EV.function:
      return { type: 'function', cpu: e.cpu, pid: e.pid, ts: ns(e.ts), ip: e.ip, parentIp: e.arg };
    case EV.graphEntry:
      return { type: 'graph-entry', cpu: e.cpu, pid: e.pid, ts: ns(e.ts), ip: e.ip, depth: e.depth };
    case EV.graphExit:
      return { type: 'graph-exit', cpu: e.cpu, pid: e.pid, ts: ns(e.ts), ip: e.ip, depth: e.depth, calltime: ns(e.arg) };
    default:
      return null;
  }
}
