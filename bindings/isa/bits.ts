// Bit-level helpers shared by the disassembler, the encoder and the assembler:
// sign extension, logical (bitmask) immediates, wide-move immediates.

export const MASK64 = (1n << 64n) - 1n;

/** Sign-extends the low `bits` bits of v. */
export function sext(v: number, bits: number): number {
  const shift = 32 - bits;
  return bits >= 32 ? v | 0 : (v << shift) >> shift;
}

/** Sign-extends the low `bits` bits of a bigint (result is a signed bigint). */
export function sextBig(v: bigint, bits: number): bigint {
  return BigInt.asIntN(bits, v);
}

function ones(n: number): bigint {
  return (1n << BigInt(n)) - 1n;
}

function rotateRight(v: bigint, r: number, size: number): bigint {
  if (r === 0) return v;
  const s = BigInt(size);
  const rr = BigInt(r);
  return ((v >> rr) | (v << (s - rr))) & ones(size);
}

/**
 * The value of a logical immediate (N:immr:imms) for a register of `datasize`
 * bits, or null when the combination is reserved.
 */
export function decodeBitMasks(N: number, immr: number, imms: number, datasize: 32 | 64): bigint | null {
  const combined = (N << 6) | (~imms & 0x3f);
  if (combined === 0) return null;
  const len = 31 - Math.clz32(combined);
  if (len < 1) return null;
  if (datasize === 32 && N === 1) return null;
  const esize = 1 << len;
  const levels = esize - 1;
  const S = imms & levels;
  const R = immr & levels;
  if (S === levels) return null;
  let elem = rotateRight(ones(S + 1), R, esize);
  for (let sz = esize; sz < datasize; sz *= 2) elem |= elem << BigInt(sz);
  return elem & ones(datasize);
}

export interface LogicalImm {
  readonly N: number;
  readonly immr: number;
  readonly imms: number;
}

/**
 * The N:immr:imms fields that encode `value` (taken modulo 2^datasize) as a
 * logical immediate, or null when it is not encodable (0, all ones, or not a
 * replicated rotated run of ones).
 */
export function encodeLogicalImm(value: bigint, datasize: 32 | 64): LogicalImm | null {
  const v = BigInt.asUintN(datasize, value);
  if (v === 0n || v === ones(datasize)) return null;
  // Smallest element size whose replication gives the value.
  let esize: number = datasize;
  while (esize > 2) {
    const half = esize / 2;
    const lo = v & ones(half);
    if (((v >> BigInt(half)) & ones(half)) !== lo) break;
    esize = half;
  }
  const elem = v & ones(esize);
  // The element must be a rotation of a contiguous run of ones.
  let count = 0;
  for (let i = 0; i < esize; i++) if ((elem >> BigInt(i)) & 1n) count++;
  for (let r = 0; r < esize; r++) {
    // rotating the canonical run (low `count` ones) right by r must give elem
    if (rotateRight(ones(count), r, esize) === elem) {
      const immsHigh = esize === 64 ? 0 : ~(esize * 2 - 1) & 0x3f;
      const imms = (immsHigh | (count - 1)) & 0x3f;
      return { N: esize === 64 ? 1 : 0, immr: r, imms };
    }
  }
  return null;
}

/** Whether `value` can be made by one MOVZ (any shift) for a register of `width` bits. */
export function isMovzImm(value: bigint, width: 32 | 64): boolean {
  const v = BigInt.asUintN(width, value);
  for (let shift = 0; shift < width; shift += 16) {
    if ((v & ~(0xffffn << BigInt(shift))) === 0n) return true;
  }
  return false;
}

/** Whether `value` can be made by one MOVZ or one MOVN. */
export function isMovWideImm(value: bigint, width: 32 | 64): boolean {
  return isMovzImm(value, width) || isMovzImm(BigInt.asUintN(width, ~value), width);
}

export function hex(n: number | bigint): string {
  return '0x' + (typeof n === 'number' ? (n >>> 0).toString(16) : n.toString(16));
}

export function hex8(n: number): string {
  return '0x' + (n >>> 0).toString(16).padStart(8, '0');
}
