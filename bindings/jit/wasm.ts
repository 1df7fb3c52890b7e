// A small WebAssembly binary writer: just what the block translator emits
// (one module per region: an imported shared memory, imported functions
// and one exported function). Opcode names follow the text format.

export const I32 = 0x7f;
export const I64 = 0x7e;
export type ValType = typeof I32 | typeof I64;

/** Opcodes without immediates. */
export const Op = {
  unreachable: 0x00, nop: 0x01, else: 0x05, end: 0x0b, return: 0x0f, drop: 0x1a, select: 0x1b,
  i32_eqz: 0x45, i32_eq: 0x46, i32_ne: 0x47, i32_lt_s: 0x48, i32_lt_u: 0x49, i32_gt_s: 0x4a,
  i32_gt_u: 0x4b, i32_le_s: 0x4c, i32_le_u: 0x4d, i32_ge_s: 0x4e, i32_ge_u: 0x4f,
  i64_eqz: 0x50, i64_eq: 0x51, i64_ne: 0x52, i64_lt_s: 0x53, i64_lt_u: 0x54, i64_gt_s: 0x55,
  i64_gt_u: 0x56, i64_le_s: 0x57, i64_le_u: 0x58, i64_ge_s: 0x59, i64_ge_u: 0x5a,
  i32_clz: 0x67, i32_add: 0x6a, i32_sub: 0x6b, i32_mul: 0x6c, i32_div_s: 0x6d, i32_div_u: 0x6e,
  i32_and: 0x71, i32_or: 0x72, i32_xor: 0x73, i32_shl: 0x74, i32_shr_s: 0x75, i32_shr_u: 0x76,
  i32_rotl: 0x77, i32_rotr: 0x78,
  i64_clz: 0x79, i64_ctz: 0x7a, i64_add: 0x7c, i64_sub: 0x7d, i64_mul: 0x7e, i64_div_s: 0x7f,
  i64_div_u: 0x80, i64_rem_u: 0x82, i64_and: 0x83, i64_or: 0x84, i64_xor: 0x85, i64_shl: 0x86, i64_shr_s: 0x87,
  i64_shr_u: 0x88, i64_rotl: 0x89, i64_rotr: 0x8a,
  i32_wrap_i64: 0xa7, i64_extend_i32_s: 0xac, i64_extend_i32_u: 0xad,
  i32_extend8_s: 0xc0, i32_extend16_s: 0xc1, i64_extend8_s: 0xc2, i64_extend16_s: 0xc3,
  i64_extend32_s: 0xc4,
} as const;

/** Memory instructions: [opcode, natural alignment log2]. */
export const Mem = {
  i32_load: [0x28, 2], i64_load: [0x29, 3], i32_load8_u: [0x2d, 0], i32_load16_u: [0x2f, 1],
  i64_load8_s: [0x30, 0], i64_load8_u: [0x31, 0], i64_load16_s: [0x32, 1], i64_load16_u: [0x33, 1],
  i64_load32_s: [0x34, 2], i64_load32_u: [0x35, 2], i32_store: [0x36, 2], i64_store: [0x37, 3],
  i32_store8: [0x3a, 0], i32_store16: [0x3b, 1], i64_store8: [0x3c, 0], i64_store16: [0x3d, 1], i64_store32: [0x3e, 2],
} as const satisfies Record<string, readonly [number, number]>;
export type MemOp = keyof typeof Mem;

/** A growable byte buffer with the Wasm integer encodings. */
export class ByteBuf {
  private buf = new Uint8Array(256);
  length = 0;

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const b = new Uint8Array(size);
    b.set(this.buf.subarray(0, this.length));
    this.buf = b;
  }

  byte(b: number): void {
    if (this.length === this.buf.length) this.room(1);
    this.buf[this.length++] = b;
  }

  append(src: ArrayLike<number>): void {
    this.room(src.length);
    this.buf.set(src, this.length);
    this.length += src.length;
  }

  uleb(v: number): void {
    do {
      let b = v & 0x7f;
      v = Math.floor(v / 128);
      if (v !== 0) b |= 0x80;
      this.byte(b);
    } while (v !== 0);
  }

  /** Signed LEB128 of a value that fits a double exactly (i32 constants, most i64 ones). */
  slebNumber(v: number): void {
    for (;;) {
      const b = v & 0x7f;
      v = Math.floor(v / 128);
      if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) { this.byte(b); return; }
      this.byte(b | 0x80);
    }
  }

  sleb(v: bigint): void {
    if (v >= -0x20000000000000n && v <= 0x1fffffffffffffn) { this.slebNumber(Number(v)); return; }
    for (;;) {
      const b = Number(v & 0x7fn);
      v >>= 7n;
      if ((v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0)) { this.byte(b); return; }
      this.byte(b | 0x80);
    }
  }

  bytes(): Uint8Array { return this.buf.subarray(0, this.length); }
}

/** The body of one function, written instruction by instruction. */
export class Code {
  readonly body = new ByteBuf();
  private readonly locals: ValType[] = [];

  constructor(readonly params: readonly ValType[], readonly results: readonly ValType[]) {}

  /** Declares a local; returns its index. */
  local(type: ValType): number {
    this.locals.push(type);
    return this.params.length + this.locals.length - 1;
  }

  op(...ops: number[]): this { for (let i = 0; i < ops.length; i++) this.body.byte(ops[i]!); return this; }
  get(i: number): this { this.body.byte(0x20); this.body.uleb(i); return this; }
  set(i: number): this { this.body.byte(0x21); this.body.uleb(i); return this; }
  tee(i: number): this { this.body.byte(0x22); this.body.uleb(i); return this; }
  i32(v: number): this { this.body.byte(0x41); this.body.slebNumber(v | 0); return this; }
  i64(v: bigint): this { this.body.byte(0x42); this.body.sleb(BigInt.asIntN(64, v)); return this; }
  mem(op: MemOp, offset = 0): this {
    const [code, align] = Mem[op];
    this.body.byte(code);
    this.body.byte(align);
    this.body.uleb(offset);
    return this;
  }
  call(f: number): this { this.body.byte(0x10); this.body.uleb(f); return this; }
  globalGet(g: number): this { this.body.byte(0x23); this.body.uleb(g); return this; }
  globalSet(g: number): this { this.body.byte(0x24); this.body.uleb(g); return this; }
  /** An atomic memory instruction (0xfe prefix) with its natural alignment and an offset. */
  atomic(op: number, alignLog2: number, offset = 0): this {
    this.op(0xfe, op, alignLog2);
    this.body.uleb(offset);
    return this;
  }
  /** Atomic read-modify-write add (0xfe prefix): i32.atomic.rmw.add. */
  atomicAddI32(offset = 0): this { return this.atomic(0x1e, 2, offset); }
  block(): this { return this.op(0x02, 0x40); }
  loop(): this { return this.op(0x03, 0x40); }
  if(): this { return this.op(0x04, 0x40); }
  else(): this { return this.op(0x05); }
  end(): this { return this.op(0x0b); }
  br(depth: number): this { this.body.byte(0x0c); this.body.uleb(depth); return this; }
  brIf(depth: number): this { this.body.byte(0x0d); this.body.uleb(depth); return this; }
  brTable(depths: readonly number[], dflt: number): this {
    this.body.byte(0x0e);
    this.body.uleb(depths.length);
    for (const d of depths) this.body.uleb(d);
    this.body.uleb(dflt);
    return this;
  }

  /** Locals declaration plus body, as the code section wants it. */
  encode(out: ByteBuf): void {
    const groups: [number, ValType][] = [];
    for (const t of this.locals) {
      const last = groups[groups.length - 1];
      if (last && last[1] === t) last[0]++;
      else groups.push([1, t]);
    }
    const head = new ByteBuf();
    head.uleb(groups.length);
    for (const [n, t] of groups) { head.uleb(n); head.byte(t); }
    out.uleb(head.length + this.body.length + 1);
    out.append(head.bytes());
    out.append(this.body.bytes());
    out.byte(0x0b);
  }
}

function section(out: ByteBuf, id: number, body: ByteBuf): void {
  out.byte(id);
  out.uleb(body.length);
  out.append(body.bytes());
}

function name(out: ByteBuf, s: string): void {
  const b = new TextEncoder().encode(s);
  out.uleb(b.length);
  out.append(b);
}

/** A mutable i32 global with its initial value. */
export interface GlobalI32 {
  init: number;
}

/** A function the module imports from `env`: its index comes before the module's own functions. */
export interface FuncImport {
  name: string;
  params: readonly ValType[];
  results: readonly ValType[];
}

/**
 * A module importing `env.memory` (shared, up to `maxPages`) and the
 * functions of `imports` (indices 0..imports.length-1, in order; the
 * module's own functions follow), with mutable i32 globals, exporting each
 * function that has a name.
 */
export function buildModule(
  funcs: readonly { name?: string; code: Code }[], maxPages: number, globals: readonly GlobalI32[] = [],
  imports: readonly FuncImport[] = [],
): Uint8Array {
  const out = new ByteBuf();
  out.append([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
  const types = new ByteBuf();
  const sigs = [...imports, ...funcs.map((f) => f.code)];
  types.uleb(sigs.length);
  for (const sig of sigs) {
    types.byte(0x60);
    types.uleb(sig.params.length); types.append(sig.params);
    types.uleb(sig.results.length); types.append(sig.results);
  }
  section(out, 1, types);
  const imps = new ByteBuf();
  imps.uleb(1 + imports.length);
  name(imps, 'env'); name(imps, 'memory');
  imps.append([0x02, 0x03]); // memory, limits: shared with maximum
  imps.uleb(0); imps.uleb(maxPages);
  imports.forEach((f, i) => { name(imps, 'env'); name(imps, f.name); imps.byte(0x00); imps.uleb(i); });
  section(out, 2, imps);
  const fns = new ByteBuf();
  fns.uleb(funcs.length);
  funcs.forEach((_, i) => fns.uleb(imports.length + i));
  section(out, 3, fns);
  if (globals.length) {
    const gs = new ByteBuf();
    gs.uleb(globals.length);
    for (const g of globals) {
      gs.append([I32, 0x01, 0x41]);
      gs.slebNumber(g.init | 0);
      gs.byte(0x0b);
    }
    section(out, 6, gs);
  }
  const exps = new ByteBuf();
  const named = funcs.flatMap((f, i) => (f.name ? [[f.name, imports.length + i] as const] : []));
  exps.uleb(named.length);
  for (const [n, i] of named) { name(exps, n); exps.byte(0x00); exps.uleb(i); }
  section(out, 7, exps);
  const codes = new ByteBuf();
  codes.uleb(funcs.length);
  for (const { code } of funcs) code.encode(codes);
  section(out, 10, codes);
  return out.bytes().slice();
}
