// A small force-directed graph in SVG: nodes repel, edges pull, a weak
// gravity keeps components together; then zoom (wheel, +/-), pan (drag,
// arrow keys) and click or Enter on a node. Written here rather than
// vendored: the whole layout is some sixty lines.
import { h } from './ui.js';

const NS = 'http://www.w3.org/2000/svg';
const svgEl = (name, attrs = {}) => {
  const el = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  return el;
};

/** Positions nodes in place (x, y), deterministically (seeded by order). */
export function layout(nodes, edges, { iterations = 300, width = 1000, height = 700, gravity = 0.1, spread = 1.0 } = {}) {
  const n = nodes.length;
  const index = new Map(nodes.map((d, i) => [d.id, i]));
  const links = edges.map((e) => [index.get(e.source), index.get(e.target)]).filter(([a, b]) => a !== undefined && b !== undefined && a !== b);
  nodes.forEach((d, i) => {
    const a = i * 2.399963; // golden angle spiral: a spread, stable start
    const r = 12 * Math.sqrt(i + 1);
    d.x = width / 2 + r * Math.cos(a);
    d.y = height / 2 + r * Math.sin(a);
  });
  const k = Math.sqrt((width * height) / Math.max(n, 1)) * spread;
  const cutoff2 = (3 * k) * (3 * k);
  for (let it = 0; it < iterations; it++) {
    const t = 0.1 * (1 - it / iterations) * k;
    const dx = new Float64Array(n);
    const dy = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        let x = nodes[i].x - nodes[j].x;
        let y = nodes[i].y - nodes[j].y;
        let d2 = x * x + y * y;
        if (d2 < 0.01) { x = 0.1; y = 0.1; d2 = 0.02; }
        if (d2 > cutoff2) continue; // far nodes do not push: small components stay near the rest
        const f = (k * k) / d2;
        dx[i] += x * f; dy[i] += y * f;
        dx[j] -= x * f; dy[j] -= y * f;
      }
    }
    for (const [a, b] of links) {
      const x = nodes[a].x - nodes[b].x;
      const y = nodes[a].y - nodes[b].y;
      const d = Math.sqrt(x * x + y * y) || 0.1;
      const f = d / k;
      dx[a] -= x * f; dy[a] -= y * f;
      dx[b] += x * f; dy[b] += y * f;
    }
    for (let i = 0; i < n; i++) {
      dx[i] += (width / 2 - nodes[i].x) * gravity;
      dy[i] += (height / 2 - nodes[i].y) * gravity;
      const d = Math.sqrt(dx[i] * dx[i] + dy[i] * dy[i]) || 1;
      nodes[i].x += (dx[i] / d) * Math.min(d, t);
      nodes[i].y += (dy[i] / d) * Math.min(d, t);
    }
  }
}

/**
 * Draws a graph. nodes: [{id, label, title, group, size}], edges: [{source,
 * target, kind, weight, title}]. onOpen(node) runs on click/Enter.
 * Returns the container element.
 */
export function drawGraph({ nodes, edges, onOpen, label = 'Graph', focus }) {
  layout(nodes, edges);
  const byId = new Map(nodes.map((d) => [d.id, d]));
  const xs = nodes.map((d) => d.x);
  const ys = nodes.map((d) => d.y);
  const pad = 60;
  const box = nodes.length
    ? [Math.min(...xs) - pad, Math.min(...ys) - pad, Math.max(...xs) - Math.min(...xs) + 2 * pad, Math.max(...ys) - Math.min(...ys) + 2 * pad]
    : [0, 0, 100, 100];
  const svg = svgEl('svg', { class: 'graph', role: 'group', 'aria-label': label, viewBox: box.join(' ') });
  const defs = svgEl('defs');
  for (const k of ['opp', 'sup', 'neu']) {
    // in user space: a heavy edge keeps an arrowhead of the ordinary size
    const m = svgEl('marker', { id: `g-arrow-${k}`, viewBox: '0 0 10 10', refX: 24, refY: 5, markerWidth: 9, markerHeight: 9, markerUnits: 'userSpaceOnUse', orient: 'auto' });
    m.append(svgEl('path', { d: 'M0,0 L10,5 L0,10 z', class: `arrow ${k}` }));
    defs.append(m);
  }
  svg.append(defs);
  const world = svgEl('g');
  svg.append(world);
  const cls = (kind) => (kind === 'refutes' || kind === 'disputes' ? 'opp' : kind === 'supports' ? 'sup' : 'neu');
  for (const e of edges) {
    const a = byId.get(e.source);
    const b = byId.get(e.target);
    if (!a || !b) continue;
    const line = svgEl('line', { x1: a.x, y1: a.y, x2: b.x, y2: b.y, class: `edge ${cls(e.kind)}`, 'marker-end': `url(#g-arrow-${cls(e.kind)})` });
    line.style.strokeWidth = String(1.2 + Math.min(6, Math.log2(1 + (e.weight || 1))));
    const t = svgEl('title');
    t.textContent = e.title || `${a.label} ${e.kind} ${b.label}${e.weight > 1 ? ` (${e.weight})` : ''}`;
    line.append(t);
    world.append(line);
  }
  for (const d of nodes) {
    const g = svgEl('g', { class: `node ${d.group || ''}${d.id === focus ? ' focus' : ''}`, transform: `translate(${d.x},${d.y})`, tabindex: 0, role: 'link', 'aria-label': d.title || d.label });
    g.dataset.id = d.id;
    g.append(svgEl('circle', { r: 6 + Math.min(14, 2 * Math.sqrt(d.size || 1)) }));
    const text = svgEl('text', { x: 12, y: 4 });
    text.textContent = d.label.length > 40 ? `${d.label.slice(0, 39)}…` : d.label;
    const t = svgEl('title');
    t.textContent = d.title || d.label;
    g.append(t, text);
    g.addEventListener('click', () => onOpen?.(d));
    g.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') onOpen?.(d); });
    world.append(g);
  }
  // zoom and pan: a transform on the world group
  let scale = 1;
  let tx = 0;
  let ty = 0;
  const apply = () => world.setAttribute('transform', `translate(${tx},${ty}) scale(${scale})`);
  const zoom = (f, cx = box[0] + box[2] / 2, cy = box[1] + box[3] / 2) => {
    const s = Math.max(0.2, Math.min(8, scale * f));
    tx = cx - ((cx - tx) * s) / scale;
    ty = cy - ((cy - ty) * s) / scale;
    scale = s;
    apply();
  };
  const toWorld = (ev) => {
    const p = svg.createSVGPoint();
    p.x = ev.clientX;
    p.y = ev.clientY;
    return p.matrixTransform(svg.getScreenCTM().inverse());
  };
  svg.addEventListener('wheel', (ev) => {
    ev.preventDefault();
    const p = toWorld(ev);
    zoom(ev.deltaY < 0 ? 1.2 : 1 / 1.2, p.x, p.y);
  }, { passive: false });
  let drag = null;
  svg.addEventListener('pointerdown', (ev) => {
    if (ev.target.closest('.node')) return;
    drag = { p: toWorld(ev), tx, ty };
    svg.setPointerCapture(ev.pointerId);
  });
  svg.addEventListener('pointermove', (ev) => {
    if (!drag) return;
    const p = toWorld(ev);
    tx = drag.tx + (p.x - drag.p.x);
    ty = drag.ty + (p.y - drag.p.y);
    drag.p = p; drag.tx = tx; drag.ty = ty;
    apply();
  });
  svg.addEventListener('pointerup', () => { drag = null; });
  const step = box[2] / 10;
  const wrap = h('div.graphwrap', {
    tabindex: 0,
    'aria-label': `${label}: + and - zoom, arrow keys pan, Tab reaches the nodes`,
    onkeydown: (ev) => {
      const k = ev.key;
      if (k === '+' || k === '=') zoom(1.2);
      else if (k === '-') zoom(1 / 1.2);
      else if (k === 'ArrowLeft') { tx += step; apply(); } else if (k === 'ArrowRight') { tx -= step; apply(); } else if (k === 'ArrowUp') { ty += step; apply(); } else if (k === 'ArrowDown') { ty -= step; apply(); } else if (k === '0') { scale = 1; tx = 0; ty = 0; apply(); } else return;
      ev.preventDefault();
    },
  },
  h('div.graphtools', null,
    h('button', { type: 'button', 'aria-label': 'Zoom in', onclick: () => zoom(1.25) }, '+'),
    h('button', { type: 'button', 'aria-label': 'Zoom out', onclick: () => zoom(0.8) }, '−'),
    h('button', { type: 'button', onclick: () => { scale = 1; tx = 0; ty = 0; apply(); } }, 'Reset')),
  svg);
  return wrap;
}
