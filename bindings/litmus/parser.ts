// Reader of herd7's litmus format for AArch64:
//
//   AArch64 NAME
//   ["doc string"] [Key=Value lines]
//   { 0:X1=P1:L0; 0:X2=instr:"B .+12"; ins_t 0:X8=NOP; [x]=P1:Lend; x=1; ... }
//    P0          | P1          ;
//    STR W0,[X1] | L0: B L1    ;
//   [locations [x; 1:X2;]] [filter PROP]
//   exists | ~exists | forall PROP
//
// `(* ... *)` comments may appear anywhere. Every error names the file, the
// line and what was expected there.

import { LitmusError } from './errors.ts';
import type { CodeLine, Condition, InitEntry, LitmusTest, Observable, Prop, Quantifier, ThreadCode, Value } from './ast.ts';

/** Replaces `(* ... *)` comments by spaces, keeping every newline so that line numbers stay right. */
function stripComments(src: string, file: string): string {
  let out = '';
  let i = 0;
  while (i < src.length) {
    if (src.startsWith('(*', i)) {
      const end = src.indexOf('*)', i + 2);
      if (end < 0) throw new LitmusError('parse', 'unterminated comment', file, lineAt(src, i), "'*)'");
      out += src.slice(i, end + 2).replace(/[^\n]/g, ' ');
      i = end + 2;
    } else {
      out += src[i++];
    }
  }
  return out;
}

function lineAt(src: string, offset: number): number {
  let n = 1;
  for (let i = 0; i < offset && i < src.length; i++) if (src[i] === '\n') n++;
  return n;
}

const THREAD_REG = /^(\d+):([A-Za-z][A-Za-z0-9_]*)$/;
const LABEL_REF = /^P(\d+):([A-Za-z_.$][\w.$]*)$/;
const IDENT = /^[A-Za-z_][\w.]*$/;
const NUMBER = /^-?(0x[0-9a-fA-F]+|\d+)$/;

class ValueParser {
  constructor(
    readonly file: string,
    readonly line: number,
  ) {}

  fail(msg: string, expected?: string): never {
    throw new LitmusError('parse', msg, this.file, this.line, expected);
  }

  value(text: string): Value {
    const t = text.trim();
    if (NUMBER.test(t)) return { kind: 'int', value: BigInt(t.replace(/^-/, '')) * (t.startsWith('-') ? -1n : 1n) };
    let m = /^(label|instr):"([^"]*)"$/.exec(t);
    if (m) {
      if (m[1] === 'instr') return { kind: 'instr', text: m[2].trim() };
      const l = LABEL_REF.exec(m[2].trim());
      if (!l) this.fail(`bad label reference '${m[2]}'`, "a label of a thread such as 'P1:L0'");
      return { kind: 'label', thread: Number(l[1]), label: l[2] };
    }
    m = LABEL_REF.exec(t);
    if (m) return { kind: 'label', thread: Number(m[1]), label: m[2] };
    if (/^nop$/i.test(t)) return { kind: 'instr', text: 'NOP' };
    if (IDENT.test(t)) return { kind: 'loc', name: t };
    this.fail(`bad value '${t}'`, 'an integer, a location, a label such as P1:L0, NOP or instr:"..."');
  }

  observable(text: string): Observable {
    const t = text.trim();
    const r = THREAD_REG.exec(t);
    if (r) return { kind: 'reg', thread: Number(r[1]), reg: r[2].toUpperCase() };
    const b = /^\[\s*([A-Za-z_][\w.]*)\s*\]$/.exec(t);
    if (b) return { kind: 'mem', name: b[1] };
    if (IDENT.test(t)) return { kind: 'mem', name: t };
    this.fail(`bad location '${t}'`, "a register such as '1:X2' or a location such as 'x'");
  }
}

/** Types herd7 accepts in front of an initial-state entry. */
const TYPE_WORD = /^(ins_t|void|u?int(8|16|32|64)?_t|u?int|int|long|char|short|intptr_t|pteval_t|[A-Za-z_]\w*_t)\b\s*/;

function parseInit(body: string, bodyOffset: number, src: string, file: string, unmodelled: CodeLine[]): InitEntry[] {
  const out: InitEntry[] = [];
  let offset = bodyOffset;
  for (const raw of splitTop(body, ';')) {
    const line = lineAt(src, offset + raw.length - raw.trimStart().length);
    offset += raw.length + 1;
    let e = raw.trim();
    if (!e) continue;
    const p = new ValueParser(file, line);
    e = e.replace(TYPE_WORD, '');
    const eq = e.indexOf('=');
    if (eq < 0) {
      // a declaration without a value (`ins_t *1:X9`, `uint64_t x`): nothing to set
      const d = e.replace(/^\*\s*/, '');
      if (THREAD_REG.test(d) || IDENT.test(d)) continue;
      p.fail(`bad initial-state entry '${raw.trim()}'`, "'REG=VALUE' or 'LOCATION=VALUE'");
    }
    const lhs = e.slice(0, eq).trim().replace(/^\*\s*/, '');
    const rhs = e.slice(eq + 1).trim();
    if (/^\(.*\)$/.test(rhs)) {
      unmodelled.push({ text: `page-table entry '${raw.trim()}'`, line }); // translation is not modelled
      continue;
    }
    out.push({ target: p.observable(lhs), value: p.value(rhs), line });
  }
  return out;
}

/** Splits at `sep` outside of double quotes. */
function splitTop(s: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (const ch of s) {
    if (ch === '"') quoted = !quoted;
    if (ch === sep && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

const CONDITION_START = /^\s*(~\s*exists|exists|forall|locations|filter)\b/;

function parseCode(lines: { text: string; line: number }[], file: string): { threads: ThreadCode[]; handlers: ThreadCode[] } {
  const rows = lines.filter((l) => l.text.trim() !== '');
  if (!rows.length) throw new LitmusError('parse', 'no code', file, lines[0]?.line, "a row of thread names such as 'P0 | P1 ;'");
  const head = rows[0];
  const names = head.text.trim().replace(/;\s*$/, '').split('|').map((s) => s.trim());
  names.forEach((n) => {
    if (!/^P\d+(\.F)?$/.test(n)) throw new LitmusError('parse', `bad thread name '${n}'`, file, head.line, "'P0', 'P1', ... (or 'P1.F' for a fault handler)");
  });
  const cols: CodeLine[][] = names.map(() => []);
  for (const r of rows.slice(1)) {
    const t = r.text.trim();
    if (!t.endsWith(';')) throw new LitmusError('parse', `row does not end with ';'`, file, r.line, "';' at the end of every code row");
    const cells = t.slice(0, -1).split('|');
    if (cells.length > names.length) {
      throw new LitmusError('parse', `row has ${cells.length} columns, the header ${names.length}`, file, r.line, `at most ${names.length} columns`);
    }
    cells.forEach((c, i) => {
      if (c.trim() !== '') cols[i].push({ text: c.trim(), line: r.line });
    });
  }
  const threads: ThreadCode[] = [];
  const handlers: ThreadCode[] = [];
  names.forEach((n, i) => {
    const tc: ThreadCode = { name: n, index: Number(n.slice(1).replace(/\.F$/, '')), lines: cols[i] };
    (n.endsWith('.F') ? handlers : threads).push(tc);
  });
  threads.forEach((t, i) => {
    if (t.index !== i) throw new LitmusError('parse', `thread ${t.name} out of order`, file, head.line, `P${i}`);
  });
  return { threads, handlers };
}

// ---- conditions -------------------------------------------------------------

interface Tok {
  readonly t: string;
  readonly line: number;
}

function tokenize(text: string, firstLine: number): Tok[] {
  const out: Tok[] = [];
  let line = firstLine;
  let i = 0;
  const re = /\/\\|\\\/|[~()=[\];]|(label|instr):"[^"]*"|P\d+:[A-Za-z_.$][\w.$]*|\d+:[A-Za-z]\w*|-?0x[0-9a-fA-F]+|-?\d+|[A-Za-z_][\w.]*/y;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '\n') {
      line++;
      i++;
      continue;
    }
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    re.lastIndex = i;
    const m = re.exec(text);
    if (!m) throw new LitmusError('parse', `unexpected '${text.slice(i).split(/\s/)[0]}' in the condition`, undefined, line);
    out.push({ t: m[0], line });
    i += m[0].length;
  }
  return out;
}

class CondParser {
  private i = 0;
  constructor(
    readonly toks: Tok[],
    readonly file: string,
    readonly lastLine: number,
  ) {}

  peek(): string | undefined {
    return this.toks[this.i]?.t;
  }
  line(): number {
    return this.toks[this.i]?.line ?? this.lastLine;
  }
  fail(msg: string, expected: string): never {
    throw new LitmusError('parse', msg, this.file, this.line(), expected);
  }
  eat(t: string, expected = `'${t}'`): void {
    if (this.peek() !== t) this.fail(this.peek() === undefined ? 'end of file' : `unexpected '${this.peek()}'`, expected);
    this.i++;
  }
  next(expected: string): string {
    const t = this.peek();
    if (t === undefined) this.fail('end of file', expected);
    this.i++;
    return t;
  }
  done(): boolean {
    return this.i >= this.toks.length;
  }

  prop(): Prop {
    const args = [this.conj()];
    while (this.peek() === '\\/') {
      this.i++;
      args.push(this.conj());
    }
    return args.length === 1 ? args[0] : { op: 'or', args };
  }
  conj(): Prop {
    const args = [this.unary()];
    while (this.peek() === '/\\') {
      this.i++;
      args.push(this.unary());
    }
    return args.length === 1 ? args[0] : { op: 'and', args };
  }
  unary(): Prop {
    const t = this.peek();
    if (t === '~') {
      this.i++;
      return { op: 'not', arg: this.unary() };
    }
    if (t === '(') {
      this.i++;
      const p = this.prop();
      this.eat(')');
      return p;
    }
    if (t === 'true' || t === 'false') {
      this.i++;
      return { op: t };
    }
    return this.atom();
  }
  atom(): Prop {
    const vp = new ValueParser(this.file, this.line());
    let lhs: Observable;
    if (this.peek() === '[') {
      this.i++;
      const name = this.next('a location name');
      this.eat(']');
      lhs = vp.observable(`[${name}]`);
    } else {
      const t = this.next("a register such as '1:X2' or a location");
      if (!THREAD_REG.test(t) && !IDENT.test(t)) this.fail(`unexpected '${t}'`, "a register such as '1:X2' or a location");
      lhs = vp.observable(t);
    }
    this.eat('=', "'=' (herd7 conditions compare with '=')");
    const v = this.next('a value');
    if (v === '=') this.fail("'=='", "a single '=' (herd7 conditions compare with '=')");
    return { op: 'eq', lhs, rhs: vp.value(v) };
  }
  observables(): Observable[] {
    this.eat('[');
    const out: Observable[] = [];
    while (this.peek() !== ']') {
      const vp = new ValueParser(this.file, this.line());
      const t = this.next("']' closing the locations");
      if (t === ';') continue;
      if (t === '[') {
        const n = this.next('a location name');
        this.eat(']');
        out.push(vp.observable(`[${n}]`));
      } else out.push(vp.observable(t));
    }
    this.eat(']');
    return out;
  }
}

/** Parses one litmus file. */
export function parseLitmus(source: string, file = '<litmus>'): LitmusTest {
  const src = stripComments(source.replace(/\r\n?/g, '\n'), file);
  const lines = src.split('\n');
  let li = 0;
  while (li < lines.length && lines[li].trim() === '') li++;
  if (li >= lines.length) throw new LitmusError('parse', 'empty file', file, 1, "'AArch64 NAME'");
  const title = /^\s*(\S+)\s+(\S+)\s*$/.exec(lines[li]);
  if (!title) throw new LitmusError('parse', `bad title line '${lines[li].trim()}'`, file, li + 1, "'AArch64 NAME'");
  if (title[1] !== 'AArch64') throw new LitmusError('unsupported', `architecture '${title[1]}'`, file, li + 1, "'AArch64'");
  const name = title[2];
  li++;
  const info: Record<string, string> = {};
  // between the title and '{': doc strings and Key=Value lines
  const braceAt = src.indexOf('{', lines.slice(0, li).join('\n').length);
  if (braceAt < 0) throw new LitmusError('parse', 'no initial state', file, lines.length, "'{' starting the initial state");
  const braceLine = lineAt(src, braceAt);
  for (; li < braceLine - 1; li++) {
    const l = lines[li].trim();
    if (l === '' || /^".*"$/.test(l)) continue;
    const kv = /^([A-Za-z][\w-]*)\s*=\s*(.*)$/.exec(l);
    if (!kv) throw new LitmusError('parse', `unexpected '${l}' before the initial state`, file, li + 1, "'{', a \"doc string\" or a Key=Value line");
    info[kv[1]] = kv[2].trim();
  }
  const before = lines[braceLine - 1].slice(0, lines[braceLine - 1].indexOf('{')).trim();
  if (before !== '') throw new LitmusError('parse', `unexpected '${before}' before '{'`, file, braceLine, "'{'");
  const closeAt = src.indexOf('}', braceAt);
  if (closeAt < 0) throw new LitmusError('parse', 'initial state not closed', file, lines.length, "'}' closing the initial state");
  const unmodelled: CodeLine[] = [];
  const init = parseInit(src.slice(braceAt + 1, closeAt), braceAt + 1, src, file, unmodelled);
  const afterLine = lineAt(src, closeAt);
  const rest = lines[afterLine - 1].slice(lines[afterLine - 1].indexOf('}') + 1);
  const codeLines: { text: string; line: number }[] = [];
  if (rest.trim() !== '') codeLines.push({ text: rest, line: afterLine });
  let ci = afterLine;
  for (; ci < lines.length && !CONDITION_START.test(lines[ci]); ci++) codeLines.push({ text: lines[ci], line: ci + 1 });
  if (ci >= lines.length) throw new LitmusError('parse', 'no final condition', file, lines.length, "'exists', '~exists' or 'forall'");
  const { threads, handlers } = parseCode(codeLines, file);

  let toks: Tok[];
  try {
    toks = tokenize(lines.slice(ci).join('\n'), ci + 1);
  } catch (e) {
    if (e instanceof LitmusError) throw new LitmusError('parse', e.message, file, e.line, 'a condition');
    throw e;
  }
  const cp = new CondParser(toks, file, lines.length);
  let locations: Observable[] = [];
  let filter: Prop | undefined;
  let condition: Condition | undefined;
  while (!cp.done()) {
    const line = cp.line();
    const t = cp.next("'exists', '~exists' or 'forall'");
    if (t === 'locations') {
      locations = locations.concat(cp.observables());
      if (cp.peek() === ';') cp.eat(';');
    } else if (t === 'filter') {
      filter = cp.prop();
    } else if (t === 'exists' || t === 'forall' || (t === '~' && cp.peek() === 'exists')) {
      if (condition) cp.fail('a second condition', 'one final condition');
      let q: Quantifier = t as Quantifier;
      if (t === '~') {
        cp.eat('exists');
        q = '~exists';
      }
      condition = { quantifier: q, prop: cp.prop(), line };
      if (cp.peek() === ';') cp.eat(';');
    } else {
      cp.fail(`unexpected '${t}'`, "'exists', '~exists', 'forall', 'locations' or 'filter'");
    }
  }
  if (!condition) throw new LitmusError('parse', 'no final condition', file, lines.length, "'exists', '~exists' or 'forall'");
  return { file, arch: 'AArch64', name, info, init, unmodelled, threads, handlers, locations, filter, condition };
}
