// Explore: a claim's debate thread and a project's actor stance network,
// drawn as graphs with the API's own filters and its export formats.
import { features, get, all } from './api.js';
import { h, fill, field, select, errorBox, clip } from './ui.js';
import { drawGraph } from './graph.js';
import { session, link, exportQuery } from './state.js';

const REL_KINDS = () => features.enumOf('RelationKind', ['refutes', 'disputes', 'supports', 'restates', 'qualifies', 'responds_to']);

function kindBoxes(chosen) {
  const boxes = REL_KINDS().map((k) => h('label.check', null, h('input', { type: 'checkbox', name: 'kinds', value: k, checked: !chosen.length || chosen.includes(k) }), ` ${k}`));
  return { el: h('fieldset.kinds', null, h('legend', null, 'Relation kinds'), boxes), values: () => boxes.map((b) => b.firstChild).filter((i) => i.checked).map((i) => i.value) };
}

function exportButtons(path, query, formats) {
  return h('div.exports-inline', null, h('span', null, 'Export: '), formats.map(([label, extra]) =>
    h('a.button.small', { href: `${path}?${exportQuery(query, extra)}`, download: '' }, label)));
}

/** A claim's thread through relations in both directions, as the API's
 *  /thread gives it, or walked here from each claim's relations when this
 *  server has no /thread yet. */
async function loadThread(id, depth, kinds) {
  if (features.has('/v1/claims/{id}/thread')) {
    return get(`/v1/claims/${id}/thread`, { depth, kinds: kinds.join(',') });
  }
  const nodes = new Map();
  const edges = new Map();
  let frontier = [id];
  for (let d = 0; d <= depth && frontier.length && nodes.size < 400; d++) {
    const next = [];
    const got = await Promise.all(frontier.filter((x) => !nodes.has(x)).map((x) => get(`/v1/claims/${x}`).catch(() => null)));
    for (const c of got) {
      if (!c || nodes.has(c.id)) continue;
      nodes.set(c.id, { id: c.id, text: c.text, document: c.document, speakers: (c.attributions || []).map((a) => a.actor).filter(Boolean), depth: d });
      if (d === depth) continue;
      for (const [dir, list] of [['out', c.relations?.outgoing || []], ['in', c.relations?.incoming || []]]) {
        for (const r of list) {
          if (kinds.length && !kinds.includes(r.kind)) continue;
          edges.set(r.id, { id: r.id, source: dir === 'out' ? c.id : r.claim.id, target: dir === 'out' ? r.claim.id : c.id, kind: r.kind });
          next.push(r.claim.id);
        }
      }
    }
    frontier = next;
  }
  return { nodes: [...nodes.values()], edges: [...edges.values()].filter((e) => nodes.has(e.source) && nodes.has(e.target)) };
}

export async function threadView(main, id, query) {
  const depth = Number(query.get('depth') || 3);
  const kinds = (query.get('kinds') || '').split(',').filter(Boolean);
  const depthIn = h('input', { type: 'number', name: 'depth', min: 1, max: 10, value: depth });
  const kb = kindBoxes(kinds);
  const out = h('div.graphbox', { 'aria-live': 'polite' }, h('p.loading', null, 'Loading the thread…'));
  const info = h('div.nodeinfo');
  const filters = h('form.filters', {
    onsubmit: (ev) => {
      ev.preventDefault();
      location.hash = link(`thread/${id}`, { depth: depthIn.value, kinds: kb.values().length === REL_KINDS().length ? '' : kb.values().join(',') });
    },
  }, field('Depth', depthIn).row, kb.el, h('button', { type: 'submit' }, 'Apply'));
  const q = { depth, kinds: kinds.join(',') };
  fill(main, h('div.bar', null, h('h1', null, 'Debate thread')), filters,
    features.has('/v1/claims/{id}/thread')
      ? exportButtons(`/v1/claims/${id}/thread`, q, [['JSON', { format: 'json' }], ['GraphML', { format: 'graphml' }], ['CSV nodes', { format: 'csv', part: 'nodes' }], ['CSV edges', { format: 'csv', part: 'edges' }]])
      : h('p.small', null, 'This server has no /thread endpoint yet: the page follows the relations itself (no exports).'),
    out, info);
  let t;
  try {
    t = await loadThread(id, depth, kinds);
  } catch (err) {
    fill(out, errorBox(err));
    return;
  }
  const nodes = t.nodes.map((n) => ({
    id: n.id, label: clip(n.text, 60), group: n.id === id ? 'root' : `d${Math.min(n.depth ?? 1, 3)}`,
    title: `${n.text}${n.speakers?.length ? ` — ${n.speakers.map((s) => s.name).join('; ')}` : ''}${n.document?.title ? ` [${n.document.title}]` : ''}`,
    doc: n.document?.id || n.document_id, raw: n,
  }));
  fill(out, h('p.small', null, `${nodes.length} claims, ${t.edges.length} relations. Click a claim to open it in its document.`),
    drawGraph({ nodes, edges: t.edges, label: 'Debate thread', focus: id, onOpen: (n) => { location.hash = link(`doc/${n.doc}`, { claim: n.id }); } }));
}

export async function networkView(main, query) {
  const kinds = (query.get('kinds') || 'refutes,disputes').split(',').filter(Boolean);
  const kb = kindBoxes(kinds);
  const docs = await all('/v1/documents', { project_id: session.project }, 2000).catch(() => []);
  const docSel = select('document_id', ['', ...docs.map((d) => d.id)], query.get('document_id') || '',
    Object.fromEntries([['', 'every document'], ...docs.map((d) => [d.id, clip(d.title, 60)])]));
  const tag = h('input', { name: 'tag', value: query.get('tag') || '' });
  const from = h('input', { name: 'from', type: 'date', value: query.get('from') || '' });
  const to = h('input', { name: 'to', type: 'date', value: query.get('to') || '' });
  const out = h('div.graphbox', { 'aria-live': 'polite' }, h('p.loading', null, 'Loading the network…'));
  const info = h('div.nodeinfo', { 'aria-live': 'polite' });
  const params = { project_id: session.project, kinds: kb.values().join(','), document_id: docSel.value, tag: tag.value, from: from.value, to: to.value };
  const filters = h('form.filters', {
    onsubmit: (ev) => {
      ev.preventDefault();
      location.hash = link('network', { kinds: kb.values().join(','), document_id: docSel.value, tag: tag.value, from: from.value, to: to.value });
    },
  }, kb.el, field('Document', docSel).row, field('Tag', tag).row, field('From', from).row, field('To', to).row, h('button', { type: 'submit' }, 'Apply'));
  fill(main, h('div.bar', null, h('h1', null, 'Actor stance network')),
    h('p', null, 'An arrow from A to B: a claim attributed to A bears on a claim attributed to B with that kind of relation; thicker arrows stand for more relations.'),
    filters, exportButtons('/v1/network/actors', params, [['JSON', { format: 'json' }], ['GraphML', { format: 'graphml' }], ['CSV nodes', { format: 'csv', part: 'nodes' }], ['CSV edges', { format: 'csv', part: 'edges' }]]),
    out, info);
  let g;
  try {
    g = await get('/v1/network/actors', params);
  } catch (err) {
    fill(out, errorBox(err));
    return;
  }
  const nodes = g.nodes.map((n) => ({ id: n.id, label: n.name, title: `${n.name} (${n.kind}, ${n.claims} claims)`, group: n.kind, size: n.claims }));
  fill(out, h('p.small', null, `${nodes.length} actors, ${g.edges.length} edges. Click an actor to list their claims.`),
    drawGraph({
      nodes, edges: g.edges, label: 'Actor stance network',
      onOpen: async (n) => {
        fill(info, h('p.loading', null, 'Loading…'));
        const page = await get('/v1/attributions', { actor_id: n.id, limit: 100 });
        fill(info, h('h2', null, n.label), h('ul', null, page.items.map((a) => h('li', null,
          h('a', { href: link(`doc/${a.claim?.document_id}`, { claim: a.claim_id }) }, clip(a.claim?.text, 140)), h('small', null, ` ${a.mode}${a.cue ? `, “${a.cue}”` : ''}`)))));
        info.querySelector('h2').setAttribute('tabindex', '-1');
        info.querySelector('h2').focus();
      },
    }));
}
