// Typed encoders over the encoding table. `enc(id, fields)` builds the word of
// one row from its variable fields; `E.<predecoder>(id, fields)` does the same
// with the field set the core's predecoder of that name receives (so the
// argument objects mirror the decoder field by field). Out-of-range values,
// unknown field names and unallocated combinations raise EncodeError.

import { reservedLogicalImm } from './random.ts';
import { EncodeError, ROW_BY_ID, ROWS, encodeFields, extractFields, type Fields, type Row } from './pattern.ts';

export { EncodeError };

/** The row of an encoding id; EncodeError when there is none. */
export function rowById(id: string): Row {
  const row = ROW_BY_ID.get(id);
  if (!row) throw new EncodeError(`no encoding ${id}`);
  return row;
}

/** Encodes a row from its fields (fixed and should-be fields may be left out). */
export function enc(id: string, fields: Readonly<Record<string, number | undefined>>): number {
  const row = rowById(id);
  if (row.unimpl) throw new EncodeError(`${id}: no encoder for rows outside the integer subset`);
  const f: Fields = {};
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    if (!row.fields.some((g) => g.name === k)) throw new EncodeError(`${id}: no field ${k}`);
    f[k] = v;
  }
  const word = encodeFields(row, f);
  if (reservedLogicalImm(row, extractFields(row, word))) {
    throw new EncodeError(`${id}: N=${f.N} immr=${f.immr} imms=${f.imms} is a reserved logical immediate`);
  }
  return word;
}

// Variable fields each predecoder receives, in pattern order; a trailing '?'
// marks a field that some rows of the group fix (or declare should-be).
const PD_FIELDS = {
  adr: ['immlo', 'immhi', 'Rd'],
  addsub_imm: ['sf', 'sh', 'imm12', 'Rn', 'Rd'],
  log_imm: ['sf', 'N', 'immr', 'imms', 'Rn', 'Rd'],
  movw: ['sf', 'hw', 'imm16', 'Rd'],
  bfm: ['sf', 'N', 'immr', 'imms', 'Rn', 'Rd'],
  extr: ['sf', 'N', 'Rm', 'imms', 'Rn', 'Rd'],
  bcond: ['imm19', 'cond'],
  exc: ['imm16'],
  hint: ['CRm?', 'op2?'],
  barrier: ['CRm?'],
  msr_imm: ['op1', 'CRm', 'op2'],
  sys: ['op1', 'CRn', 'CRm', 'op2', 'Rt'],
  sysreg: ['o0', 'op1', 'CRn', 'CRm', 'op2', 'Rt'],
  branch_reg: ['Rn'],
  eret: [],
  branch_imm: ['imm26'],
  cbz: ['sf', 'imm19', 'Rt'],
  tbz: ['b5', 'b40', 'imm14', 'Rt'],
  excl: ['size', 'Rs?', 'Rn', 'Rt'],
  exclp: ['sz', 'Rs?', 'Rt2', 'Rn', 'Rt'],
  cas: ['size', 'Rs', 'Rn', 'Rt'],
  casp: ['sz', 'Rs', 'Rn', 'Rt'],
  ldr_lit: ['imm19', 'Rt'],
  pair: ['imm7', 'Rt2', 'Rn', 'Rt'],
  ldst_imm9: ['imm9', 'Rn', 'Rt'],
  ldst_uimm: ['imm12', 'Rn', 'Rt'],
  ldst_reg: ['Rm', 'option', 'S', 'Rn', 'Rt'],
  atomic: ['size', 'A', 'R', 'Rs', 'Rn', 'Rt'],
  dp2: ['sf', 'Rm', 'Rn', 'Rd'],
  crc32: ['Rm', 'Rn', 'Rd'],
  dp1: ['sf?', 'Rn', 'Rd'],
  log_reg: ['sf', 'shift', 'Rm', 'imm6', 'Rn', 'Rd'],
  addsub_shift: ['sf', 'shift', 'Rm', 'imm6', 'Rn', 'Rd'],
  addsub_ext: ['sf', 'Rm', 'option', 'imm3', 'Rn', 'Rd'],
  adc: ['sf', 'Rm', 'Rn', 'Rd'],
  ccmp_reg: ['sf', 'Rm', 'cond', 'Rn', 'nzcv'],
  ccmp_imm: ['sf', 'imm5', 'cond', 'Rn', 'nzcv'],
  csel: ['sf', 'Rm', 'cond', 'Rn', 'Rd'],
  dp3: ['sf', 'Rm', 'Ra?', 'Rn', 'Rd'],
} as const;

type PdName = keyof typeof PD_FIELDS;
type Required<L extends readonly string[]> = Exclude<L[number], `${string}?`>;
type Optional<L extends readonly string[]> = L[number] extends infer N ? (N extends `${infer B}?` ? B : never) : never;
/** The field object of a predecoder group: required fields, optional ones where some rows fix them. */
export type PdFields<P extends PdName> = { [K in Required<(typeof PD_FIELDS)[P]>]: number } & {
  [K in Optional<(typeof PD_FIELDS)[P]>]?: number;
};

export type PdEncoder<P extends PdName> = (id: string, fields: PdFields<P>) => number;

function makeEncoder<P extends PdName>(pd: P): PdEncoder<P> {
  return (id, fields) => {
    const row = rowById(id);
    if (row.pd !== pd) throw new EncodeError(`${id} is encoded by E.${row.pd}, not E.${pd}`);
    return enc(id, fields as Record<string, number>);
  };
}

/** One encoder per predecoder group: `E.addsub_imm('ADD_imm', { sf: 1, sh: 0, imm12: 16, Rn: 1, Rd: 0 })`. */
export const E = Object.fromEntries(Object.keys(PD_FIELDS).map((pd) => [pd, makeEncoder(pd as PdName)])) as {
  [P in PdName]: PdEncoder<P>;
};

/**
 * Differences between the field lists above and the table (empty when they
 * agree): every variable field of a row is listed for its group, required
 * fields are variable in every row of the group.
 */
export function checkEncoders(): string[] {
  const problems: string[] = [];
  for (const row of ROWS) {
    if (row.unimpl) continue;
    const list = (PD_FIELDS as Record<string, readonly string[]>)[row.pd];
    if (!list) {
      problems.push(`${row.id}: no field list for predecoder ${row.pd}`);
      continue;
    }
    const variable = row.fields.filter((f) => f.fixed === undefined && f.shouldBe === undefined).map((f) => f.name);
    const names = list.map((n) => n.replace(/\?$/, ''));
    for (const v of variable) if (!names.includes(v)) problems.push(`${row.id}: field ${v} not listed for ${row.pd}`);
    for (const n of list) {
      if (!n.endsWith('?') && !variable.includes(n)) problems.push(`${row.id}: listed field ${n} is not variable`);
    }
  }
  return problems;
}
