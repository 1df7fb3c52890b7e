// The herd7 litmus reader: every construct of the published instruction-fetch
// tests (test/litmus/syntax/*.litmus, written in that syntax and checked by
// hand against herdtools7's catalogue/aarch64-ifetch), and typed errors
// naming the file, the line and what was expected.
//
// What this catches: a construct of the published files that is refused or
// read wrongly (a value kind, a declaration without value, a location
// holding a label, a label alone on a row, the fault-handler column), a
// condition parsed with the wrong precedence, and errors that are untyped,
// point at the wrong line or say nothing of what was expected.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildProgram, formatProp, LitmusError, parseLitmus, runLitmus } from '../../bindings/litmus/index.ts';

const SYNTAX = join(import.meta.dirname, 'syntax');
const read = (f: string): string => readFileSync(join(SYNTAX, f), 'utf8');

describe('published constructs', () => {
  const t = parseLitmus(read('Constructs.litmus'), 'Constructs.litmus');
  it('title and Key=Value lines', () => {
    expect(t.name).toBe('Constructs');
    expect(t.info).toEqual({ Hash: '5f0c9a4e2b7d41c3a8e6f1d09b3c7a52', Variant: 'self', Stable: 'X9' });
  });
  it('initial state: typed entries, instr:/label:/location values, [x]=label, declarations skipped', () => {
    const init = t.init.map((e) => [e.target, e.value]);
    expect(init).toContainEqual([{ kind: 'reg', thread: 0, reg: 'X8' }, { kind: 'instr', text: 'NOP' }]);
    expect(init).toContainEqual([{ kind: 'reg', thread: 0, reg: 'X7' }, { kind: 'label', thread: 1, label: 'L0' }]);
    expect(init).toContainEqual([{ kind: 'reg', thread: 0, reg: 'X3' }, { kind: 'loc', name: 'y' }]);
    expect(init).toContainEqual([{ kind: 'mem', name: 'x' }, { kind: 'label', thread: 1, label: 'Lend' }]);
    expect(init).toContainEqual([{ kind: 'mem', name: 'z' }, { kind: 'int', value: 5n }]);
    expect(init.length).toBe(8); // void *1:X1 and ins_t *1:X12 set nothing
    expect(t.init.find((e) => e.target.kind === 'mem' && e.target.name === 'x')!.line).toBe(14);
  });
  it('code columns, labels alone or before an instruction, empty cells', () => {
    expect(t.threads.map((c) => c.name)).toEqual(['P0', 'P1']);
    expect(t.threads[0].lines.map((l) => l.text)).toEqual(['STR W8,[X7]', 'MOV W2,#1', 'STR W2,[X3]']);
    expect(t.threads[1].lines.map((l) => l.text)).toContain('Lold: MOV W9,#1');
    expect(t.threads[1].lines.map((l) => l.text)).toContain('L0:');
    const p = buildProgram(t);
    expect(p.threads[1].labels.get('Lend')).toBe(p.threads[1].end);
  });
  it('locations and a condition with parentheses, disjunction and negation', () => {
    expect(t.locations).toEqual([{ kind: 'mem', name: 'y' }, { kind: 'reg', thread: 1, reg: 'X10' }]);
    expect(t.condition.quantifier).toBe('exists');
    expect(formatProp(t.condition.prop)).toBe('1:X4=5 /\\ 1:X13=1 /\\ (1:X9=1 \\/ 1:X9=2) /\\ ~(y=0)');
  });
  it('runs: register offsets, CSEL/CSET, ADR and BR, a location holding a code address', () => {
    const [r] = runLitmus([join(SYNTAX, 'Constructs.litmus')]);
    expect(r.outcomes).toEqual(['1:X4=5; 1:X13=1; 1:X9=1; y=1; 1:X10=0;', '1:X4=5; 1:X13=1; 1:X9=2; y=1; 1:X10=0;']);
    expect(r.verdict).toBe('Required');
  });
  it('the fault-handler column parses, and running it is a typed "unsupported" error', () => {
    const h = parseLitmus(read('Handler.litmus'), 'Handler.litmus');
    expect(h.handlers.map((c) => c.name)).toEqual(['P1.F']);
    expect(h.handlers[0].lines.map((l) => l.text)).toContain('ERET');
    expect(() => buildProgram(h)).toThrow(expect.objectContaining({ code: 'unsupported', file: 'Handler.litmus' }));
  });
  it('a page-table entry in the initial state parses, and running it is a typed "unsupported" error', () => {
    const t = parseLitmus('AArch64 PT\n{ 0:X1=x; pte_x=(oa:phy_x); }\n P0 ;\n LDR W0,[X1] ;\nexists (0:X0=0)\n', 'pt.litmus');
    expect(t.unmodelled).toEqual([{ text: "page-table entry 'pte_x=(oa:phy_x)'", line: 2 }]);
    expect(() => buildProgram(t)).toThrow(expect.objectContaining({ code: 'unsupported', file: 'pt.litmus', line: 2 }));
  });
  it('~exists and forall', () => {
    const src = (q: string): string => `AArch64 Q\n{ 0:X0=1; }\n P0 ;\n MOV W1,W0 ;\n${q} (0:X1=1 \\/ 0:X1=2 /\\ 0:X0=3)\n`;
    const n = parseLitmus(src('~exists'));
    expect(n.condition.quantifier).toBe('~exists');
    expect(formatProp(n.condition.prop)).toBe('0:X1=1 \\/ (0:X1=2 /\\ 0:X0=3)'); // /\ binds tighter
    expect(parseLitmus(src('forall')).condition.quantifier).toBe('forall');
  });
});

/** The error parsing `src` throws. */
function errorOf(src: string, build = false): LitmusError {
  try {
    const t = parseLitmus(src, 'bad.litmus');
    if (build) buildProgram(t);
  } catch (e) {
    expect(e).toBeInstanceOf(LitmusError);
    return e as LitmusError;
  }
  throw new Error('no error');
}

const GOOD = ['AArch64 T', '{ 0:X0=NOP; 0:X1=P0:f; }', ' P0          ;', ' STR W0,[X1] ;', ' f: B g      ;', ' g:          ;', 'exists (0:X0=1)'];
const edit = (i: number, line: string): string => GOOD.map((l, k) => (k === i ? line : l)).join('\n');

describe('errors: file, line, what was expected', () => {
  it('the good file parses', () => {
    expect(() => buildProgram(parseLitmus(GOOD.join('\n')))).not.toThrow();
  });
  const cases: [string, string, number, RegExp, boolean?][] = [
    ['an architecture other than AArch64', edit(0, 'X86 T'), 1, /AArch64/],
    ['a title without a name', edit(0, 'AArch64'), 1, /AArch64 NAME/],
    ['a bad value', edit(1, '{ 0:X0=#1; 0:X1=P0:f; }'), 2, /integer/],
    ['an entry without =', edit(1, '{ 0:X0 NOP; }'), 2, /REG=VALUE/],
    ['a row without ;', edit(3, ' STR W0,[X1]'), 4, /';'/],
    ['a bad thread name', edit(2, ' Q0 ;'), 3, /P0/],
    ['too many columns', edit(3, ' STR W0,[X1] | NOP ;'), 4, /at most 1/],
    ['an unknown mnemonic', edit(4, ' f: FROB X1 ;'), 5, /A64 instruction/, true],
    ['an unknown label', edit(1, '{ 0:X0=NOP; 0:X1=P0:nowhere; }'), 2, /one of f, g/, true],
    ['a label of a missing thread', edit(1, '{ 0:X0=NOP; 0:X1=P3:f; }'), 2, /P0\.\.P0/, true],
    ['an instr: value that is not one instruction', edit(1, '{ 0:X0=instr:"B"; 0:X1=P0:f; }'), 2, /one A64 instruction/, true],
    ['== in the condition', edit(6, 'exists (0:X0==1)'), 7, /'='/],
    ['an unclosed parenthesis', edit(6, 'exists (0:X0=1'), 7, /'\)'/],
    ['no condition', GOOD.slice(0, 6).join('\n'), 6, /exists/],
    ['an unterminated comment', edit(2, ' P0 ; (* oops'), 3, /\*\)/],
    ['a register of a missing thread in the condition', edit(6, 'exists (2:X0=1)'), 7, /P0\.\.P0/, true],
  ];
  for (const [what, src, line, expected, build] of cases) {
    it(what, () => {
      const e = errorOf(src, build);
      expect(e.code === 'parse' || e.code === 'unsupported', e.message).toBe(true);
      expect(e.file).toBe('bad.litmus');
      expect(e.line, e.message).toBe(line);
      expect(e.expected, e.message).toMatch(expected);
      expect(e.message).toContain(`bad.litmus:${line}: `);
    });
  }
});
