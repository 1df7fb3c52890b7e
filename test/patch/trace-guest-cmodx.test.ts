// `trace --patcher guest`: the kernel's own ftrace_modify_code stores are
// CMODX events. Every NOP <-> BL site write of the guest patcher is counted
// as allowed, one per write, and none is a violation; the host-patched run
// of the same trace has no guest events at all, and both count the same
// hits.

import { describe, expect, it } from 'vitest';
import { trace } from '../../bindings/index.ts';

const HOT = ['fill_message', 'ksys_write', 'check_message'];
const SIZE = { groups: 2, fds: 4, loops: 10 };

describe.each(['deterministic', 'threads'] as const)('%s mode', (mode) => {
  it.each([2, 4])('on %i CPUs: the guest patcher\'s site writes are allowed CMODX events, one per write', async (cpus) => {
    const host = await trace({ tracer: 'function', profile: true, filter: HOT, cpus, mode, patcher: 'host', ...SIZE });
    const guest = await trace({ tracer: 'function', profile: true, filter: HOT, cpus, mode, patcher: 'guest', ...SIZE });
    const writes = guest.guestPatch!.done - guest.guestPatch!.refused;
    expect(writes).toBe(2 * HOT.length); // on, then off
    expect(guest.cmodx.bySource.guest).toEqual({ allowed: writes, quiescent: 0, violation: 0, unclassified: 0 });
    expect(guest.cmodx.violation).toBe(0);
    // the host patcher's run: the same writes come from the host, and the guest stores nothing into text;
    // the boot's own host writes (MOVs, trampolines) are the same in both
    expect(host.cmodx.bySource.guest).toEqual({ allowed: 0, quiescent: 0, violation: 0, unclassified: 0 });
    expect(host.cmodx.bySource.host.allowed - guest.cmodx.bySource.host.allowed).toBe(writes);
    expect(host.cmodx.bySource.host.quiescent).toBe(guest.cmodx.bySource.host.quiescent);
    expect({ ...host.cmodx, bySource: null }).toEqual({ ...guest.cmodx, bySource: null });
    const hits = (r: typeof host) => Object.fromEntries(r.functions!.map((f) => [f.name, f.hits]));
    expect(hits(guest)).toEqual(hits(host));
    expect(guest.workload.messages).toBe(guest.workload.expectedMessages);
  });
});
