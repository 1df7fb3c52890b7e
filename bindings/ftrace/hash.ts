// struct ftrace_hash in guest memory (layout.ts HASH): an open-addressing
// table of u64 keys (call-site addresses) with a u64 value each, probed
// linearly from slot ((key >> 2) * HASH_MULT) >> shift. Key 0 marks an empty
// slot; the table is at most half full, so a probe for a missing key ends.

import { HASH, HASH_MULT } from './layout.ts';

const M64 = (1n << 64n) - 1n;

/** Slot count for `n` keys: a power of two at least 2n (and at least 4). */
export function hashSlots(n: number): number {
  let s = 4;
  while (s < 2 * n) s *= 2;
  return s;
}

export function hashBytes(n: number): number {
  return HASH.slots + hashSlots(n) * HASH.slotSize;
}

/** The home slot of `key` in a table of 2^bits slots. */
export function hashSlot(key: bigint, bits: number): number {
  return Number((((key >> 2n) * HASH_MULT) & M64) >> BigInt(64 - bits));
}

/** The bytes of a hash holding `entries` (key -> value); keys must be non-zero and distinct. */
export function buildHash(entries: ReadonlyMap<bigint, bigint>): Uint8Array {
  const slots = hashSlots(entries.size);
  const bits = Math.log2(slots);
  const out = new Uint8Array(HASH.slots + slots * HASH.slotSize);
  const dv = new DataView(out.buffer);
  dv.setUint32(HASH.count, entries.size, true);
  dv.setUint32(HASH.mask, slots - 1, true);
  dv.setUint32(HASH.shift, 64 - bits, true);
  for (const [key, value] of entries) {
    if (key === 0n) throw new RangeError('ftrace hash keys must be non-zero');
    let i = hashSlot(key, bits);
    for (;;) {
      const at = HASH.slots + i * HASH.slotSize;
      const k = dv.getBigUint64(at, true);
      if (k === key) throw new RangeError(`ftrace hash key 0x${key.toString(16)} given twice`);
      if (k === 0n) {
        dv.setBigUint64(at, key, true);
        dv.setBigUint64(at + 8, value, true);
        break;
      }
      i = (i + 1) & (slots - 1);
    }
  }
  return out;
}

/** Looks `key` up in hash bytes the way the guest does (for tests). */
export function hashFind(bytes: Uint8Array, key: bigint): bigint | undefined {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const mask = dv.getUint32(HASH.mask, true);
  const shift = dv.getUint32(HASH.shift, true);
  let i = Number((((key >> 2n) * HASH_MULT) & M64) >> BigInt(shift));
  for (;;) {
    const at = HASH.slots + i * HASH.slotSize;
    const k = dv.getBigUint64(at, true);
    if (k === key) return dv.getBigUint64(at + 8, true);
    if (k === 0n) return undefined;
    i = (i + 1) & mask;
  }
}
