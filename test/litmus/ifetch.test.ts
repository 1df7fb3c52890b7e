// The instruction-fetch model against the verdicts of Simner et al. (ESOP
// 2020) for the project's own tests (test/litmus/ifetch/*.litmus, verdicts
// in kinds.txt beside them): allowed outcomes are reached, forbidden ones
// never, required ones in every execution.
//
// What this catches: a model in which stale instructions cannot run (SM,
// CoFF, MP.RF without maintenance would be Forbidden), in which cache
// maintenance does not take effect or does not need every step (SM and
// MP.RF with DC/IC/ISB, CoFF+cachesync would be Allowed), fetches that are
// not ahead of execution, DC CVAU ordered by a DMB LD, a fetched word not
// executed as what it decodes to (XB, NOP-BL would run the old code).

import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildProgram, explore, readLitmus, runLitmus } from '../../bindings/litmus/index.ts';

const DIR = join(import.meta.dirname, 'ifetch');
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.litmus')).sort();

describe('the instruction-fetch tests have the published verdicts', () => {
  const results = runLitmus(FILES.map((f) => join(DIR, f)));
  for (const r of results) {
    it(`${r.name}: ${r.expected}`, () => {
      expect(r.expected, 'every test has an expected verdict in kinds.txt').not.toBeNull();
      expect(r.bounded).toBe(false);
      expect(r.outcomes.length).toBeGreaterThan(0);
      if (r.expected === 'Forbidden') expect(r.witnesses, r.outcomes.join('\n')).toEqual([]);
      if (r.expected === 'Allowed') expect(r.witnesses.length, r.outcomes.join('\n')).toBeGreaterThan(0);
      if (r.expected === 'Required') expect(r.witnesses, r.outcomes.join('\n')).toEqual(r.outcomes);
      expect(r.matches).toBe(true);
    });
  }
  it('covers every shape named', () => {
    const names = results.map((r) => r.name);
    for (const n of ['SM', 'SM+cachesync-isb', 'CoFF', 'CoFF+cachesync', 'CoFR', 'MP.RF+dmb+ctrl-isb', 'MP.RF+cachesync+ctrl-isb', 'XB+cachesync+ctrl-isb']) {
      expect(names).toContain(n);
    }
  });
});

describe('outcomes', () => {
  it('SM: the old branch and the NOP both run, nothing else', () => {
    const [r] = runLitmus([join(DIR, 'SM.litmus')]);
    expect(r.outcomes).toEqual(['0:X9=0;', '0:X9=1;']);
  });
  it('CoFF+cachesync: every pair of calls but (new, initial); (initial, second) and (second, new) among them', () => {
    const [r] = runLitmus([join(DIR, 'CoFF+cachesync.litmus')]);
    expect(r.outcomes).not.toContain('1:X1=1; 1:X2=0;');
    expect(r.outcomes).toContain('1:X1=0; 1:X2=2;');
    expect(r.outcomes).toContain('1:X1=2; 1:X2=1;');
    expect(r.outcomes).toContain('1:X1=1; 1:X2=2;'); // the NOP, then the older B .+12: fetches need not be coherent
  });
  it('XB: a concurrently retargeted branch goes to the old or the new target, never falls through', () => {
    const [r] = runLitmus([join(DIR, 'XB.litmus')]);
    expect(r.outcomes).toEqual(['1:X9=1;', '1:X9=2;']);
  });
});

describe('the tests can fail', () => {
  it('without fetching ahead, MP.RF+cachesync+addr loses the outcome only fetching ahead gives', () => {
    for (const f of ['MP.RF+cachesync+addr.litmus']) {
      const p = buildProgram(readLitmus(join(DIR, f)));
      expect(explore(p).reachable, f).toBe(true);
      expect(explore(p, { fetchAhead: 1 }).reachable, `${f} with fetch-ahead 1`).toBe(false);
    }
  });
  it('a wrong expected verdict is reported as a mismatch', () => {
    const r = runLitmus([join(DIR, 'SM+cachesync-isb.litmus')], { sidecar: false });
    expect(r[0].expected).toBeNull();
    expect(r[0].matches).toBeNull();
    expect(r[0].verdict).toBe('Forbidden');
  });
});

describe('the reductions of the search', () => {
  it('give the same outcomes as interleaving every step, in fewer states', () => {
    let full = 0;
    let reduced = 0;
    for (const f of FILES) {
      const p = buildProgram(readLitmus(join(DIR, f)));
      const a = explore(p);
      const b = explore(p, { reduce: false });
      expect(a.outcomes.map((o) => [o.text, o.satisfies]), f).toEqual(b.outcomes.map((o) => [o.text, o.satisfies]));
      expect(a.explored, f).toBeLessThanOrEqual(b.explored);
      full += b.explored;
      reduced += a.explored;
    }
    expect(reduced * 4).toBeLessThan(full);
  });
});

describe('the bound', () => {
  it('stops the search and says so', () => {
    const p = buildProgram(readLitmus(join(DIR, 'CoFF+cachesync.litmus')));
    const full = explore(p);
    const cut = explore(p, { bound: 100 });
    expect(full.bounded).toBe(false);
    expect(full.explored).toBeGreaterThan(100);
    expect(cut.bounded).toBe(true);
    expect(cut.explored).toBe(100);
  });
  it('a witness found under a bound still counts; Forbidden under a bound is Unknown', () => {
    const [a] = runLitmus([join(DIR, 'CoFF.litmus')], { bound: 1_000_000 });
    expect(a.bounded).toBe(false);
    const [b] = runLitmus([join(DIR, 'MP.RF+cachesync+ctrl-isb.litmus')], { bound: 50 });
    expect(b.bounded).toBe(true);
    expect(b.verdict).toBe('Unknown');
    expect(b.matches).toBeNull();
  });
});
