// A trace as trace-cmd's trace.dat, version 6 (trace-cmd.dat.v6(5)), which
// `trace-cmd report` and KernelShark read. Version 6 because it is the
// plain layout every trace-cmd reads; 7's sections and compression buy
// nothing for traces this size.
//
//   magic 17 08 44 "tracing" "6\0", endian 0 (little), long size 8, page size
//   "header_page\0"  u64 size, events/header_page text
//   "header_event\0" u64 size, events/header_event text
//   u32 count, per ftrace event: u64 size, format text (function,
//     funcgraph_entry, funcgraph_exit)
//   u32 0 event systems
//   u32 size, kallsyms text (one "addr T name" line per traced symbol)
//   u32 0 printk formats
//   u64 size, saved_cmdlines text ("pid comm" per guest task)
//   u32 cpus, "flyrecord\0", per CPU u64 offset, u64 size
//   padding to the page size, then each CPU's ring-buffer pages.
//
// Each page is the kernel's struct buffer_data_page: u64 time_stamp (the
// first event's ts), u64 commit (bytes of data), then events. An event is a
// u32 header (type_len in bits 0..4, time delta from the previous event in
// bits 5..31) and type_len * 4 bytes of payload. A delta that does not fit
// 27 bits goes first into a TIME_EXTEND (type_len 30, the low 27 bits in the
// header, the rest in the next u32). A CPU that dropped events has
// RB_MISSED_EVENTS | RB_MISSED_STORED set in its last page's commit and the
// count stored as a long after the data: the buffer drops new events when
// full, so they were lost no earlier than that page's first event.

import type { TraceContext, TraceEvent } from '../events.ts';
import {
  FUNCTION_SIZE, functionFormat, GRAPH_ENT_SIZE, GRAPH_RET_SIZE, graphEntryFormat, graphExitFormat, headerEvent,
  headerPage, PAGE_DATA_SIZE, PAGE_HEADER_SIZE, PAGE_SIZE, TRACE_FN, TRACE_GRAPH_ENT, TRACE_GRAPH_RET,
} from './trace-dat-formats.ts';

export const TRACE_DAT_VERSION = 6;

/** ring_buffer_type: type_len values with a meaning of their own. */
const RINGBUF_TYPE_TIME_EXTEND = 30;
/** Bits of the time delta in an event header. */
const TS_SHIFT = 27;
const TS_DELTA_LIMIT = 1n << BigInt(TS_SHIFT);
/** Flags in a page's commit: events were dropped before this page, and their count is stored after the data. */
const RB_MISSED_EVENTS = 1n << 31n;
const RB_MISSED_STORED = 1n << 30n;

const TEXT = new TextEncoder();

/** A growing little-endian byte buffer. */
class Bytes {
  private buf = new Uint8Array(1 << 16);
  private view = new DataView(this.buf.buffer);
  length = 0;

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): void { this.room(1); this.view.setUint8(this.length, v); this.length += 1; }
  u16(v: number): void { this.room(2); this.view.setUint16(this.length, v, true); this.length += 2; }
  u32(v: number): void { this.room(4); this.view.setUint32(this.length, v >>> 0, true); this.length += 4; }
  i32(v: number): void { this.room(4); this.view.setInt32(this.length, v, true); this.length += 4; }
  u64(v: bigint): void { this.room(8); this.view.setBigUint64(this.length, BigInt.asUintN(64, v), true); this.length += 8; }
  bytes(b: Uint8Array): void { this.room(b.length); this.buf.set(b, this.length); this.length += b.length; }
  str(s: string): void { this.bytes(TEXT.encode(s)); }
  cstr(s: string): void { this.str(s); this.u8(0); }
  zeros(n: number): void { this.room(n); this.buf.fill(0, this.length, this.length + n); this.length += n; }
  setU64(at: number, v: bigint): void { this.view.setBigUint64(at, v, true); }
  done(): Uint8Array { return this.buf.slice(0, this.length); }
}

/** The payload of one event (struct trace_entry and the event's fields), its length a multiple of 4. */
function payload(e: TraceEvent): Bytes {
  const b = new Bytes();
  const common = (type: number) => { b.u16(type); b.u8(0); b.u8(0); b.i32(e.pid); };
  if (e.type === 'function') {
    common(TRACE_FN);
    b.u64(e.ip);
    b.u64(e.parentIp);
    return b;
  }
  if (e.type === 'graph-entry') {
    common(TRACE_GRAPH_ENT);
    b.u64(e.ip);
    b.i32(e.depth);
    return b;
  }
  common(TRACE_GRAPH_RET);
  b.u64(e.ip);
  b.i32(e.depth);
  b.u32(0); // overrun
  b.u64(BigInt(e.calltime));
  b.u64(BigInt(e.ts));
  return b;
}

const PAYLOAD_SIZE = { 'function': FUNCTION_SIZE, 'graph-entry': GRAPH_ENT_SIZE, 'graph-exit': GRAPH_RET_SIZE } as const;

/** One CPU's events, in time order, as ring-buffer pages; `lost` events are recorded on the last page. */
export function cpuPages(events: readonly TraceEvent[], lost: number): Uint8Array {
  const out = new Bytes();
  // Room kept at the end of every page for the stored lost count (a long).
  const capacity = lost > 0 ? PAGE_DATA_SIZE - 8 : PAGE_DATA_SIZE;
  let pageStart = -1;
  let used = 0;
  let last = 0n;
  const closePage = () => {
    if (pageStart < 0) return;
    out.zeros(PAGE_SIZE - PAGE_HEADER_SIZE - used);
    out.setU64(pageStart + 8, BigInt(used));
  };
  const openPage = (ts: bigint) => {
    closePage();
    pageStart = out.length;
    out.u64(ts);
    out.u64(0n);
    used = 0;
    last = ts;
  };
  for (const e of events) {
    const ts = BigInt(e.ts);
    const size = PAYLOAD_SIZE[e.type];
    if (size % 4 !== 0 || size > 28 * 4) throw new Error(`trace-dat: payload of ${size} bytes`);
    const delta = ts - last;
    const need = 4 + size + (delta >= TS_DELTA_LIMIT ? 8 : 0);
    if (pageStart < 0 || delta < 0n || used + need > capacity) openPage(ts);
    let d = ts - last;
    if (d >= TS_DELTA_LIMIT) {
      out.u32(RINGBUF_TYPE_TIME_EXTEND | Number(d & (TS_DELTA_LIMIT - 1n)) << 5);
      out.u32(Number(d >> BigInt(TS_SHIFT)));
      used += 8;
      d = 0n;
    }
    out.u32((size / 4) | Number(d) << 5);
    const p = payload(e);
    if (p.length !== size) throw new Error(`trace-dat: ${e.type} payload is ${p.length} bytes, not ${size}`);
    out.bytes(p.done());
    used += 4 + size;
    last = ts;
  }
  if (lost > 0) {
    if (pageStart < 0) openPage(0n);
    // The count goes right after the data; closePage zero-fills the rest.
    out.u64(BigInt(lost));
    used += 8;
    closePage();
    used -= 8;
    out.setU64(pageStart + 8, BigInt(used) | RB_MISSED_EVENTS | RB_MISSED_STORED);
    return out.done();
  }
  closePage();
  return out.done();
}

/** Instructions probed past a symbol's start for the symbol after it. */
const SYMBOL_PROBE_LIMIT = 1 << 16;

/** /proc/kallsyms lines for the symbols the events' addresses fall in, by address. */
export function kallsyms(events: readonly TraceEvent[], ctx: TraceContext): string {
  const starts = new Map<bigint, string>();
  const add = (addr: bigint) => {
    if (addr === 0n) return;
    const sym = ctx.symbolize(addr);
    if (!sym || sym.name === '') return;
    starts.set(BigInt.asUintN(64, addr - sym.offset), sym.name);
  };
  for (const e of events) {
    add(e.ip);
    if (e.type === 'function') add(e.parentIp);
  }
  // kallsyms has no sizes: a reader ends a symbol where the next one starts.
  // Name the symbol after each one too, so the last traced function ends.
  for (const [start, name] of [...starts]) {
    for (let a = start + 4n, n = 0; n < SYMBOL_PROBE_LIMIT; a += 4n, n++) {
      const sym = ctx.symbolize(a);
      if (sym && sym.name === name && sym.offset === a - start) continue;
      if (sym && sym.name !== '') starts.set(BigInt.asUintN(64, a - sym.offset), sym.name);
      break;
    }
  }
  return [...starts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([addr, name]) => `${addr.toString(16).padStart(16, '0')} T ${name}\n`).join('');
}

/** saved_cmdlines: "pid comm" per named task (pid 0, the idle task, is named by the reader). */
export function savedCmdlines(ctx: TraceContext): string {
  return [...ctx.comm].filter(([pid, comm]) => pid !== 0 && comm !== '').sort(([a], [b]) => a - b)
    .map(([pid, comm]) => `${pid} ${comm.slice(0, 15)}\n`).join('');
}

function section64(b: Bytes, text: string): void {
  const t = TEXT.encode(text);
  b.u64(BigInt(t.length));
  b.bytes(t);
}

/** The whole trace.dat file for `events` (any order) of a machine described by `ctx`. */
export function traceDat(events: readonly TraceEvent[], ctx: TraceContext): Uint8Array {
  const b = new Bytes();
  b.bytes(Uint8Array.of(0x17, 0x08, 0x44));
  b.str('tracing');
  b.cstr(String(TRACE_DAT_VERSION));
  b.u8(0); // little endian
  b.u8(8); // long size
  b.u32(PAGE_SIZE);
  b.cstr('header_page');
  section64(b, headerPage());
  b.cstr('header_event');
  section64(b, headerEvent());
  const formats = [functionFormat(), graphEntryFormat(), graphExitFormat()];
  b.u32(formats.length);
  for (const f of formats) section64(b, f);
  b.u32(0); // event systems besides ftrace
  const syms = TEXT.encode(kallsyms(events, ctx));
  b.u32(syms.length);
  b.bytes(syms);
  b.u32(0); // printk formats
  section64(b, savedCmdlines(ctx));
  b.u32(ctx.cpus);
  b.cstr('flyrecord');
  const table = b.length;
  b.zeros(16 * ctx.cpus);
  const perCpu: TraceEvent[][] = Array.from({ length: ctx.cpus }, () => []);
  for (const e of events) {
    const list = perCpu[e.cpu];
    if (!list) throw new Error(`trace-dat: event on CPU ${e.cpu} of a ${ctx.cpus}-CPU machine`);
    list.push(e);
  }
  perCpu.forEach((list, cpu) => {
    // Stable: events of one CPU at the same ts keep the order the buffer gave them.
    list.sort((x, y) => x.ts - y.ts);
    b.zeros((PAGE_SIZE - (b.length % PAGE_SIZE)) % PAGE_SIZE);
    const offset = b.length;
    const pages = cpuPages(list, ctx.lost[cpu] ?? 0);
    b.bytes(pages);
    b.setU64(table + 16 * cpu, BigInt(offset));
    b.setU64(table + 16 * cpu + 8, BigInt(pages.length));
  });
  return b.done();
}
