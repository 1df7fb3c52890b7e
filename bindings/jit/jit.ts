// The block translator of one core instance: answers the core's
// `env.jit_compile(cpu, pc)` requests by translating the region around a hot
// block head into a Wasm function, placing it in the instance's function
// table and filling the CPU's block table (layout.ts, BT_*).
//
// Translations are per instance (a function table cannot be shared between
// threads), so each worker that steps CPUs has its own Jit.

import * as L from '../../assembly/layout.ts';
import { discoverRegion, type Insn, type Region } from './region.ts';
import { readTimingView, TIMING_IMPORTS, type TimingCore } from './timing-view.ts';
import { fetchable, translateRegion, type MachineView } from './translate.ts';

export interface JitStats {
  /** Regions translated (Wasm modules compiled). */
  regions: number;
  /** Blocks and guest instructions in them. */
  blocks: number;
  insns: number;
  /** Requests answered with an earlier translation whose words still match memory. */
  reused: number;
  /** Heads that could not be translated (their first instruction is left to the interpreter). */
  refused: number;
  /** Host milliseconds spent discovering, translating and compiling. */
  compileMs: number;
  /** Translations the Wasm engine rejected (a translator bug; the interpreter ran the code instead). */
  errors: number;
}

/** Heat at which a block head is translated, unless the machine says otherwise. */
export const DEFAULT_JIT_THRESHOLD = 64;

interface Translation {
  fn: number;
  region: Region;
  /** The cycle model's key it ticks for ('' without one). */
  timing: string;
}

/** The minimal core surface the translator needs. */
interface DecodingCore extends TimingCore {
  decodeInto(word: number, pc: bigint, entry: number): number;
  /** The store log's append (assembly/store-log.ts), imported by every region. */
  textStore(st: number, pc: bigint, p: number, size: number): void;
}

export class Jit {
  readonly table: WebAssembly.Table;
  readonly stats: JitStats = { regions: 0, blocks: 0, insns: 0, reused: 0, refused: 0, compileMs: 0, errors: 0 };
  private core: DecodingCore | null = null;
  /**
   * Every block start of every translation of this instance, shared by the
   * CPUs it steps: a request for a PC that starts a block of a region whose
   * words still match memory installs that region instead of translating
   * again (what the CPU would have fetched now is what it was made from).
   */
  private readonly blocks = new Map<bigint, { t: Translation; k: number }>();

  constructor(
    readonly memory: WebAssembly.Memory,
    private readonly onError: (message: string) => void = (m) => console.warn(m),
  ) {
    this.table = new WebAssembly.Table({ element: 'anyfunc', initial: 1 });
  }

  bind(core: DecodingCore): void { this.core = core; }

  /** The import the core calls (`env.jit_compile`). */
  readonly request = (cpu: number, pc: bigint): void => {
    const t0 = performance.now();
    try {
      this.compile(cpu, BigInt.asUintN(64, pc));
    } finally {
      this.stats.compileMs += performance.now() - t0;
    }
  };


  private view(cpu: number): MachineView & { dv: DataView } {
    const dv = new DataView(this.memory.buffer);
    const m = L.MACHINE_BASE;
    const lo = dv.getBigUint64(m + L.M_LO, true);
    const hi = dv.getBigUint64(m + L.M_HI, true);
    const guardLo = dv.getBigUint64(m + L.M_GUARD_LO, true);
    const guardSpan = dv.getBigUint64(m + L.M_GUARD_HI, true) - guardLo;
    const base = dv.getBigUint64(m + L.M_RAM_BASE, true);
    const off = BigInt(dv.getUint32(m + L.M_RAM_OFFSET, true));
    return {
      dv, lo, span: hi - lo, guardLo, guardSpan, delta: off - base,
      coherent: (dv.getUint32(m + L.M_FLAGS, true) & L.MF_COHERENT_ICACHE) !== 0,
      ramBase: base,
      codemap: dv.getUint32(m + L.M_CODEMAP, true),
      epoch: 0,
      timing: readTimingView(this.memory.buffer, cpu),
      blockIds: 0,
    };
  }

  private compile(cpu: number, pc: bigint): void {
    const core = this.core;
    if (!core) throw new Error('jit: not bound to a core instance');
    const v = this.view(cpu);
    const timing = v.timing?.key ?? '';
    const old = this.blocks.get(pc);
    if (old && old.t.timing === timing && this.stillValid(old.t.region, v)) {
      this.install(cpu, old.t, v.dv, old.k);
      this.stats.reused++;
      return;
    }
    const scratch = L.CPU_BASE + cpu * L.CPU_STRIDE + L.C_JIT_SCRATCH;
    const fetch = (at: bigint): Insn | null => {
      if (!fetchable(v, at)) return null;
      const word = v.dv.getUint32(Number(at + v.delta), true);
      const ok = core.decodeInto(word, at, scratch);
      const dv = v.dv;
      return {
        pc: at, word,
        op: ok === 0 ? 0 : dv.getUint16(scratch + L.E_OP, true),
        rd: dv.getUint8(scratch + L.E_RD), rn: dv.getUint8(scratch + L.E_RN),
        rm: dv.getUint8(scratch + L.E_RM), ra: dv.getUint8(scratch + L.E_RA),
        b0: dv.getUint8(scratch + L.E_B0), b1: dv.getUint8(scratch + L.E_B1),
        aux: dv.getUint32(scratch + L.E_AUX, true), imm: dv.getBigUint64(scratch + L.E_IMM, true),
      };
    };
    // counter reads only under a cycle model (translate.ts: they read the block's clock)
    const region = discoverRegion(fetch, pc, { counter: v.timing !== null });
    if (!region) { this.stats.refused++; return; }
    // Mark the code pages first, then read the epoch, then the words (the
    // translation re-checks them if a store lands after the mark).
    this.markCodePages(region, v);
    v.epoch = Atomics.load(new Int32Array(this.memory.buffer, L.MACHINE_BASE + L.M_CODE_EPOCH, 1), 0);
    if (!this.stillValid(region, v)) { this.stats.refused++; return; }
    v.blockIds = Atomics.add(new Uint32Array(this.memory.buffer, L.MACHINE_BASE + L.M_JIT_BLOCK_IDS, 1), 0, region.blocks.length) + 1;
    let fn: number;
    try {
      const module = new WebAssembly.Module(translateRegion(region, v) as BufferSource);
      const instance = new WebAssembly.Instance(module, {
        env: { memory: this.memory, text_store: core.textStore, ...Object.fromEntries(TIMING_IMPORTS.map((f) => [f.name, core[f.core]])) },
      });
      fn = this.table.grow(1);
      this.table.set(fn, instance.exports.region as Function);
    } catch (err) {
      this.stats.errors++;
      this.onError(`patchlab: translation of the region at 0x${pc.toString(16)} failed: ${(err as Error).message}`);
      return;
    }
    const t: Translation = { fn, region, timing };
    // newer translations take over the block starts they share with older ones
    region.blocks.forEach((b, k) => this.blocks.set(b.start, { t, k }));
    this.stats.regions++;
    this.stats.blocks += region.blocks.length;
    for (const b of region.blocks) this.stats.insns += b.insns.length;
    this.install(cpu, t, v.dv, 0);
  }

  /** Marks the region's pages and the page before each in the code-page map (PAGE_CODE; other marks stay). */
  private markCodePages(region: Region, v: MachineView): void {
    const map = new Uint8Array(this.memory.buffer, v.codemap);
    const pages = new Set<number>();
    for (const b of region.blocks) for (const i of b.insns) pages.add(Number((i.pc - v.ramBase) >> BigInt(L.CODE_PAGE_SHIFT)));
    for (const p of pages) {
      for (const q of [p - 1, p]) if (q >= 0) Atomics.or(map, q, L.PAGE_CODE);
    }
  }

  /** Whether every word the region was translated from is still in memory. */
  private stillValid(region: Region, v: MachineView & { dv: DataView }): boolean {
    for (const b of region.blocks) {
      for (const i of b.insns) if (v.dv.getUint32(Number(i.pc + v.delta), true) !== i.word) return false;
    }
    return true;
  }

  /**
   * Points the block-table entries of the region's blocks at it: always the
   * requested one (block `head`), the others where the slot is empty, holds
   * no translation yet, or already names that block.
   */
  private install(cpu: number, t: Translation, dv: DataView, head: number): void {
    const bt = L.CACHE_BASE + cpu * L.CACHE_BYTES + L.BT_OFFSET;
    t.region.blocks.forEach((b, k) => {
      const e = bt + Number((b.start >> 2n) & BigInt(L.BT_ENTRIES - 1)) * L.BT_ENTRY;
      const tag = dv.getBigUint64(e + L.BT_TAG, true);
      if (tag === b.start || k === head || dv.getUint32(e + L.BT_FN, true) === 0) {
        const heat = tag === b.start ? dv.getUint16(e + L.BT_HEAT, true) : 0;
        dv.setBigUint64(e + L.BT_TAG, b.start, true);
        dv.setUint32(e + L.BT_FN, t.fn, true);
        dv.setUint16(e + L.BT_BLOCK, k, true);
        dv.setUint16(e + L.BT_HEAT, heat, true);
      }
    });
  }

}
