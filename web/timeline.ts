// A timeline of a trace on a canvas, drawn from the trace-event document
// patchlab writes for Perfetto: one row per CPU and task (the thread names
// of its metadata), function_graph calls as boxes stacked by depth, function
// tracer events as ticks. Wheel zooms around the pointer, dragging pans, and
// hovering names the call under the pointer.

import type { TraceEventDocument, TraceEventJson } from '../bindings/ftrace/output/perfetto.ts';

const ROW_PAD = 6, DEPTH_H = 12, LABEL_W = 170, AXIS_H = 22;

interface Row { key: string; label: string; depth: number; y: number; events: TraceEventJson[] }

function hue(name: string): string {
  let x = 0;
  for (let i = 0; i < name.length; i++) x = (x * 31 + name.charCodeAt(i)) >>> 0;
  return `hsl(${x % 360} 60% 62%)`;
}

export function timeline(doc: TraceEventDocument): HTMLElement {
  const names = new Map<number, string>();
  for (const e of doc.traceEvents) if (e.ph === 'M' && e.name === 'thread_name') names.set(e.tid, String(e.args?.name ?? e.tid));
  const rows = new Map<string, Row>();
  let t0 = Infinity, t1 = -Infinity;
  for (const e of doc.traceEvents) {
    if (e.ph === 'M') continue;
    const cpu = Number(e.args?.cpu ?? 0);
    const key = `${cpu}:${e.tid}`;
    let r = rows.get(key);
    if (!r) rows.set(key, (r = { key, label: `CPU ${cpu}  ${names.get(e.tid) ?? "?"}${e.pid === 0 ? "" : ` (${e.pid})`}`, depth: 1, y: 0, events: [] }));
    r.events.push(e);
    r.depth = Math.max(r.depth, Number(e.args?.depth ?? 0) + 1);
    t0 = Math.min(t0, e.ts);
    t1 = Math.max(t1, e.ts + (e.dur ?? 0));
  }
  const list = [...rows.values()].sort((a, b) => a.key.localeCompare(b.key, 'en', { numeric: true }));
  let y = AXIS_H;
  for (const r of list) {
    r.y = y;
    y += r.depth * DEPTH_H + ROW_PAD;
  }
  const canvas = document.createElement('canvas');
  canvas.className = 'timeline';
  const tip = document.createElement('div');
  tip.className = 'tip';
  const box = document.createElement('div');
  box.className = 'timeline-box';
  box.append(canvas, tip);
  if (!list.length) {
    box.textContent = 'no events to draw';
    return box;
  }
  if (t1 <= t0) t1 = t0 + 1;
  let view = { from: t0, to: t1 };
  const width = () => Math.max(300, box.clientWidth || 900);
  const dpr = globalThis.devicePixelRatio || 1;

  const draw = () => {
    const w = width();
    canvas.width = w * dpr;
    canvas.height = y * dpr;
    canvas.style.width = `${w}px`;
    canvas.style.height = `${y}px`;
    const g = canvas.getContext('2d')!;
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.fillStyle = '#fff';
    g.fillRect(0, 0, w, y);
    const span = view.to - view.from, px = (w - LABEL_W) / span;
    const X = (t: number) => LABEL_W + (t - view.from) * px;
    g.font = '11px system-ui, sans-serif';
    g.fillStyle = '#333';
    for (let k = 0; k <= 5; k++) {
      const t = view.from + (span * k) / 5;
      g.fillText(`${((t - t0) / 1000).toFixed(3)} ms`, X(t) + 2, 14);
      g.fillStyle = '#eee';
      g.fillRect(X(t), AXIS_H - 4, 1, y);
      g.fillStyle = '#333';
    }
    for (const r of list) {
      g.fillStyle = '#f6f6f6';
      g.fillRect(0, r.y, w, r.depth * DEPTH_H);
      g.fillStyle = '#222';
      g.fillText(r.label, 4, r.y + 10);
      for (const e of r.events) {
        const x = X(e.ts);
        if (e.ph === 'X') {
          const x2 = X(e.ts + (e.dur ?? 0));
          if (x2 < LABEL_W || x > w) continue;
          const d = Number(e.args?.depth ?? 0);
          g.fillStyle = hue(e.name);
          g.fillRect(Math.max(LABEL_W, x), r.y + d * DEPTH_H, Math.max(1, x2 - Math.max(LABEL_W, x)), DEPTH_H - 1);
          if (x2 - x > 40) {
            g.fillStyle = '#000';
            g.fillText(e.name, Math.max(LABEL_W, x) + 2, r.y + d * DEPTH_H + 10, x2 - Math.max(LABEL_W, x) - 4);
          }
        } else if (x >= LABEL_W && x <= w) {
          g.fillStyle = hue(e.name);
          g.fillRect(x, r.y, 1.5, r.depth * DEPTH_H);
        }
      }
    }
  };

  const at = (ev: MouseEvent): TraceEventJson | null => {
    const rect = canvas.getBoundingClientRect();
    const mx = ev.clientX - rect.left, my = ev.clientY - rect.top;
    const r = list.find((x) => my >= x.y && my < x.y + x.depth * DEPTH_H);
    if (!r || mx < LABEL_W) return null;
    const t = view.from + ((mx - LABEL_W) / (width() - LABEL_W)) * (view.to - view.from);
    const slack = (3 * (view.to - view.from)) / (width() - LABEL_W);
    const d = Math.floor((my - r.y) / DEPTH_H);
    return r.events.find((e) => (e.ph === 'X' ? Number(e.args?.depth ?? 0) === d && t >= e.ts && t <= e.ts + (e.dur ?? 0) : Math.abs(e.ts - t) <= slack)) ?? null;
  };

  let drag: { x: number; from: number; to: number } | null = null;
  canvas.addEventListener('wheel', (ev) => {
    ev.preventDefault();
    const rect = canvas.getBoundingClientRect();
    const f = Math.min(1, Math.max(0, (ev.clientX - rect.left - LABEL_W) / (width() - LABEL_W)));
    const pivot = view.from + f * (view.to - view.from);
    const k = ev.deltaY > 0 ? 1.25 : 0.8;
    const span = Math.min(t1 - t0, Math.max(0.01, (view.to - view.from) * k));
    view = { from: pivot - f * span, to: pivot - f * span + span };
    draw();
  }, { passive: false });
  canvas.addEventListener('mousedown', (ev) => (drag = { x: ev.clientX, ...view }));
  addEventListener('mouseup', () => (drag = null));
  canvas.addEventListener('mousemove', (ev) => {
    if (drag) {
      const dt = ((ev.clientX - drag.x) / (width() - LABEL_W)) * (drag.to - drag.from);
      view = { from: drag.from - dt, to: drag.to - dt };
      draw();
      return;
    }
    const e = at(ev);
    tip.style.display = e ? 'block' : 'none';
    if (e) {
      tip.textContent = e.ph === 'X' ? `${e.name}  ${(e.dur ?? 0).toFixed(3)} us${e.args?.unfinished ? ' (return not traced)' : ''}` : `${e.name} <- ${e.args?.parent ?? '?'}`;
      tip.style.left = `${ev.offsetX + 12}px`;
      tip.style.top = `${ev.offsetY + 12}px`;
    }
  });
  requestAnimationFrame(draw);
  return box;
}
