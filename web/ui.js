// Small DOM helpers: element building without innerHTML (text from the
// database is never parsed as HTML), a status line, dialogs.

/** h('button.primary', {onclick, 'aria-label': …}, 'text', child…) */
export function h(tag, attrs, ...children) {
  const [name, ...classes] = tag.split('.');
  const el = document.createElement(name || 'div');
  if (classes.length) el.className = classes.join(' ');
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else if (k === 'dataset') Object.assign(el.dataset, v);
      else if (k === 'value') el.value = v;
      else if (k === 'checked') el.checked = !!v;
      else el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replaces el's children. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let idSeq = 0;
/** A unique id for label/for pairs. */
export function uid(prefix = 'f') {
  return `${prefix}-${++idSeq}`;
}

/** A labelled form field: returns {row, input}. */
export function field(label, input, hint) {
  // a wrapper (e.g. a combobox) is labelled through the control inside it
  const control = input.matches('input, select, textarea') ? input : input.querySelector('input, select, textarea') || input;
  if (!control.id) control.id = uid();
  const row = h('div.field', null, h('label', { for: control.id }, label), input,
    hint ? h('small.hint', null, hint) : null);
  return { row, input };
}

export function select(name, values, current, labels = {}) {
  return h('select', { name }, values.map((v) => h('option', { value: v, selected: v === current }, labels[v] ?? v)));
}

/** Announces a message in the status line (a polite live region). */
export function status(message, kind = 'info') {
  const el = document.getElementById('status');
  if (!el) return;
  el.className = `status ${kind}`;
  el.textContent = message;
  clearTimeout(status.timer);
  if (kind !== 'error') status.timer = setTimeout(() => { el.textContent = ''; el.className = 'status'; }, 6000);
}

/** Describes an API error for people: message, field, candidates. */
export function errorBox(err) {
  const e = err?.error || {};
  const box = h('div.error', { role: 'alert' },
    h('strong', null, `${e.status || err.status || ''} ${e.code || 'error'}`), ': ', e.message || String(err.message || err));
  const list = e.errors && e.errors.length > 1 ? e.errors : null;
  if (list) box.append(h('ul', null, list.map((x) => h('li', null, `${x.field ? x.field + ': ' : ''}${x.message}`))));
  return box;
}

/** A modal dialog; resolves with the value passed to close(). */
export function dialog(title, build) {
  return new Promise((resolve) => {
    const dlg = h('dialog.modal', { 'aria-labelledby': uid('dlg') });
    const heading = h('h2', { id: dlg.getAttribute('aria-labelledby') }, title);
    const close = (value) => { dlg.close(); dlg.remove(); resolve(value); };
    dlg.addEventListener('cancel', (ev) => { ev.preventDefault(); close(undefined); });
    dlg.append(heading, build(close));
    document.body.append(dlg);
    dlg.showModal();
  });
}

/** A text input with suggestions from an async source (keyboard: arrows,
 *  Enter, Escape). source(q) resolves to [{label, detail, value}]. The list
 *  closes when a suggestion is chosen, on Escape, when the input loses focus
 *  and when its form is submitted, and an answer arriving after that does not
 *  reopen it (an open list covers the form's buttons). The returned element
 *  has close(). */
export function autocomplete(input, source, onPick) {
  const listId = uid('ac');
  const list = h('ul.suggestions', { id: listId, role: 'listbox', hidden: true });
  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-controls', listId);
  input.setAttribute('aria-expanded', 'false');
  input.autocomplete = 'off';
  let items = [];
  let active = -1;
  let seq = 0;
  let timer;
  const render = () => {
    fill(list, items.map((it, i) => h('li', {
      role: 'option', id: `${listId}-${i}`, 'aria-selected': i === active ? 'true' : 'false',
      // mousedown, not click, and without its default: the input keeps the
      // focus, so its blur does not close the list under the pointer first
      onmousedown: (ev) => { ev.preventDefault(); pick(i); },
    }, h('span', null, it.label), it.detail ? h('small', null, ` ${it.detail}`) : null)));
    list.hidden = items.length === 0;
    input.setAttribute('aria-expanded', String(!list.hidden));
    if (active >= 0) input.setAttribute('aria-activedescendant', `${listId}-${active}`);
    else input.removeAttribute('aria-activedescendant');
  };
  /** Closes the list and forgets a query still waiting for its answer. */
  const close = () => {
    clearTimeout(timer);
    seq++;
    items = [];
    active = -1;
    render();
  };
  const pick = (i) => {
    const it = items[i];
    close();
    if (it) onPick(it);
  };
  const refresh = async () => {
    const mine = ++seq;
    const got = await source(input.value);
    if (mine !== seq || document.activeElement !== input) return;
    items = got;
    active = items.length ? 0 : -1;
    render();
  };
  let form = null;
  // What was listed answered what the field held before: close it at once
  // (and forget a query still under way), so that Enter right after typing
  // commits the typed text rather than the first suggestion of an older
  // answer (the focus query's, which lists everything).
  input.addEventListener('input', () => { close(); timer = setTimeout(refresh, 120); });
  input.addEventListener('focus', () => {
    // the input is put into its form after this function returns
    if (input.form && input.form !== form) { form = input.form; form.addEventListener('submit', close); }
    if (!items.length) refresh();
  });
  input.addEventListener('blur', close);
  input.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') {
      const open = !list.hidden;
      close();
      if (open) ev.stopPropagation(); // Escape with the list closed is the page's (e.g. a dialog's)
      return;
    }
    // Enter with no suggestion chosen commits what was typed (the field's own
    // handler): a query still pending must not open the list afterwards.
    if (ev.key === 'Enter' && (list.hidden || active < 0)) { close(); return; }
    if (list.hidden) return;
    if (ev.key === 'ArrowDown') { active = (active + 1) % items.length; render(); ev.preventDefault(); }
    else if (ev.key === 'ArrowUp') { active = (active - 1 + items.length) % items.length; render(); ev.preventDefault(); }
    else if (ev.key === 'Enter' && active >= 0) { ev.preventDefault(); pick(active); }
  });
  const wrap = h('div.combo', null, input, list);
  wrap.close = close;
  return wrap;
}

/** Short text for a long one. */
export function clip(s, n = 120) {
  if (!s) return '';
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

/** Download links for every export format, with the given filters. */
export function exportLinks(filters) {
  const q = (extra) => {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries({ ...filters, ...extra })) if (v) p.set(k, v);
    return `/v1/export?${p}`;
  };
  return h('details.exports', null, h('summary', null, 'Export'),
    h('ul', null,
      h('li', null, h('a', { href: q({ format: 'ndjson' }), download: 'claimdb.ndjson' }, 'NDJSON (everything, lossless)')),
      ['claims_flat', 'claims', 'attributions', 'relations', 'actors', 'documents', 'sources', 'citations'].map((t) =>
        h('li', null, h('a', { href: q({ format: 'csv', table: t }), download: `${t}.csv` }, `CSV: ${t}`))),
      h('li', null, h('a', { href: q({ format: 'w3c' }), download: 'annotations.jsonld' }, 'W3C Web Annotation (JSON-LD)'))));
}


/** A search snippet ("… <mark>word</mark> …") as text and <mark> elements,
 *  never parsed as HTML. */
export function snippet(s) {
  const parts = String(s || '').split(/<mark>(.*?)<\/mark>/s);
  return parts.map((p, i) => (i % 2 ? h('mark', null, p) : p));
}
