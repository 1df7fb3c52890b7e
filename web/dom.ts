// Small DOM helpers for the page: elements with attributes and children, and
// labelled form fields that read back typed values.

type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number | boolean | ((e: Event) => void)> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v);
    else if (typeof v === 'boolean') {
      if (v) el.setAttribute(k, '');
    } else el.setAttribute(k, String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

export interface Field<T> {
  el: HTMLElement;
  value(): T;
}

export function numberField(label: string, name: string, value: number, min: number, max: number): Field<number> {
  const input = h('input', { type: 'number', name, value, min, max, step: 1 });
  return { el: h('label', {}, label, input), value: () => Number(input.value) };
}

export function selectField<T extends string>(label: string, name: string, options: readonly T[], value: T): Field<T> {
  const sel = h('select', { name }, ...options.map((o) => h('option', { value: o, selected: o === value }, o)));
  return { el: h('label', {}, label, sel), value: () => sel.value as T };
}

export function textField(label: string, name: string, value: string, placeholder = ''): Field<string> {
  const input = h('input', { type: 'text', name, value, placeholder });
  return { el: h('label', {}, label, input), value: () => input.value.trim() };
}

export function checkField(label: string, name: string, checked: boolean): Field<boolean> {
  const input = h('input', { type: 'checkbox', name, checked });
  return { el: h('label', { class: 'check' }, input, label), value: () => input.checked };
}

/** A table from a header row and body rows. */
export function table(head: readonly string[], rows: readonly (readonly (string | number)[])[], cls = ''): HTMLTableElement {
  return h('table', { class: cls },
    h('thead', {}, h('tr', {}, ...head.map((c) => h('th', {}, c)))),
    h('tbody', {}, ...rows.map((r) => h('tr', {}, ...r.map((c) => h('td', {}, String(c)))))));
}

export function errorBox(err: unknown): HTMLElement {
  const e = err as { name?: string; code?: string; message?: string };
  return h('div', { class: 'error', role: 'alert' }, `${e.name ?? 'Error'}${e.code ? ` (${e.code})` : ''}: ${e.message ?? String(err)}`);
}

/**
 * A form of `fields` and a submit `button` that runs `task`: the button is
 * disabled while it runs, and a failure is shown in `out` with the status
 * line saying so.
 */
export function taskForm(fields: readonly HTMLElement[], button: HTMLButtonElement, status: HTMLElement, out: HTMLElement, task: () => Promise<void>): HTMLFormElement {
  const run = async () => {
    button.disabled = true;
    try {
      await task();
    } catch (err) {
      status.textContent = 'failed';
      out.replaceChildren(errorBox(err));
    } finally {
      button.disabled = false;
    }
  };
  return h('form', { class: 'options', onsubmit: (e: Event) => { e.preventDefault(); void run(); } }, ...fields, button);
}
