// The document view: the verbatim text with its claims highlighted, a side
// panel for the selected claim, annotation by selection, relation arcs for
// the selected or hovered claim only, a relation list and a side-by-side view.
import { features, get, post, patch, del, all, etagOf, ApiError } from './api.js';
import { TextIndex, segmentsOf } from './offsets.js';
import { h, fill, field, select, status, errorBox, dialog, autocomplete, clip, uid, exportLinks } from './ui.js';
import { session, link } from './state.js';
import { editClaim, undoStack, undoLast, historySection } from './history.js';

const CLAIM_KINDS = () => features.enumOf('ClaimKind', ['factual', 'evaluative', 'other']);
const MODES = () => features.enumOf('AttributionMode', ['direct_quote', 'indirect', 'paraphrase', 'endorsement', 'implicit']);
const REL_KINDS = () => features.enumOf('RelationKind', ['refutes', 'disputes', 'supports', 'restates', 'qualifies', 'responds_to']);
const ACTOR_KINDS = () => features.enumOf('ActorKind', ['person', 'organisation', 'other']);
const SOURCE_KINDS = () => features.enumOf('SourceKind', ['report', 'statement', 'article', 'other']);
const OPPOSING = new Set(['refutes', 'disputes']);

const prefetched = new Map();

/** Starts loading a document before the page knows the rest (see app.js). */
export function prefetchDocument(docId) {
  const p = loadDocument(docId);
  p.catch(() => {}); // its error, if any, is reported when the view asks for it
  prefetched.set(docId, p);
}

/** Loads a document and its claims (every page). */
async function loadDocument(docId) {
  const early = prefetched.get(docId);
  prefetched.delete(docId);
  // a prefetch that failed (e.g. before signing in) is simply tried again
  if (early) return early.catch(() => fetchDocument(docId));
  return fetchDocument(docId);
}

async function fetchDocument(docId) {
  const [doc, claims] = await Promise.all([
    get(`/v1/documents/${docId}`),
    all(`/v1/documents/${docId}/claims`),
  ]);
  return { doc, claims };
}

/**
 * Renders text with highlights into el. Returns the rendering:
 * {index, pieces (elements), claimPieces: Map(claim id -> [elements])}.
 * Every piece is a <span data-u="UTF-16 start"> holding one text node, so a
 * DOM selection maps back to offsets; decorations are CSS pseudo-elements
 * (never part of the text or of a selection).
 */
export function renderText(el, text, claims) {
  const index = new TextIndex(text);
  const bounds = new Set([0, index.length]);
  const starts = new Map();
  const ends = new Map();
  const order = new Map(); // claim id -> ordinal, for stable colours
  claims.forEach((c, i) => {
    order.set(c.id, i);
    const segs = segmentsOf(c.target);
    segs.forEach((s, k) => {
      if (s.start >= s.end || s.end > index.length) return;
      bounds.add(s.start);
      bounds.add(s.end);
      const seg = { claim: c, k, n: segs.length };
      if (!starts.has(s.start)) starts.set(s.start, []);
      starts.get(s.start).push(seg);
      if (!ends.has(s.end)) ends.set(s.end, []);
      ends.get(s.end).push(seg);
    });
  });
  const points = [...bounds].sort((a, b) => a - b);
  const active = new Set();
  const frag = document.createDocumentFragment();
  const claimPieces = new Map();
  const pieces = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const at = points[i];
    for (const s of ends.get(at) || []) active.delete(s);
    const begun = starts.get(at) || [];
    for (const s of begun) active.add(s);
    const u0 = index.toU16(at);
    const u1 = index.toU16(points[i + 1]);
    const span = document.createElement('span');
    span.dataset.u = u0;
    span.textContent = text.slice(u0, u1);
    if (active.size) {
      const ids = [...new Set([...active].map((s) => s.claim.id))];
      span.className = `hl d${Math.min(ids.length, 3)}`;
      span.claims = ids;
      if ([...active].some((s) => s.n > 1)) span.classList.add('multi');
      const segLabels = begun.filter((s) => s.n > 1).map((s) => `${s.k + 1}/${s.n}`);
      if (segLabels.length) span.dataset.seg = segLabels.join(' ');
      for (const id of ids) {
        if (!claimPieces.has(id)) claimPieces.set(id, []);
        claimPieces.get(id).push(span);
      }
    }
    pieces.push(span);
    frag.append(span);
  }
  el.replaceChildren(frag);
  return { index, pieces, claimPieces, order };
}

/** Maps a DOM point inside a rendered text to a UTF-16 index. */
function pointToU16(root, node, offset) {
  if (node.nodeType === Node.TEXT_NODE) {
    const piece = node.parentElement.closest('[data-u]');
    return Number(piece.dataset.u) + offset;
  }
  if (node === root) {
    const child = root.childNodes[offset];
    return child ? Number(child.dataset.u) : root.textContent.length;
  }
  const piece = node.closest('[data-u]');
  return Number(piece.dataset.u) + (offset > 0 ? piece.textContent.length : 0);
}

/** The current selection inside root as a code-point span (whitespace at
 *  the ends trimmed), or null. */
export function selectionSpan(root, index) {
  const sel = window.getSelection();
  if (!sel || !sel.rangeCount || sel.isCollapsed) return null;
  const r = sel.getRangeAt(0);
  if (!root.contains(r.startContainer) || !root.contains(r.endContainer)) return null;
  let a = pointToU16(root, r.startContainer, r.startOffset);
  let b = pointToU16(root, r.endContainer, r.endOffset);
  const t = index.text;
  while (a < b && /\s/.test(t[a])) a++;
  while (b > a && /\s/.test(t[b - 1])) b--;
  if (a >= b) return null;
  // a selection end inside a surrogate pair (rare) takes the whole character
  let end = index.toCp(b);
  if (index.toU16(end) < b) end++;
  const start = index.toCp(a);
  return { start, end, exact: index.slice(start, end) };
}

// ---------------------------------------------------------------------------

export async function openDocument(main, docId, query) {
  if (query.get('compare')) return sideBySide(main, docId, query);
  fill(main, h('p.loading', null, 'Loading the document…'));
  // the document and its claims need nothing from the server's description: fetch them meanwhile
  const { doc, claims } = await loadDocument(docId);
  if (!session.project && doc.project_id && features.has('/v1/projects')) session.project = doc.project_id;
  const view = new DocView(main, doc, claims);
  view.mount();
  const want = query.get('claim');
  if (want && view.byId.has(want)) view.select(want, { scroll: true });
  window.claimdbView = view; // for the tests and the curious: the live view
  return view;
}

class DocView {
  constructor(main, doc, claims) {
    this.main = main;
    this.doc = doc;
    this.claims = claims;
    this.byId = new Map(claims.map((c) => [c.id, c]));
    this.relations = []; // relations touching this document's claims
    this.otherClaims = new Map(); // claims of other documents at the far end of a relation
    this.selected = null;
    this.hovered = null;
    this.pending = null; // {segments: [...]} a selection being made into a claim
    this.picking = null; // 'cue' | 'segment' | 'claim-segment': the next selection fills a form field
    this.panelMode = 'claim';
  }

  mount() {
    const d = this.doc;
    this.textEl = h('div.doctext', { id: 'doctext', lang: d.language || undefined, 'aria-label': 'Document text' });
    this.arcs = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    this.arcs.classList.add('arcs');
    this.arcs.setAttribute('aria-hidden', 'false');
    this.textWrap = h('div.textwrap', null, this.textEl, this.arcs);
    this.panel = h('aside.panel', { 'aria-label': 'Claim details', id: 'panel' });
    this.tabs = h('div.tabs', { role: 'tablist' },
      h('button', { type: 'button', role: 'tab', id: 'tab-claim', 'aria-selected': 'true', onclick: () => this.showPanel('claim') }, 'Claim'),
      h('button', { type: 'button', role: 'tab', id: 'tab-relations', 'aria-selected': 'false', onclick: () => this.showPanel('relations') }, 'Relations'),
      h('button', { type: 'button', role: 'tab', id: 'tab-claims', 'aria-selected': 'false', onclick: () => this.showPanel('claims') }, 'All claims'));
    const meta = [d.publisher, d.author, d.published_at, d.language, `${(d.length ?? 0).toLocaleString()} characters`,
      `${this.claims.length} claims`].filter(Boolean).join(' · ');
    fill(this.main,
      h('div.dochead', null,
        h('div', null, h('h1', null, d.title || '(untitled)'), h('p.meta', null, meta,
          d.url ? [' · ', h('a', { href: d.url, rel: 'noreferrer noopener', target: '_blank' }, 'original')] : null)),
        h('div.actions', null,
          h('button', { type: 'button', onclick: () => this.newClaimFromSelection(), title: 'Shortcut: c' }, 'New claim from selection'),
          h('button', { type: 'button', onclick: () => undoLast(), title: 'Shortcut: u', id: 'undo' }, 'Undo'),
          h('button', { type: 'button', onclick: () => shortcutHelp() }, 'Shortcuts'),
          this.doneButton(),
          exportLinks({ project_id: d.project_id, document_id: d.id }))),
      h('div.docgrid', null, h('section.reader', { 'aria-label': 'Text' }, this.textWrap), h('div.side', null, this.tabs, this.panel)));
    this.draw();
    performance.mark('claimdb:drawn'); // the text and its highlights are on screen (make bench reads it)
    this.bindEvents();
    this.showPanel('claim');
    this.loadRelations();
  }

  /** Marks the document done (or open again): in a blind project, annotators see each other's work
   *  on it only once it is done. Curators and up may; the server says so to anyone else. */
  doneButton() {
    if (!('done' in this.doc)) return null; // a server without the field
    const button = h('button', { type: 'button', id: 'done', 'aria-pressed': String(this.doc.done),
      title: 'In a blind project, annotators see each other\'s work on a document once it is done' },
    this.doc.done ? 'Reopen' : 'Mark done');
    button.onclick = async () => {
      button.disabled = true;
      try {
        const saved = await patch(`/v1/documents/${this.doc.id}`, { done: !this.doc.done });
        this.doc.done = saved.done;
        button.textContent = saved.done ? 'Reopen' : 'Mark done';
        button.setAttribute('aria-pressed', String(saved.done));
        status(saved.done ? 'Marked done: in a blind project, every annotator now sees the work on it' : 'Open again');
      } catch (err) {
        status(`Not changed: ${err.message}`, 'error');
      } finally {
        button.disabled = false;
      }
    };
    return button;
  }

  draw() {
    this.r = renderText(this.textEl, this.doc.text, this.claims);
    this.decorate();
    if (this.selected) this.mark(this.selected, 'sel', true);
  }

  /** Relation counts: "2← 1→" after each claim's last piece. */
  decorate() {
    for (const p of this.r.pieces) delete p.dataset.rel;
    const counts = this.relationCounts();
    for (const [id, { inc, out }] of counts) {
      const pcs = this.r.claimPieces.get(id);
      if (!pcs || (!inc && !out)) continue;
      const last = pcs[pcs.length - 1];
      const label = `${inc ? `${inc}←` : ''}${inc && out ? ' ' : ''}${out ? `${out}→` : ''}`;
      last.dataset.rel = last.dataset.rel ? `${last.dataset.rel} | ${label}` : label;
    }
  }

  relationCounts() {
    const m = new Map();
    const bump = (id, k) => {
      if (!this.byId.has(id)) return;
      if (!m.has(id)) m.set(id, { inc: 0, out: 0 });
      m.get(id)[k]++;
    };
    for (const r of this.relations) {
      bump(r.from_claim_id, 'out');
      bump(r.to_claim_id, 'inc');
    }
    return m;
  }

  async loadRelations() {
    try {
      if (features.has('/v1/network/claims') && features.hasParam('/v1/network/claims', 'document_id')) {
        const g = await get('/v1/network/claims', { document_id: this.doc.id });
        this.relations = (g.edges || []).map((e) => ({ id: e.id || (e.relation_ids || [])[0], from_claim_id: e.source, to_claim_id: e.target, kind: e.kind }));
        for (const n of g.nodes || []) if (!this.byId.has(n.id)) this.otherClaims.set(n.id, n);
      } else {
        // No document filter on /v1/relations yet: the project's relations, kept if they touch this document.
        const rels = await all('/v1/relations', { project_id: session.project || this.doc.project_id }, 50000);
        this.relations = rels.filter((r) => this.byId.has(r.from_claim_id) || this.byId.has(r.to_claim_id));
      }
    } catch (err) {
      status(`Relations could not be loaded: ${err.message}`, 'error');
      return;
    }
    this.decorate();
    this.drawArcs();
    if (this.panelMode === 'relations') this.showPanel('relations');
  }

  bindEvents() {
    this.textEl.addEventListener('click', (ev) => {
      const piece = ev.target.closest('[data-u]');
      if (!window.getSelection().isCollapsed) return; // a selection, not a click
      if (!piece || !piece.claims) { return; }
      // overlapping claims: the shortest first, then each in turn on repeated clicks
      const ids = [...piece.claims].sort((a, b) => this.spanLength(a) - this.spanLength(b));
      const i = ids.indexOf(this.selected);
      this.select(ids[(i + 1) % ids.length]);
    });
    this.textEl.addEventListener('mouseover', (ev) => {
      const piece = ev.target.closest('[data-u]');
      const id = piece?.claims ? [...piece.claims].sort((a, b) => this.spanLength(a) - this.spanLength(b))[0] : null;
      if (id === this.hovered) return;
      if (this.hovered) this.mark(this.hovered, 'hov', false);
      this.hovered = id;
      if (id) this.mark(id, 'hov', true);
      this.drawArcs();
    });
    this.textEl.addEventListener('mouseleave', () => {
      if (this.hovered) this.mark(this.hovered, 'hov', false);
      this.hovered = null;
      this.drawArcs();
    });
    this.textEl.addEventListener('mouseup', () => setTimeout(() => this.onSelection(), 0));
    this.textEl.addEventListener('keyup', (ev) => { if (ev.shiftKey) this.onSelection(); });
    this.onKey = (ev) => this.key(ev);
    document.addEventListener('keydown', this.onKey);
    this.onResize = () => this.drawArcs();
    window.addEventListener('resize', this.onResize);
    this.onChanged = () => this.refresh(this.selected);
    window.addEventListener('claimdb:changed', this.onChanged);
    const stop = () => {
      if (this.main.contains(this.textEl)) return;
      document.removeEventListener('keydown', this.onKey);
      window.removeEventListener('resize', this.onResize);
      window.removeEventListener('claimdb:changed', this.onChanged);
      window.removeEventListener('hashchange', stop);
    };
    window.addEventListener('hashchange', stop);
  }

  spanLength(id) {
    const c = this.byId.get(id);
    return segmentsOf(c?.target).reduce((n, s) => n + s.end - s.start, 0);
  }

  key(ev) {
    if (ev.defaultPrevented || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const tag = document.activeElement?.tagName;
    if (/INPUT|TEXTAREA|SELECT/.test(tag) || document.querySelector('dialog[open]')) return;
    const act = {
      c: () => this.newClaimFromSelection(),
      s: () => this.addSegmentFromSelection(),
      a: () => this.selected && this.attributeForm(),
      i: () => this.selected && this.citeForm(),
      r: () => this.selected && this.relateForm(),
      e: () => this.selected && this.editForm(),
      j: () => this.step(1),
      k: () => this.step(-1),
      l: () => this.showPanel('relations'),
      u: () => undoLast(),
      '?': () => shortcutHelp(),
      Escape: () => { this.picking = null; this.pending = null; this.select(null); },
    }[ev.key];
    if (act) {
      ev.preventDefault();
      act();
    }
  }

  step(dir) {
    const sorted = [...this.claims].sort((a, b) => (segmentsOf(a.target)[0]?.start ?? 0) - (segmentsOf(b.target)[0]?.start ?? 0));
    const i = sorted.findIndex((c) => c.id === this.selected);
    const next = sorted[(i + dir + sorted.length) % sorted.length];
    if (next) this.select(next.id, { scroll: true });
  }

  onSelection() {
    const span = selectionSpan(this.textEl, this.r.index);
    if (!span) return;
    if (this.picking && this.pickHandler) {
      const fn = this.pickHandler;
      this.picking = null;
      this.pickHandler = null;
      window.getSelection().removeAllRanges();
      fn(span);
      return;
    }
    this.lastSelection = span;
    status(`Selected ${span.end - span.start} characters (${span.start}–${span.end}). Press c to make a claim of it.`);
  }

  mark(id, cls, on) {
    for (const p of this.r.claimPieces.get(id) || []) p.classList.toggle(cls, on);
  }

  select(id, { scroll = false } = {}) {
    if (this.selected) this.mark(this.selected, 'sel', false);
    this.selected = id;
    if (id) {
      this.mark(id, 'sel', true);
      const first = (this.r.claimPieces.get(id) || [])[0];
      if (scroll && first) first.scrollIntoView({ block: 'center' });
      history.replaceState(null, '', link(`doc/${this.doc.id}`, { claim: id }));
    }
    this.drawArcs();
    this.showPanel('claim');
  }

  // ---- arcs ------------------------------------------------------------------

  /** Arcs in the right margin for the selected claim, else the hovered one. */
  drawArcs() {
    const svg = this.arcs;
    svg.replaceChildren();
    const focus = this.selected || this.hovered;
    const wrapBox = this.textWrap.getBoundingClientRect();
    svg.setAttribute('width', wrapBox.width);
    svg.setAttribute('height', this.textWrap.scrollHeight);
    if (!focus) return;
    const ns = 'http://www.w3.org/2000/svg';
    const defs = document.createElementNS(ns, 'defs');
    for (const k of ['opp', 'sup', 'neu']) {
      const m = document.createElementNS(ns, 'marker');
      m.id = `arrow-${k}`;
      for (const [a, v] of Object.entries({ viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' })) m.setAttribute(a, v);
      const p = document.createElementNS(ns, 'path');
      p.setAttribute('d', 'M0,0 L10,5 L0,10 z');
      p.setAttribute('class', `arrow ${k}`);
      m.append(p);
      defs.append(m);
    }
    svg.append(defs);
    const textBox = this.textEl.getBoundingClientRect();
    const x0 = textBox.right - wrapBox.left + 4;
    const yOf = (id) => {
      const p = (this.r.claimPieces.get(id) || [])[0];
      if (!p) return null;
      const rect = p.getClientRects()[0] || p.getBoundingClientRect();
      return rect.top - wrapBox.top + rect.height / 2;
    };
    const rels = this.relations.filter((r) => r.from_claim_id === focus || r.to_claim_id === focus);
    for (const r of rels) {
      const y1 = yOf(r.from_claim_id);
      const y2 = yOf(r.to_claim_id);
      if (y1 === null || y2 === null) continue; // the other end is in another document: see the panel
      const bulge = 24 + Math.min(110, Math.abs(y2 - y1) / 5);
      const d = `M${x0},${y1} C${x0 + bulge},${y1} ${x0 + bulge},${y2} ${x0},${y2}`;
      const cls = OPPOSING.has(r.kind) ? 'opp' : r.kind === 'supports' ? 'sup' : 'neu';
      const other = r.from_claim_id === focus ? r.to_claim_id : r.from_claim_id;
      const g = document.createElementNS(ns, 'g');
      g.setAttribute('class', `arc ${cls}`);
      g.setAttribute('tabindex', '0');
      g.setAttribute('role', 'button');
      const otherText = this.byId.get(other)?.text || '';
      g.setAttribute('aria-label', `${r.kind}: ${clip(otherText, 80)}`);
      g.dataset.relation = r.id;
      const hit = document.createElementNS(ns, 'path');
      hit.setAttribute('d', d);
      hit.setAttribute('class', 'hit');
      const line = document.createElementNS(ns, 'path');
      line.setAttribute('d', d);
      line.setAttribute('class', 'line');
      line.setAttribute('marker-end', `url(#arrow-${cls})`);
      const label = document.createElementNS(ns, 'text');
      label.setAttribute('x', x0 + bulge * 0.75 + 4);
      label.setAttribute('y', (y1 + y2) / 2 + 4);
      label.textContent = r.kind;
      const title = document.createElementNS(ns, 'title');
      title.textContent = `${r.kind}: ${otherText}`;
      g.append(title, hit, line, label);
      const go = () => { this.select(other, { scroll: true }); };
      g.addEventListener('click', go);
      g.addEventListener('keydown', (ev) => { if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); go(); } });
      svg.append(g);
    }
  }

  // ---- the side panel ----------------------------------------------------------

  showPanel(mode) {
    this.panelMode = mode;
    for (const t of this.tabs.children) t.setAttribute('aria-selected', String(t.id === `tab-${mode}`));
    if (mode === 'relations') return this.relationsPanel();
    if (mode === 'claims') return this.claimsPanel();
    if (!this.selected) {
      return fill(this.panel, h('h2', null, 'No claim selected'),
        h('p', null, 'Click a highlight to read its claim, or select words in the text and press ',
          h('kbd', null, 'c'), ' to make a new claim. ', h('kbd', null, 'j'), '/', h('kbd', null, 'k'),
          ' step through the claims; ', h('kbd', null, '?'), ' lists every shortcut.'),
        h('p.legend', null, h('span.hl.d1', null, 'one claim'), ' ', h('span.hl.d2', null, 'two overlap'), ' ',
          h('span.hl.d3', null, 'three or more'), ' ', h('span.hl.d1.multi', null, 'in pieces'), ' ',
          h('span.hl.d1.sel', null, 'selected')));
    }
    return this.claimPanel(this.selected);
  }

  claimsPanel() {
    const filter = h('input', { type: 'search', placeholder: 'filter by words or tag' });
    const list = h('ol.claimlist');
    const render = () => {
      const q = filter.value.toLowerCase();
      const sorted = [...this.claims].sort((a, b) => (segmentsOf(a.target)[0]?.start ?? 0) - (segmentsOf(b.target)[0]?.start ?? 0));
      fill(list, sorted.filter((c) => !q || c.text.toLowerCase().includes(q) || (c.tags || []).some((t) => t.includes(q)))
        .map((c) => h('li', null, h('button.link', { type: 'button', onclick: () => this.select(c.id, { scroll: true }) }, clip(c.text, 140)),
          h('small', null, ` ${c.kind}`))));
    };
    filter.addEventListener('input', render);
    render();
    fill(this.panel, h('h2', null, `${this.claims.length} claims`), field('Filter claims', filter).row, list);
  }

  async claimPanel(id) {
    const out = h('div');
    fill(this.panel, h('p.loading', null, 'Loading…'));
    let c;
    try {
      c = await get(`/v1/claims/${id}`);
    } catch (err) {
      fill(this.panel, errorBox(err));
      return;
    }
    if (this.selected !== id) return;
    this.current = c;
    const segs = segmentsOf(c.target);
    const attrs = c.attributions || [];
    const attrById = new Map(attrs.map((a) => [a.id, a]));
    const viaChain = (a) => {
      const chain = [];
      let v = a.via_attribution_id;
      while (v && chain.length < 10) {
        const x = attrById.get(v);
        chain.push(x ? x.actor?.name || '?' : 'another attribution');
        v = x?.via_attribution_id;
      }
      return chain;
    };
    const relItem = (r, dir) => {
      const other = r.claim || {};
      const inOther = other.document_id && other.document_id !== this.doc.id;
      return h('li', null, h('span.kind', { 'data-kind': r.kind }, dir === 'out' ? `${r.kind} →` : `← ${r.kind}`), ' ',
        h('button.link', { type: 'button', onclick: () => this.openClaim(other.id, other.document_id) }, clip(other.text, 160)),
        other.speakers?.length ? h('small', null, ` — ${other.speakers.map((s) => s.name).join('; ')}`) : null,
        inOther ? [' ', h('a.small', { href: link(`doc/${dir === 'out' ? this.doc.id : other.document_id}`, { compare: dir === 'out' ? other.document_id : this.doc.id, claim: dir === 'out' ? c.id : other.id, other: dir === 'out' ? other.id : c.id }) }, 'side by side')] : null,
        ' ', h('button.link.small', { type: 'button', 'aria-label': `Delete the relation ${r.kind}`, onclick: () => this.deleteRelation(r) }, 'delete'));
    };
    // This panel's own box: a reply that comes after the reader moved on to
    // another claim fills a box no longer shown, never the next claim's.
    const counterBox = h('div', { id: 'counterclaims' }, h('p.small', null, 'Loading…'));
    const sections = [
      h('h2', { tabindex: '-1', id: 'claim-heading' }, c.text),
      h('p.meta', null, h('span.badge', null, c.kind), ' ', (c.tags || []).map((t) => h('span.tag', null, t)),
        c.rev !== undefined ? h('small', null, ` rev ${c.rev}`) : null),
      h('blockquote.quote', null, segs.map((s, i) => [i ? h('span.gap', null, ' … ') : null, s.exact ?? this.r.index.slice(s.start, s.end)])),
      h('p.small', null, `code points ${segs.map((s) => `${s.start}–${s.end}`).join(', ')}`),
      c.note ? h('p.note', null, c.note) : null,
      h('div.actions', null,
        h('button', { type: 'button', onclick: () => this.attributeForm(), title: 'a' }, 'Attribute'),
        h('button', { type: 'button', onclick: () => this.citeForm(), title: 'i' }, 'Cite'),
        h('button', { type: 'button', onclick: () => this.relateForm(), title: 'r' }, 'Relate'),
        features.segments ? h('button', { type: 'button', onclick: () => this.addSegmentToClaim(), title: 's' }, 'Add a segment') : null,
        h('button', { type: 'button', onclick: () => this.editForm(), title: 'e' }, 'Edit'),
        features.has('/v1/claims/{id}/thread') ? h('a.button', { href: link(`thread/${c.id}`) }, 'Thread') : h('a.button', { href: link(`thread/${c.id}`) }, 'Thread'),
        h('button.danger', { type: 'button', onclick: () => this.deleteClaim(c) }, 'Delete')),
      out,
      h('h3', null, `Attributions (${attrs.length})`),
      attrs.length ? h('ul.attrs', null, attrs.map((a) => {
        const chain = viaChain(a);
        return h('li', null, h('strong', null, a.actor?.name || a.actor_id), a.actor?.kind ? h('small', null, ` (${a.actor.kind})`) : null,
          a.role ? h('div', null, 'role: ', a.role) : null,
          h('div', null, 'mode: ', a.mode, a.cue ? ['; cue: ', h('q', null, a.cue)] : null,
            a.polarity ? `; ${a.polarity}` : null, a.factuality ? `; ${a.factuality}` : null, a.said_at ? `; said ${a.said_at}` : null),
          chain.length ? h('div', null, 'via: ', chain.join(' ← ')) : null,
          h('button.link.small', { type: 'button', onclick: () => this.deleteAttribution(a) }, 'delete'));
      })) : h('p.small', null, 'None yet.'),
      h('h3', null, `Citations (${(c.citations || []).length})`),
      (c.citations || []).length ? h('ul', null, c.citations.map((x) => h('li', null, x.source?.title || x.source_id,
        x.source?.kind ? h('small', null, ` (${x.source.kind})`) : null, x.locator ? `, ${x.locator}` : null))) : h('p.small', null, 'None.'),
      h('h3', null, `Relations (${(c.relations?.outgoing || []).length} out, ${(c.relations?.incoming || []).length} in)`),
      h('ul.rels', null, (c.relations?.outgoing || []).map((r) => relItem(r, 'out')), (c.relations?.incoming || []).map((r) => relItem(r, 'in'))),
      h('h3', null, 'Counterclaims'),
      counterBox,
    ];
    if (features.has('/v1/claims/{id}/revisions')) sections.push(h('h3', null, 'History'), historySection(`/v1/claims/${id}`, () => this.refresh(id)));
    fill(this.panel, sections);
    this.panelOut = out;
    try {
      const cc = await get(`/v1/claims/${id}/counterclaims`);
      fill(counterBox, cc.items.length ? h('ul.counter', null, cc.items.map((x) => h('li', null,
        h('span.kind', { 'data-kind': x.kind }, `${x.direction === 'incoming' ? '←' : '→'} ${x.kind}`), ' ',
        h('button.link', { type: 'button', onclick: () => this.openClaim(x.claim.id, x.claim.document?.id || x.claim.document_id) }, clip(x.claim.text, 160)),
        (x.speakers || []).length ? h('small', null, ` — ${x.speakers.filter((s) => s.mode !== 'endorsement').map((s) => s.name).join('; ')}`) : null)))
        : h('p.small', null, 'None.'));
    } catch (err) {
      fill(counterBox, errorBox(err));
    }
  }

  openClaim(id, docId) {
    if (!docId || docId === this.doc.id) this.select(id, { scroll: true });
    else location.hash = link(`doc/${docId}`, { claim: id });
  }

  /** Reloads one claim after a change and redraws. */
  async refresh(id, { removed = false } = {}) {
    if (removed) {
      this.claims = this.claims.filter((c) => c.id !== id);
      this.byId.delete(id);
      if (this.selected === id) this.selected = null;
    } else if (id) {
      try {
        const c = await get(`/v1/claims/${id}`);
        if (c.document_id === this.doc.id) {
          const i = this.claims.findIndex((x) => x.id === id);
          if (i >= 0) this.claims[i] = c; else this.claims.push(c);
          this.byId.set(id, c);
        }
      } catch (err) {
        if (err.status === 404) return this.refresh(id, { removed: true });
        throw err;
      }
    }
    this.draw();
    await this.loadRelations();
    this.showPanel(this.panelMode === 'claims' ? 'claims' : this.panelMode === 'relations' ? 'relations' : 'claim');
  }

  // ---- annotating ------------------------------------------------------------

  newClaimFromSelection() {
    const span = selectionSpan(this.textEl, this.r.index) || this.lastSelection;
    if (!span) {
      status('Select the words of the claim in the text first.', 'error');
      return;
    }
    window.getSelection().removeAllRanges();
    this.lastSelection = null;
    this.pending = { segments: [span] };
    this.newClaimForm();
  }

  addSegmentFromSelection() {
    if (this.pending) {
      const span = selectionSpan(this.textEl, this.r.index) || this.lastSelection;
      if (span) {
        this.pending.segments.push(span);
        this.pending.segments.sort((a, b) => a.start - b.start);
        window.getSelection().removeAllRanges();
        this.newClaimForm();
      } else {
        this.pickSegmentForPending();
      }
    } else if (this.selected) this.addSegmentToClaim();
  }

  pickSegmentForPending() {
    this.picking = 'segment';
    status('Select the next piece of the claim in the text.');
    this.pickHandler = (span) => {
      this.pending.segments.push(span);
      this.pending.segments.sort((a, b) => a.start - b.start);
      this.newClaimForm();
    };
  }

  newClaimForm() {
    const segs = this.pending.segments;
    const quote = segs.map((s) => s.exact).join(' … ');
    const text = h('textarea', { name: 'text', rows: 3, required: true }, quote);
    const kind = select('kind', CLAIM_KINDS(), 'factual');
    const tags = tagInput([]);
    const note = h('input', { name: 'note' });
    const out = h('div');
    const form = h('form.annotate', {
      onsubmit: async (ev) => {
        ev.preventDefault();
        await this.createClaim(segs, { text: text.value, kind: kind.value, tags: tags.values(), note: note.value || undefined }, out);
      },
    }, h('h2', null, 'New claim'),
    h('blockquote.quote', null, segs.map((s, i) => [i ? h('span.gap', null, ' … ') : null, s.exact])),
    h('p.small', null, `code points ${segs.map((s) => `${s.start}–${s.end}`).join(', ')}`),
    features.segments ? h('button', { type: 'button', onclick: () => this.pickSegmentForPending(), title: 's' }, 'Add another piece') : null,
    field('Claim (as a plain sentence)', text).row, field('Kind', kind).row, tags.row, field('Note', note).row, out,
    h('div.actions', null, h('button.primary', { type: 'submit' }, 'Create the claim'),
      h('button', { type: 'button', onclick: () => { this.pending = null; this.showPanel('claim'); } }, 'Cancel')));
    this.panelMode = 'form';
    fill(this.panel, form);
    text.focus();
    text.select();
  }

  async createClaim(segs, fields, out) {
    const target = segs.length > 1
      ? { segments: segs.map((s) => ({ start: s.start, end: s.end, exact: s.exact })) }
      : { start: segs[0].start, end: segs[0].end, exact: segs[0].exact };
    const body = { document_id: this.doc.id, target, ...fields };
    try {
      const c = await post('/v1/claims', body);
      this.pending = null;
      undoStack.push({ label: 'the new claim', run: async () => { await del(`/v1/claims/${c.id}`, false); await this.refresh(c.id, { removed: true }); } });
      status('Claim created');
      this.claims.push(c);
      this.byId.set(c.id, c);
      this.draw();
      this.select(c.id);
      return c;
    } catch (err) {
      fill(out, errorBox(err), candidatesOf(err, (cand) => {
        const fixed = [{ start: cand.start, end: cand.end, exact: cand.exact ?? this.r.index.slice(cand.start, cand.end) }];
        this.pending = { segments: fixed };
        this.newClaimForm();
      }));
      return null;
    }
  }

  addSegmentToClaim() {
    const c = this.current;
    if (!c || !features.segments) return;
    this.picking = 'claim-segment';
    status('Select the piece to add to the claim.');
    fill(this.panelOut || this.panel, h('p.hint', null, 'Select the words to add as another piece of this claim.'));
    this.pickHandler = async (span) => {
      const segs = [...segmentsOf(c.target).map((s) => ({ start: s.start, end: s.end, exact: s.exact })), span].sort((a, b) => a.start - b.start);
      await this.saveClaim(c, { target: { segments: segs } }, 'a segment added');
    };
  }

  /** PATCH with If-Match; a 412 opens the conflict dialog. */
  async saveClaim(c, changes, what) {
    try {
      await editClaim(c, changes, what);
      await this.refresh(c.id);
    } catch (err) {
      if (err instanceof ApiError && err.status === 412) return; // the conflict dialog handled it
      if (this.panelOut) fill(this.panelOut, errorBox(err)); else status(err.message, 'error');
    }
  }

  editForm() {
    const c = this.current;
    if (!c) return;
    const text = h('textarea', { name: 'text', rows: 3 }, c.text);
    const kind = select('kind', CLAIM_KINDS(), c.kind);
    const tags = tagInput(c.tags || []);
    const note = h('input', { name: 'note', value: c.note || '' });
    const out = h('div');
    fill(this.panel, h('form.annotate', {
      onsubmit: async (ev) => {
        ev.preventDefault();
        this.panelOut = out;
        await this.saveClaim(c, { text: text.value, kind: kind.value, tags: tags.values(), note: note.value || null }, 'the edit');
      },
    }, h('h2', null, 'Edit the claim'), field('Claim', text).row, field('Kind', kind).row, tags.row, field('Note', note).row, out,
    h('div.actions', null, h('button.primary', { type: 'submit' }, 'Save'),
      h('button', { type: 'button', onclick: () => this.showPanel('claim') }, 'Cancel'))));
    text.focus();
  }

  async deleteClaim(c) {
    const restorable = features.has('/v1/trash/{resource}/{id}/restore');
    const ok = await dialog('Delete this claim?', (close) => h('div', null,
      h('p', null, clip(c.text, 200)),
      h('p', null, restorable ? 'It goes to the trash with its attributions, citations and relations; Undo or the trash bring it back.'
        : 'Its attributions, citations and relations are deleted with it; this server has no trash to bring them back.'),
      h('div.actions', null, h('button.danger', { type: 'button', onclick: () => close(true) }, 'Delete'),
        h('button', { type: 'button', onclick: () => close(false) }, 'Cancel'))));
    if (!ok) return;
    try {
      await del(`/v1/claims/${c.id}`, etagOf(`/v1/claims/${c.id}`) || false);
      if (restorable) {
        undoStack.push({ label: 'the deletion', run: async () => { await post(`/v1/trash/claims/${c.id}/restore`, {}); await this.refresh(c.id); } });
      }
      status('Claim deleted');
      await this.refresh(c.id, { removed: true });
    } catch (err) {
      status(err.message, 'error');
    }
  }

  async deleteRelation(r) {
    try {
      await del(`/v1/relations/${r.id}`, false);
      status('Relation deleted');
      await this.refresh(this.selected);
    } catch (err) { status(err.message, 'error'); }
  }

  async deleteAttribution(a) {
    try {
      await del(`/v1/attributions/${a.id}`, false);
      status('Attribution deleted');
      await this.refresh(this.selected);
    } catch (err) { status(err.message, 'error'); }
  }

  attributeForm() {
    const c = this.current;
    if (!c) return;
    let actor = null;
    let cueSpan = null;
    const actorIn = h('input', { name: 'actor', placeholder: 'name or alias' });
    const actorShown = h('div.small', { 'aria-live': 'polite' });
    const role = h('input', { name: 'role' });
    const mode = select('mode', MODES(), 'direct_quote');
    const cue = h('input', { name: 'cue', placeholder: 'said, slammed…' });
    const cueShown = h('div.small', { 'aria-live': 'polite' });
    const via = select('via', ['', ...(c.attributions || []).map((a) => a.id)], '',
      Object.fromEntries([['', '(direct)'], ...(c.attributions || []).map((a) => [a.id, a.actor?.name || a.id])]));
    const hasPol = JSON.stringify(features.spec?.components?.schemas || {}).includes('"polarity"');
    const polarity = hasPol ? select('polarity', ['', 'positive', 'negative'], '') : null;
    const factuality = hasPol ? select('factuality', ['', 'certain', 'probable', 'possible'], '') : null;
    const out = h('div');
    const setActor = (a) => {
      actor = a;
      actorIn.value = a.name;
      fill(actorShown, 'Speaker: ', h('strong', null, a.name), ` (${a.kind})`);
    };
    const combo = autocomplete(actorIn, async (q) => {
      const found = await findActors(q);
      const items = found.map((a) => ({ label: a.name, detail: `${a.kind}${a.aliases?.length ? ` · ${a.aliases.slice(0, 2).join(', ')}` : ''}`, value: a }));
      if (q.trim()) items.push({ label: `Create new actor “${q.trim()}”…`, value: { create: q.trim() } });
      return items;
    }, async (it) => {
      if (it.value.create) {
        const made = await createActorDialog(it.value.create);
        if (made) setActor(made);
      } else setActor(it.value);
    });
    const pickCue = h('button', {
      type: 'button',
      onclick: () => {
        this.picking = 'cue';
        status('Select the cue words (e.g. “said”) in the text.');
        fill(cueShown, 'Now select the cue words in the text…');
        this.pickHandler = (span) => {
          cueSpan = span;
          cue.value = span.exact;
          fill(cueShown, `Cue span: “${span.exact}” at ${span.start}–${span.end}`);
          cue.focus();
        };
      },
    }, 'Select the cue in the text');
    fill(this.panel, h('form.annotate', {
      onsubmit: async (ev) => {
        ev.preventDefault();
        if (!actor) { fill(out, h('div.error', { role: 'alert' }, 'Choose the speaker (or create a new actor).')); actorIn.focus(); return; }
        const body = { actor_id: actor.id, role: role.value || undefined, mode: mode.value, cue: cue.value || undefined,
          cue_span: cueSpan ? { start: cueSpan.start, end: cueSpan.end, exact: cueSpan.exact } : undefined,
          via_attribution_id: via.value || undefined, polarity: polarity?.value || undefined, factuality: factuality?.value || undefined };
        try {
          const a = await post(`/v1/claims/${c.id}/attributions`, body);
          undoStack.push({ label: 'the attribution', run: async () => { await del(`/v1/attributions/${a.id}`, false); await this.refresh(c.id); } });
          status(`Attributed to ${actor.name}`);
          await this.refresh(c.id);
        } catch (err) {
          fill(out, errorBox(err), candidatesOf(err, (cand) => { cueSpan = cand; fill(cueShown, `Cue span: ${cand.start}–${cand.end}`); }));
        }
      },
    }, h('h2', null, 'Attribute the claim'), h('p.small', null, clip(c.text, 160)),
    field('Speaker', combo).row, actorShown, field('Role', role, 'e.g. Foreign Ministry spokesperson').row,
    field('Mode', mode).row, h('div.field', null, field('Cue', cue).row, pickCue, cueShown),
    field('Via (reported through)', via).row,
    polarity ? field('Polarity', polarity).row : null, factuality ? field('Factuality', factuality).row : null, out,
    h('div.actions', null, h('button.primary', { type: 'submit' }, 'Add the attribution'),
      h('button', { type: 'button', onclick: () => this.showPanel('claim') }, 'Cancel'))));
    actorIn.id = actorIn.id || uid();
    actorIn.focus();
  }

  citeForm() {
    const c = this.current;
    if (!c) return;
    let source = null;
    const srcIn = h('input', { name: 'source', placeholder: 'title, publisher or URL' });
    const shown = h('div.small', { 'aria-live': 'polite' });
    const locator = h('input', { name: 'locator', placeholder: 'p. 12, para. 3' });
    const out = h('div');
    const combo = autocomplete(srcIn, async (q) => {
      const found = await findSources(q);
      const items = found.map((s) => ({ label: s.title, detail: s.kind, value: s }));
      if (q.trim()) items.push({ label: `Create new source “${q.trim()}”…`, value: { create: q.trim() } });
      return items;
    }, async (it) => {
      source = it.value.create ? await createSourceDialog(it.value.create) : it.value;
      if (source) { srcIn.value = source.title; fill(shown, 'Source: ', h('strong', null, source.title)); }
    });
    fill(this.panel, h('form.annotate', {
      onsubmit: async (ev) => {
        ev.preventDefault();
        if (!source) { fill(out, h('div.error', { role: 'alert' }, 'Choose a source (or create one).')); return; }
        try {
          const x = await post(`/v1/claims/${c.id}/citations`, { source_id: source.id, locator: locator.value || undefined });
          undoStack.push({ label: 'the citation', run: async () => { await del(`/v1/citations/${x.id}`, false); await this.refresh(c.id); } });
          status('Source cited');
          await this.refresh(c.id);
        } catch (err) { fill(out, errorBox(err)); }
      },
    }, h('h2', null, 'Cite a source'), h('p.small', null, clip(c.text, 160)), field('Source', combo).row, shown,
    field('Locator', locator).row, out,
    h('div.actions', null, h('button.primary', { type: 'submit' }, 'Cite'), h('button', { type: 'button', onclick: () => this.showPanel('claim') }, 'Cancel'))));
    srcIn.focus();
  }

  relateForm() {
    const c = this.current;
    if (!c) return;
    const kind = select('kind', REL_KINDS(), 'refutes');
    const direction = select('direction', ['out', 'in'], 'out', { out: 'this claim → the other', in: 'the other → this claim' });
    const q = h('input', { type: 'search', name: 'q', placeholder: 'words of the other claim' });
    const scope = select('scope', ['all', 'this'], 'all', { all: 'every document', this: 'this document' });
    const results = h('ul.results', { 'aria-live': 'polite' });
    const out = h('div');
    const search = async () => {
      fill(results, h('li.loading', null, 'Searching…'));
      try {
        const found = await searchClaims(q.value, scope.value === 'this' ? this.doc.id : null);
        fill(results, found.filter((x) => x.id !== c.id).slice(0, 30).map((x) => h('li', null,
          h('button.link', { type: 'button', onclick: () => relate(x) }, clip(x.text, 150)),
          h('small', null, ` ${x.document?.title ? `— ${clip(x.document.title, 50)}` : x.document_id === this.doc.id ? '— this document' : ''}`))));
        if (!results.children.length) fill(results, h('li', null, 'No claim found.'));
      } catch (err) { fill(results, h('li', null, errorBox(err))); }
    };
    const relate = async (other) => {
      const body = direction.value === 'out'
        ? { from_claim_id: c.id, to_claim_id: other.id, kind: kind.value }
        : { from_claim_id: other.id, to_claim_id: c.id, kind: kind.value };
      try {
        const r = await post('/v1/relations', body);
        undoStack.push({ label: 'the relation', run: async () => { await del(`/v1/relations/${r.id}`, false); await this.refresh(c.id); } });
        status(`Related: ${kind.value}`);
        await this.refresh(c.id);
      } catch (err) { fill(out, errorBox(err)); }
    };
    fill(this.panel, h('form.annotate', { role: 'search', onsubmit: (ev) => { ev.preventDefault(); search(); } },
      h('h2', null, 'Relate the claim'), h('p.small', null, clip(c.text, 160)),
      field('Relation', kind).row, field('Direction', direction).row, field('Find the other claim', q).row, field('In', scope).row,
      h('div.actions', null, h('button.primary', { type: 'submit' }, 'Search'), h('button', { type: 'button', onclick: () => this.showPanel('claim') }, 'Cancel')),
      out, results));
    q.focus();
  }

  // ---- the relation list -------------------------------------------------------

  async relationsPanel() {
    const q = h('input', { type: 'search', name: 'filter', placeholder: 'words in either claim' });
    const kind = select('kind', ['', ...REL_KINDS()], '', { '': 'every kind' });
    const scope = select('scope', ['', 'inside', 'cross'], '', { '': 'all', inside: 'inside this document', cross: 'across documents' });
    const table = h('div', { 'aria-live': 'polite' });
    const textOf = (id) => this.byId.get(id)?.text || this.otherClaims.get(id)?.text;
    const missing = [...new Set(this.relations.flatMap((r) => [r.from_claim_id, r.to_claim_id]))].filter((id) => !textOf(id));
    const render = () => {
      const needle = q.value.toLowerCase();
      const rows = this.relations.filter((r) => {
        const cross = !this.byId.has(r.from_claim_id) || !this.byId.has(r.to_claim_id);
        if (kind.value && r.kind !== kind.value) return false;
        if (scope.value === 'inside' && cross) return false;
        if (scope.value === 'cross' && !cross) return false;
        if (needle && ![textOf(r.from_claim_id), textOf(r.to_claim_id)].some((t) => (t || '').toLowerCase().includes(needle))) return false;
        return true;
      });
      const cell = (id) => {
        const mine = this.byId.has(id);
        const other = this.otherClaims.get(id);
        return h('td', null, h('button.link', { type: 'button', onclick: () => this.openClaim(id, mine ? this.doc.id : other?.document_id) }, clip(textOf(id) || '…', 140)),
          !mine && other?.document_id ? [' ', h('a.small', { href: link(`doc/${this.doc.id}`, { compare: other.document_id, claim: this.byId.has(id) ? id : null, other: id }) }, 'side by side')] : null);
      };
      fill(table, h('table.list.rellist', null, h('caption', null, `${rows.length} of ${this.relations.length} relations`),
        h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Claim'), h('th', { scope: 'col' }, 'relation'), h('th', { scope: 'col' }, 'Claim'))),
        h('tbody', null, rows.map((r) => h('tr', null, cell(r.from_claim_id), h('td', null, h('span.kind', { 'data-kind': r.kind }, r.kind)), cell(r.to_claim_id))))));
    };
    for (const el of [q, kind, scope]) el.addEventListener('input', render);
    fill(this.panel, h('h2', null, 'Relations of this document'),
      h('div.filters', null, field('Filter', q).row, field('Kind', kind).row, field('Scope', scope).row), table);
    render();
    if (missing.length) {
      await fetchClaims(missing, this.otherClaims);
      if (this.panelMode === 'relations') render();
    }
  }
}

/** Fetches claims by id (a few at a time) into map. */
async function fetchClaims(ids, map) {
  const queue = [...ids];
  const worker = async () => {
    while (queue.length) {
      const id = queue.shift();
      try { map.set(id, await get(`/v1/claims/${id}`)); } catch { /* gone or unreadable */ }
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
}

/** Candidate spans from a 422 (ambiguous quote, normalized matches, grapheme
 *  boundaries) as buttons. */
function candidatesOf(err, use) {
  const e = err?.error || {};
  const cands = e.candidates || e.boundaries || [];
  if (!cands.length) return null;
  return h('div.candidates', null, h('p', null, 'The server suggests:'),
    h('ul', null, cands.slice(0, 10).map((cand) => h('li', null,
      h('button', { type: 'button', onclick: () => use(cand) }, `use ${cand.start}–${cand.end}`), ' ',
      cand.exact ? h('q', null, clip(cand.exact, 80)) : null,
      cand.differences ? h('small', null, ` (${[].concat(cand.differences).join(', ')})`) : null))));
}

// ---- finding actors, sources, claims, tags ------------------------------------

let actorCache = null;
async function findActors(q) {
  if (features.hasParam('/v1/actors', 'q')) {
    if (!q.trim()) return [];
    return (await get('/v1/actors', { q, limit: 10, project_id: session.project })).items;
  }
  // this server matches whole names only: rank the project's actors here
  actorCache ||= await all('/v1/actors', { project_id: session.project }, 20000);
  const needle = q.trim().toLowerCase();
  if (!needle) return [];
  const score = (a) => {
    const names = [a.name, ...(a.aliases || [])].map((s) => s.toLowerCase());
    if (names.some((s) => s === needle)) return 0;
    if (names.some((s) => s.startsWith(needle))) return 1;
    if (names.some((s) => s.split(/\W+/).some((w) => w.startsWith(needle)))) return 2;
    if (names.some((s) => s.includes(needle))) return 3;
    return 9;
  };
  return actorCache.map((a) => [score(a), a]).filter(([s]) => s < 9).sort((x, y) => x[0] - y[0] || x[1].name.localeCompare(y[1].name))
    .slice(0, 10).map(([, a]) => a);
}

async function createActorDialog(name) {
  return dialog('New actor', (close) => {
    const nameIn = h('input', { name: 'name', value: name, required: true });
    const kind = select('kind', ACTOR_KINDS(), 'person');
    const out = h('div');
    return h('form', {
      onsubmit: async (ev) => {
        ev.preventDefault();
        try {
          const a = await post('/v1/actors', { name: nameIn.value, kind: kind.value, project_id: session.project || undefined });
          actorCache?.push(a);
          close(a);
        } catch (err) {
          const similar = err.error?.similar || [];
          fill(out, errorBox(err), similar.length ? h('ul', null, similar.map((a) => h('li', null,
            h('button', { type: 'button', onclick: () => close(a) }, `use ${a.name}`)))) : null);
        }
      },
    }, field('Name', nameIn).row, field('Kind', kind).row, out,
    h('div.actions', null, h('button.primary', { type: 'submit' }, 'Create'), h('button', { type: 'button', onclick: () => close(null) }, 'Cancel')));
  });
}

let sourceCache = null;
async function findSources(q) {
  if (features.hasParam('/v1/sources', 'q')) {
    if (!q.trim()) return [];
    return (await get('/v1/sources', { q, limit: 10, project_id: session.project })).items;
  }
  sourceCache ||= await all('/v1/sources', { project_id: session.project }, 20000);
  const needle = q.trim().toLowerCase();
  if (!needle) return [];
  return sourceCache.filter((s) => [s.title, s.url].some((x) => x && x.toLowerCase().includes(needle))).slice(0, 10);
}

async function createSourceDialog(title) {
  return dialog('New source', (close) => {
    const t = h('input', { name: 'title', value: title, required: true });
    const kind = select('kind', SOURCE_KINDS(), 'report');
    const url = h('input', { name: 'url', type: 'url' });
    const out = h('div');
    return h('form', {
      onsubmit: async (ev) => {
        ev.preventDefault();
        try {
          const s = await post('/v1/sources', { title: t.value, kind: kind.value, url: url.value || undefined, project_id: session.project || undefined });
          sourceCache?.push(s);
          close(s);
        } catch (err) { fill(out, errorBox(err)); }
      },
    }, field('Title', t).row, field('Kind', kind).row, field('URL', url).row, out,
    h('div.actions', null, h('button.primary', { type: 'submit' }, 'Create'), h('button', { type: 'button', onclick: () => close(null) }, 'Cancel')));
  });
}

async function searchClaims(q, documentId) {
  if (features.has('/v1/search') && q.trim() && !documentId) {
    const res = await get('/v1/search', { q, type: 'claim', project_id: session.project, limit: 30 });
    return res.items.map((it) => it.claim || it);
  }
  const res = await get('/v1/claims', { q: q.trim() || undefined, document_id: documentId || undefined, project_id: session.project, limit: 30 });
  return res.items;
}

/** A tags field with codebook (or existing tag) suggestions; values() gives the list. */
function tagInput(initial) {
  const tags = [...initial];
  const chips = h('span.chips');
  const input = h('input', { name: 'tag', placeholder: 'topic/…' });
  const renderChips = () => fill(chips, tags.map((t, i) => h('span.tag', null, t, h('button.link', {
    type: 'button', 'aria-label': `remove tag ${t}`, onclick: () => { tags.splice(i, 1); renderChips(); },
  }, '×'))));
  let combo = null;
  const add = (t) => {
    t = t.trim();
    if (t && !tags.includes(t)) tags.push(t);
    input.value = '';
    combo?.close(); // and forget the answer to what was typed, which would reopen the list
    renderChips();
  };
  input.addEventListener('keydown', (ev) => {
    if ((ev.key === 'Enter' || ev.key === ',') && input.value.trim() && input.getAttribute('aria-expanded') !== 'true') {
      ev.preventDefault();
      add(input.value);
    }
  });
  combo = autocomplete(input, async (q) => {
    if (features.has('/v1/codebook')) {
      const res = await get('/v1/codebook', { project_id: session.project, prefix: q || undefined, limit: 20 }).catch(() => ({ items: [] }));
      // Filtered by what the field holds now: an answer to an earlier keystroke (the empty
      // query on focus lists the whole codebook) must not offer tags the typing has left behind.
      const now = input.value.trim();
      return res.items.filter((e) => (!q || e.tag.includes(q)) && e.tag.startsWith(now)).slice(0, 12).map((e) => ({ label: e.tag, detail: e.description, value: e.tag }));
    }
    const res = await get('/v1/tags', { prefix: q || undefined, project_id: session.project }).catch(() => ({ items: [] }));
    return (res.items || []).slice(0, 12).map((e) => ({ label: e.tag, detail: e.count != null ? `${e.count} claims` : '', value: e.tag }));
  }, (it) => add(it.value));
  renderChips();
  return { row: h('div.field', null, field('Tags (Enter adds)', combo).row, chips), values: () => [...tags, ...(input.value.trim() ? [input.value.trim()] : [])] };
}

function shortcutHelp() {
  const keys = [['c', 'new claim from the selected words'], ['s', 'add the selected words as another piece'], ['a', 'attribute the selected claim'],
    ['i', 'cite a source'], ['r', 'relate to another claim'], ['e', 'edit the claim'], ['j / k', 'next / previous claim'],
    ['l', 'the relation list'], ['u', 'undo the last change'], ['/', 'search (document list)'], ['Esc', 'clear the selection'], ['?', 'this help']];
  dialog('Keyboard shortcuts', (close) => h('div', null, h('table.list', null, h('tbody', null, keys.map(([k, v]) => h('tr', null, h('td', null, h('kbd', null, k)), h('td', null, v))))),
    h('div.actions', null, h('button.primary', { type: 'button', onclick: () => close() }, 'Close'))));
}

// ---- side by side --------------------------------------------------------------

async function sideBySide(main, docId, query) {
  const otherDoc = query.get('compare');
  const claimId = query.get('claim');
  const otherId = query.get('other');
  fill(main, h('p.loading', null, 'Loading both documents…'));
  const [a, b] = await Promise.all([loadDocument(docId), loadDocument(otherDoc)]);
  const rels = [];
  if (claimId && otherId) {
    for (const [f, t] of [[claimId, otherId], [otherId, claimId]]) {
      const page = await get('/v1/relations', { from_claim_id: f, to_claim_id: t });
      rels.push(...page.items);
    }
  }
  const pane = (d, claims, focusId) => {
    const text = h('div.doctext.compact', { lang: d.language || undefined });
    const r = renderText(text, d.text, claims);
    for (const p of r.claimPieces.get(focusId) || []) p.classList.add('sel');
    const col = h('section.pane', { 'aria-label': d.title }, h('h2', null, h('a', { href: link(`doc/${d.id}`, { claim: focusId }) }, d.title)), text);
    return { col, first: (r.claimPieces.get(focusId) || [])[0] };
  };
  const left = pane(a.doc, a.claims, claimId);
  const right = pane(b.doc, b.claims, otherId);
  const ca = a.claims.find((c) => c.id === claimId);
  const cb = b.claims.find((c) => c.id === otherId);
  fill(main, h('div.bar', null, h('h1', null, 'Side by side'), h('a.button', { href: link(`doc/${docId}`, { claim: claimId }) }, 'Back')),
    h('p.relation-line', null, rels.length ? rels.map((r) => h('span', null,
      h('q', null, clip((r.from_claim_id === claimId ? ca : cb)?.text, 90)), ' ', h('strong.kind', { 'data-kind': r.kind }, r.kind), ' ',
      h('q', null, clip((r.to_claim_id === claimId ? ca : cb)?.text, 90)))) : 'No direct relation between the two claims.'),
    h('div.sidebyside', null, left.col, right.col));
  for (const p of [left, right]) if (p.first) p.first.scrollIntoView({ block: 'center' });
}
