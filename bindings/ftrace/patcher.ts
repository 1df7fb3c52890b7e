// Who writes the call-site words.
//
//   host    the validated patch API (bindings/patch/): checked, atomic stores
//           from the host, the invalidation logged, every CPU asked to take a
//           context synchronization at its next step (kick)
//   guest   a request queue in guest memory (layout.ts PATCHQ/PREQ) that the
//           kernel's patcher task empties with ftrace_modify_code
//           (guest/kernel/patching.c): the stores, the DC CVAU / DSB / IC IVAU
//           / DSB / ISB sequence and the SGIs to the other CPUs are guest
//           instructions, scheduled like any other
//
// The host path is done when apply() returns. The guest path is done when the
// kernel has advanced the queue's `done` past the batch: the phase host call
// makes the kernel wait for it (a positive answer), and flush() waits from
// the host side.

import type { GuestMemory } from '../guest-memory.ts';
import type { Machine } from '../machine/machine.ts';
import type { PatchSite } from '../patch/text.ts';
import { FtraceArea } from './area.ts';
import { CTL, PATCHQ, PREQ, PREQ_OP } from './layout.ts';

export type PatcherKind = 'host' | 'guest';
export const PATCHERS: readonly PatcherKind[] = ['host', 'guest'];

/** A request the guest refused: the word was not the expected one (-EINVAL) or not kernel text (-EFAULT). */
export interface GuestRefusal {
  addr: bigint;
  expectedOld: number;
  newWord: number;
  /** The guest's result: -22 (EINVAL) or -14 (EFAULT). */
  result: number;
  /** The word memory held when the host looked. */
  found: number;
  cpu: number;
}

export interface GuestPatchStats {
  requests: number;
  done: number;
  refused: number;
  batches: number;
  /** CNTVCT ticks the patcher spent in its batches (instructions it retired). */
  ticks: number;
  /** RCU-tasks grace periods completed. */
  gracePeriods: number;
}

export class GuestPatchQueue {
  readonly addr: bigint;
  private head = 0n;
  private checked = 0n;
  private readonly pending = new Map<bigint, PatchSite>();
  readonly refusals: GuestRefusal[] = [];

  /** Bytes of a queue of `capacity` requests. */
  static bytes(capacity: number): number {
    return PATCHQ.reqs + capacity * PREQ.size;
  }

  /** Lays a queue out at `at` (GuestPatchQueue.bytes(capacity) bytes, 64-byte aligned). */
  constructor(private readonly mem: GuestMemory, at: bigint, readonly capacity: number, flags: number) {
    this.addr = at;
    mem.write(this.addr, new Uint8Array(PATCHQ.reqs + capacity * PREQ.size));
    mem.setU32(this.addr + BigInt(PATCHQ.mask), capacity - 1);
    mem.setU32(this.addr + BigInt(PATCHQ.flags), flags);
  }

  private u64(field: number): bigint {
    return this.mem.atomicU64(this.addr + BigInt(field));
  }

  get done(): bigint {
    return this.u64(PATCHQ.done);
  }

  /** Requests written and not yet applied by the guest. */
  get outstanding(): number {
    return Number(this.head - this.done);
  }

  /** Appends the batch and publishes it (one release store of head); RangeError when the queue lacks room. */
  enqueue(sites: readonly PatchSite[]): number {
    const done = this.done;
    if (Number(this.head - done) + sites.length > this.capacity) {
      throw new RangeError(`guest patch queue full: ${this.head - done} requests outstanding, ${sites.length} more, room for ${this.capacity}`);
    }
    const m = this.mem;
    let seq = this.head;
    for (const s of sites) {
      const at = this.addr + BigInt(PATCHQ.reqs + Number(seq & BigInt(this.capacity - 1)) * PREQ.size);
      m.setU64(at + BigInt(PREQ.addr), s.addr);
      m.setU32(at + BigInt(PREQ.old), s.expectedOld >>> 0);
      m.setU32(at + BigInt(PREQ.new), s.newWord >>> 0);
      m.setU32(at + BigInt(PREQ.result), 1);
      m.setU32(at + BigInt(PREQ.cpu), 0xffffffff);
      m.setU32(at + BigInt(PREQ.seq), Number(seq & 0xffffffffn));
      m.setU32(at + BigInt(PREQ.op), PREQ_OP.patch);
      this.pending.set(seq, s);
      seq++;
    }
    this.head = seq;
    m.atomicSetU64(this.addr + BigInt(PATCHQ.head), seq);
    return sites.length;
  }

  /**
   * Asks the kernel for an RCU-tasks grace period (PREQ_OP.gracePeriod);
   * returns its sequence number: once `done` has passed it, no task can be
   * inside code taken out of use before the request.
   */
  enqueueGracePeriod(): bigint {
    if (Number(this.head - this.done) + 1 > this.capacity) throw new RangeError('guest patch queue full');
    const m = this.mem;
    const seq = this.head;
    const at = this.addr + BigInt(PATCHQ.reqs + Number(seq & BigInt(this.capacity - 1)) * PREQ.size);
    m.write(at, new Uint8Array(PREQ.size));
    m.setU32(at + BigInt(PREQ.result), 1);
    m.setU32(at + BigInt(PREQ.cpu), 0xffffffff);
    m.setU32(at + BigInt(PREQ.seq), Number(seq & 0xffffffffn));
    m.setU32(at + BigInt(PREQ.op), PREQ_OP.gracePeriod);
    this.head = seq + 1n;
    m.atomicSetU64(this.addr + BigInt(PATCHQ.head), this.head);
    return seq;
  }

  /** Reads the results of the requests the guest has completed since the last call; returns the refusals among them. */
  collect(): GuestRefusal[] {
    const done = this.done;
    const out: GuestRefusal[] = [];
    for (let seq = this.checked; seq < done; seq++) {
      const at = this.addr + BigInt(PATCHQ.reqs + Number(seq & BigInt(this.capacity - 1)) * PREQ.size);
      const result = this.mem.u32(at + BigInt(PREQ.result)) | 0;
      const s = this.pending.get(seq);
      this.pending.delete(seq);
      if (s && result !== 0) {
        out.push({ addr: s.addr, expectedOld: s.expectedOld >>> 0, newWord: s.newWord >>> 0, result, found: this.mem.u32(s.addr), cpu: this.mem.u32(at + BigInt(PREQ.cpu)) });
      }
    }
    this.checked = done;
    this.refusals.push(...out);
    return out;
  }

  stats(): GuestPatchStats {
    return {
      requests: Number(this.head),
      done: Number(this.done),
      refused: Number(this.u64(PATCHQ.refused)),
      batches: Number(this.u64(PATCHQ.batches)),
      ticks: Number(this.u64(PATCHQ.ticks)),
      gracePeriods: Number(this.u64(PATCHQ.gps)),
    };
  }
}

/** Waits (polling on host timers) until the guest has applied everything queued; rejects after `timeoutMs` or when the machine ends first. */
export async function waitForGuest(q: GuestPatchQueue, machine: Machine, timeoutMs = 10_000): Promise<void> {
  const t0 = performance.now();
  while (q.outstanding > 0) {
    if (machine.status === 'ended') throw new Error(`the machine ended with ${q.outstanding} patch requests not applied`);
    if (performance.now() - t0 > timeoutMs) throw new Error(`the guest patcher did not apply ${q.outstanding} requests within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

/** The end of the kernel's heap (kernel.ld defines it as an absolute symbol), where the host's data may begin. */
export function kernelHeapEnd(machine: Machine): bigint | undefined {
  return machine.image?.symbols.find((s) => s.name === '__heap_end')?.value;
}

/**
 * Gives a loaded kernel (not started) a guest patch queue and points
 * ftrace_ctl.patch_queue at it: the kernel then applies queued requests at
 * boot on CPU 0 before the other CPUs go on, and later in its patcher task.
 * `area` is where the queue goes (default: a new area above the kernel's heap).
 */
export function installGuestPatcher(machine: Machine, opts: { capacity?: number; flags?: number; area?: FtraceArea } = {}): GuestPatchQueue {
  const ctl = machine.image?.symbolAddress('ftrace_ctl');
  const heapEnd = kernelHeapEnd(machine);
  if (machine.status !== 'loaded' || ctl === undefined || heapEnd === undefined) {
    throw new Error('the guest patcher needs a loaded patchlab kernel (ftrace_ctl, __heap_end) that has not started');
  }
  const area = opts.area ?? new FtraceArea(heapEnd, machine.mem.hi);
  const cap = opts.capacity ?? 256;
  const q = new GuestPatchQueue(machine.mem, area.alloc(GuestPatchQueue.bytes(cap)), cap, opts.flags ?? 0);
  machine.mem.setU64(ctl + BigInt(CTL.patchQueue), q.addr);
  return q;
}
