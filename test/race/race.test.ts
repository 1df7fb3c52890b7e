// The race lab (bindings/race/): which strategies break under explored
// schedules and on real threads, and that a found failure replays.
//
// What this catches: a strategy that writes its words in an order that
// breaks (or one whose failure the lab cannot see: the checks of X9, the
// return values, the oops record and the watchdog), a replay token that does
// not reproduce the schedule, a deterministic run that depends on the host,
// a CMODX checker that misses live NOP <-> MOV or B <-> MOV writes or blames
// stop-machine's held writes, and the safe strategies failing on threads.

import { describe, expect, it } from 'vitest';
import { decodeToken, encodeToken, replayRace, searchRace } from '../../bindings/race/explore.ts';
import { RaceError, resolveRaceOptions, runRace } from '../../bindings/race/run.ts';

const SEARCH = { cpus: 2, budget: 4, seed: 7, toggles: 30 } as const;

describe('race: explored schedules (deterministic)', () => {
  for (const strategy of ['v6-runtime', 'stop-machine'] as const) {
    it(`${strategy} reaches a failure, and its token replays to the same kind, CPU and PC`, async () => {
      const s = await searchRace({ ...SEARCH, strategy, budget: 10 });
      expect(s.found, `${strategy}: no failure in ${s.schedules} schedules`).not.toBeNull();
      const f = s.found!;
      expect(f.token).toMatch(/^race1-/);
      expect(f.timeline.length).toBeGreaterThan(0);
      // the timeline shows the writes of the strategy before the failure
      expect(f.timeline.some((e) => e.kind === 'write')).toBe(true);
      const again = await replayRace(f.token!);
      expect(again.found).not.toBeNull();
      expect({ kind: again.found!.kind, cpu: again.found!.cpu, pc: again.found!.pc }).toEqual({ kind: f.kind, cpu: f.cpu, pc: f.pc });
      // instruction for instruction: a second replay retires exactly as many
      const third = await replayRace(f.token!);
      expect([third.insns, third.calls, third.toggles]).toEqual([again.insns, again.calls, again.toggles]);
    }, 240_000);
  }

  for (const strategy of ['init-mov', 'rcu-tasks', 'b-plus-2'] as const) {
    it(`${strategy} reaches none under the same search`, async () => {
      const s = await searchRace({ ...SEARCH, strategy });
      expect(s.found, JSON.stringify(s.found && { kind: s.found.kind, detail: s.found.detail })).toBeNull();
      expect(s.schedules).toBe(SEARCH.budget);
      expect(s.toggles).toBeGreaterThanOrEqual(SEARCH.budget * SEARCH.toggles);
      expect(s.calls).toBeGreaterThan(0);
    }, 240_000);
  }

  it('the CMODX checker counts the live writes outside the list: NOP <-> MOV, B <-> MOV; none for init-mov or held writes', async () => {
    const one = (strategy: 'v6-runtime' | 'init-mov' | 'b-plus-2' | 'rcu-tasks' | 'stop-machine') =>
      runRace({ strategy, mode: 'deterministic', seed: 3, toggles: 10, cpus: 2 });
    const [v6, im, b2, rcu, sm] = await Promise.all([one('v6-runtime'), one('init-mov'), one('b-plus-2'), one('rcu-tasks'), one('stop-machine')]);
    expect(im.cmodxViolations).toBe(0);
    expect(im.cmodx.allowed).toBeGreaterThan(0);
    expect(sm.cmodxViolations).toBe(0);
    expect(sm.cmodx.quiescent).toBeGreaterThan(0);
    // 4 entry words per toggle, while the other CPU runs; a run that failed early made fewer toggles
    for (const r of [v6, b2, rcu]) {
      expect(r.cmodxViolations, r.strategy).toBeGreaterThanOrEqual(4 * (r.toggles - 1));
      expect(r.cmodxViolations, r.strategy).toBeGreaterThan(0);
    }
  }, 240_000);

  it('the same options give the same run (instructions, calls, toggles)', async () => {
    const o = { strategy: 'init-mov', mode: 'deterministic', seed: 11, toggles: 8 } as const;
    const [a, b] = [await runRace(o), await runRace(o)];
    expect([a.insns, a.calls, a.toggles]).toEqual([b.insns, b.calls, b.toggles]);
  }, 120_000);
});

describe('race: real threads', () => {
  for (const strategy of ['init-mov', 'rcu-tasks'] as const) {
    it(`${strategy}: no failure in thousands of toggles`, async () => {
      const r = await runRace({ strategy, mode: 'threads', cpus: 2, toggles: 2000 });
      expect(r.found, JSON.stringify(r.found && { kind: r.found.kind, detail: r.found.detail })).toBeNull();
      expect(r.toggles).toBeGreaterThanOrEqual(2000);
      expect(r.calls).toBeGreaterThan(0);
    }, 240_000);
  }
});

describe('race: options and tokens', () => {
  it('bad options are RaceError bad-option naming the option', () => {
    for (const [o, re] of [
      [{ strategy: 'yolo' }, /strategy must be one of/],
      [{ cpus: 1 }, /cpus must be an integer 2\.\.8/],
      [{ toggles: 0 }, /toggles/],
      [{ mode: 'fast' }, /mode must be one of/],
      [{ tick: 10 }, /tick/],
      [{ patcher: 'elsewhere' }, /patcher/],
    ] as const) {
      expect(() => resolveRaceOptions(o as never)).toThrow(re);
      try {
        resolveRaceOptions(o as never);
      } catch (err) {
        expect(err).toBeInstanceOf(RaceError);
        expect((err as RaceError).code).toBe('bad-option');
      }
    }
  });

  it('a token round-trips its options; a damaged one is RaceError bad-token', () => {
    const cfg = resolveRaceOptions({ strategy: 'b-plus-2', mode: 'deterministic', seed: 99, tick: 12345, cpus: 4 });
    const o = decodeToken(encodeToken(cfg));
    expect(resolveRaceOptions(o)).toMatchObject({ strategy: 'b-plus-2', seed: 99, tick: 12345, cpus: 4, mode: 'deterministic' });
    for (const bad of ['nope', 'race1-!!!', `race1-${Buffer.from('[1,2]').toString('base64url')}`]) {
      expect(() => decodeToken(bad)).toThrow(RaceError);
    }
    const wrong = encodeToken(cfg).replace(/^race1-/, '');
    const tampered = JSON.parse(Buffer.from(wrong, 'base64url').toString());
    tampered[1] = 99; // 99 CPUs
    expect(() => decodeToken(`race1-${Buffer.from(JSON.stringify(tampered)).toString('base64url')}`)).toThrow(/cpus must be/);
  });
});
