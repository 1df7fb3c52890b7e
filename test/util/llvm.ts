// Batch access to llvm-mc (LLVM 14) as a reference assembler and disassembler.
// Each helper runs one llvm-mc process for a whole batch and maps its output
// back to the inputs through marker lines, so an error on one input never
// shifts the answers of the others.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Fields, Row } from '../../bindings/isa/pattern.ts';
import { findSysOp } from '../../bindings/isa/sysregs.ts';

export const LLVM_MC = process.env.LLVM_MC ?? 'llvm-mc';
export const DEFAULT_MATTR = '+v8.1a,+lse,+lor';

let available: boolean | undefined;

/** Whether llvm-mc can be run. */
export function haveLlvmMc(): boolean {
  if (available === undefined) {
    const r = spawnSync(LLVM_MC, ['--version'], { encoding: 'utf8' });
    available = r.status === 0 && /LLVM/i.test(r.stdout);
  }
  return available;
}

export const NO_LLVM_REASON = `${LLVM_MC} not found: tests against the LLVM reference are skipped`;

function run(args: string[], input: string): { stdout: string; stderr: string } {
  const r = spawnSync(LLVM_MC, args, { input, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.error) throw r.error;
  return { stdout: r.stdout, stderr: r.stderr };
}

/** Line numbers (1-based) of llvm-mc diagnostics whose "kind: message" matches `kind`. */
function diagnosedLines(stderr: string, kind: RegExp): Set<number> {
  const out = new Set<number>();
  for (const m of stderr.matchAll(/^<stdin>:(\d+):\d+: (error|warning): (.*)$/gm)) {
    if (kind.test(`${m[2]}: ${m[3]}`)) out.add(Number(m[1]));
  }
  return out;
}

const MARK = '__plmark_';

/**
 * Assembles each line with `llvm-mc -show-encoding`: the 32-bit word, or null
 * where llvm-mc reports an error (or the line does not give exactly one
 * instruction word).
 */
export function llvmEncode(lines: readonly string[], mattr = DEFAULT_MATTR): (number | null)[] {
  if (lines.length === 0) return [];
  // line 2i+1 is marker i, line 2i+2 is input i
  const input: string[] = [];
  lines.forEach((l, i) => {
    if (/[\n\r]/.test(l)) throw new Error(`llvmEncode: line ${i} contains a newline`);
    input.push(`${MARK}${i}:`, l);
  });
  input.push(`${MARK}${lines.length}:`);
  const { stdout, stderr } = run(['-triple=aarch64', `-mattr=${mattr}`, '-show-encoding'], input.join('\n') + '\n');
  const errors = diagnosedLines(stderr, /^error/);
  const words: (number | null)[] = new Array(lines.length).fill(null);
  const counts: number[] = new Array(lines.length).fill(0);
  let cur = -1;
  for (const l of stdout.split('\n')) {
    const m = l.match(/^__plmark_(\d+):/);
    if (m) {
      cur = Number(m[1]);
      continue;
    }
    const e = l.match(/encoding: \[([^\]]*)\]/);
    if (!e || cur < 0 || cur >= lines.length) continue;
    counts[cur]++;
    const bytes = e[1].split(',').map((b) => b.trim());
    if (bytes.length !== 4 || !bytes.every((b) => /^0x[0-9a-f]{1,2}$/i.test(b))) continue;
    const [b0, b1, b2, b3] = bytes.map((b) => parseInt(b, 16));
    words[cur] = (b0 | (b1 << 8) | (b2 << 16) | (b3 << 24)) >>> 0;
  }
  for (let i = 0; i < lines.length; i++) {
    if (counts[i] !== 1 || errors.has(2 * i + 2)) words[i] = null;
  }
  return words;
}

// A marker word placed after every input word: brk #0xdead.
const MARK_WORD = (0xd4200000 | (0xdead << 5)) >>> 0;
const MARK_TEXT = 'brk #0xdead';

function wordLine(w: number): string {
  const b = [w & 0xff, (w >>> 8) & 0xff, (w >>> 16) & 0xff, (w >>> 24) & 0xff];
  return b.map((x) => '0x' + x.toString(16).padStart(2, '0')).join(' ');
}

/** Normalises whitespace: trims and collapses every run of blanks (llvm's tab after the mnemonic) to one space. */
export function normaliseAsm(text: string): string {
  return text.trim().replace(/\s+/g, ' ');
}

/**
 * Disassembles each word with `llvm-mc -disassemble`: the text (whitespace
 * normalised), or null where llvm-mc calls the encoding invalid. Encodings
 * llvm-mc merely warns about ("potentially undefined") still give their text.
 */
export function llvmDisassemble(words: readonly number[], mattr = DEFAULT_MATTR): (string | null)[] {
  if (words.length === 0) return [];
  // line 2i+1 is input i, line 2i+2 is the marker after it
  const input: string[] = [];
  for (const w of words) input.push(wordLine(w >>> 0), wordLine(MARK_WORD));
  const { stdout, stderr } = run(['-triple=aarch64', `-mattr=${mattr}`, '-disassemble'], input.join('\n') + '\n');
  const invalid = diagnosedLines(stderr, /invalid instruction encoding/);
  const out: (string | null)[] = new Array(words.length).fill(null);
  const texts = stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && l !== '.text');
  let k = 0;
  for (let i = 0; i < words.length; i++) {
    const got: string[] = [];
    // the marker ends this input's output, unless the input is the marker word itself
    let skipMarker = (words[i] >>> 0) === MARK_WORD && !invalid.has(2 * i + 1);
    while (k < texts.length) {
      const t = normaliseAsm(texts[k++]);
      if (t === MARK_TEXT) {
        if (skipMarker) {
          skipMarker = false;
          got.push(t);
          continue;
        }
        break;
      }
      got.push(t);
    }
    if (invalid.has(2 * i + 1)) {
      if (got.length) throw new Error(`llvmDisassemble: output for invalid word ${wordLine(words[i])}`);
      continue;
    }
    if (got.length !== 1) throw new Error(`llvmDisassemble: ${got.length} lines for ${wordLine(words[i])}: ${got.join(' | ')}`);
    out[i] = got[0];
  }
  return out;
}

// ---- llvm-objdump ----------------------------------------------------------------------------

export const LLVM_OBJDUMP = process.env.LLVM_OBJDUMP ?? 'llvm-objdump';

/** Whether llvm-mc and llvm-objdump can both be run. */
export function haveLlvmObjdump(): boolean {
  if (!haveLlvmMc()) return false;
  const r = spawnSync(LLVM_OBJDUMP, ['--version'], { encoding: 'utf8' });
  return r.status === 0 && /LLVM/i.test(r.stdout);
}

/**
 * `llvm-objdump -d` of the words placed at `vma` in a section whose first
 * word carries the symbol `sym`: the text of each word (whitespace
 * normalised, symbol suffixes such as ` <sym+0x10>` kept), null where
 * objdump prints `<unknown>`.
 */
export function llvmObjdump(words: readonly number[], vma: bigint, sym = 'start'): (string | null)[] {
  const dir = mkdtempSync(join(tmpdir(), 'patchlab-llvm-'));
  try {
    const src = join(dir, 'in.s');
    const obj = join(dir, 'in.o');
    writeFileSync(src, ['.text', `.globl ${sym}`, `${sym}:`, ...words.map((w) => `.inst 0x${(w >>> 0).toString(16)}`)].join('\n') + '\n');
    const mc = spawnSync(LLVM_MC, ['-triple=aarch64', `-mattr=${DEFAULT_MATTR}`, '-filetype=obj', src, '-o', obj], { encoding: 'utf8' });
    if (mc.status !== 0) throw new Error(`llvm-mc: ${mc.stderr}`);
    const od = spawnSync(LLVM_OBJDUMP, ['-d', `--mattr=${DEFAULT_MATTR}`, `--adjust-vma=0x${vma.toString(16)}`, '--no-show-raw-insn', obj], {
      encoding: 'utf8', maxBuffer: 1 << 28,
    });
    if (od.status !== 0) throw new Error(`llvm-objdump: ${od.stderr}`);
    const out: (string | null)[] = new Array(words.length).fill(null);
    for (const m of od.stdout.matchAll(/^\s*([0-9a-f]+):\s+(.*)$/gm)) {
      const i = Number((BigInt('0x' + m[1]) - vma) / 4n);
      if (i >= 0 && i < words.length) out[i] = /<unknown>/.test(m[2]) ? null : normaliseAsm(m[2]);
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- encodings llvm-mc's assembler does not give back ------------------------------------------

// The pair forms LLVM 14 checks (its lists are not symmetric: LDPSW
// post-indexed is checked for Rt == Rt2 rather than for its writeback base).
const PAIR_SAME_RT = new Set(['LDP_w_off', 'LDP_x_off', 'LDPSW_off', 'LDPSW_post']);
const PAIR_WRITEBACK = new Set([
  'LDP_w_pre', 'LDP_w_post', 'LDP_x_pre', 'LDP_x_post', 'LDPSW_pre', 'STP_w_pre', 'STP_w_post', 'STP_x_pre', 'STP_x_post',
]);

/** Why a disassembled encoding does not assemble back to the same word. */
export interface Exclusion {
  /**
   * 'text': the text does not determine the word (any assembler gives another
   * encoding); 'unpredictable': llvm-mc rejects the register combination.
   */
  readonly kind: 'text' | 'unpredictable';
  readonly reason: string;
}

/**
 * Why llvm-mc would not assemble our disassembly of this encoding back to the
 * same word, or null. These are rules about the encoding, not about our text:
 *  - (text) a logical immediate whose immr reaches beyond the element size:
 *    the decoder ignores the high bits, assemblers emit the canonical encoding;
 *  - (text) SYS aliases without a register operand (ic iallu, tlbi
 *    vmalle1is...) with Rt other than 31: llvm prints the alias without Rt;
 *  - (unpredictable) register combinations llvm-mc rejects: store-exclusive
 *    status register equal to a source (Rt, Rt2, or Rn other than sp),
 *    LDP/LDPSW with Rt == Rt2 and pre/post-indexed pairs and single
 *    registers with the base equal to a transfer register (other than sp),
 *    in the forms PAIR_SAME_RT and PAIR_WRITEBACK list.
 */
export function llvmAsmExclusion(row: Row, f: Fields): Exclusion | null {
  const text = (reason: string): Exclusion => ({ kind: 'text', reason });
  const unpredictable = (reason: string): Exclusion => ({ kind: 'unpredictable', reason });
  if (row.pd === 'log_imm') {
    const len = 31 - Math.clz32((f.N << 6) | (~f.imms & 0x3f));
    if (len >= 1 && f.immr >= 1 << len) return text('non-canonical logical immediate (immr beyond the element size)');
  }
  if (row.id === 'SYS' && f.Rt !== 31) {
    const op = findSysOp(f.op1, f.CRn, f.CRm, f.op2);
    if (op && !op.reg) return text(`${op.kind} ${op.name} takes no register`);
  }
  if (row.id === 'STXR' || row.id === 'STLXR' || row.id === 'STXP' || row.id === 'STLXP') {
    const pair = row.pd === 'exclp';
    if (f.Rs === f.Rt || (pair && f.Rs === f.Rt2) || (f.Rs === f.Rn && f.Rn !== 31)) {
      return unpredictable('store-exclusive status register is also a source');
    }
  }
  if (PAIR_SAME_RT.has(row.id) && f.Rt === f.Rt2) return unpredictable('LDP with Rt == Rt2');
  if (PAIR_WRITEBACK.has(row.id) && f.Rn !== 31 && (f.Rn === f.Rt || f.Rn === f.Rt2)) {
    return unpredictable('pair writeback base is a transfer register');
  }
  if (row.pd === 'ldst_imm9' && (f.idx === 1 || f.idx === 3) && f.Rn !== 31 && f.Rn === f.Rt) {
    return unpredictable('writeback base is the transfer register');
  }
  return null;
}
