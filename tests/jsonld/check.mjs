// Checks a claimdb W3C Web Annotation export with a real JSON-LD processor
// (jsonld.js), offline: expands it in safe mode (which fails on any key or
// value the processor would drop, and on relative IRIs), compacts it back
// with the export's own context, and fails unless every key of the export
// is still there as often as before. Converts it to RDF and counts the
// triples per claimdb term, so that a test can see nested records become data.
//
// usage: node check.mjs EXPORT.jsonld   → one line of JSON on stdout; exit 1 on failure
import jsonld from 'jsonld';
import { readFileSync } from 'node:fs';

const anno = JSON.parse(readFileSync(new URL('anno.jsonld', import.meta.url), 'utf8'));
const ANNO_URLS = new Set(['http://www.w3.org/ns/anno.jsonld', 'https://www.w3.org/ns/anno.jsonld']);

// The vendored context for its URL; nothing is ever fetched.
async function documentLoader(url) {
  if (ANNO_URLS.has(url)) return { contextUrl: null, documentUrl: url, document: anno };
  throw new Error(`offline: no document for ${url}`);
}

// How many times each key occurs anywhere in a JSON value (the @context aside).
function keyCounts(value, counts = new Map()) {
  if (Array.isArray(value)) {
    for (const v of value) keyCounts(v, counts);
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '@context') continue;
      counts.set(k, (counts.get(k) || 0) + 1);
      keyCounts(v, counts);
    }
  }
  return counts;
}

const doc = JSON.parse(readFileSync(process.argv[2], 'utf8'));
try {
  const options = { documentLoader, safe: true };
  const expanded = await jsonld.expand(doc, options);
  const compacted = await jsonld.compact(expanded, doc['@context'], options);
  const before = keyCounts(doc), after = keyCounts(compacted);
  // A document whose top level is one node compacts without @graph.
  if (!after.has('@graph')) after.set('@graph', before.get('@graph'));
  const lost = [...before].filter(([k, n]) => after.get(k) !== n).map(([k, n]) => `${k}: ${n} -> ${after.get(k) || 0}`);
  const quads = await jsonld.toRDF(doc, { documentLoader, safe: true });
  const predicates = {};
  for (const q of quads) predicates[q.predicate.value] = (predicates[q.predicate.value] || 0) + 1;
  const relative = quads.filter((q) => [q.subject, q.object].some((t) => t.termType === 'NamedNode' && !/^[a-z][a-z0-9+.-]*:/i.test(t.value)));
  console.log(JSON.stringify({ keys: Object.fromEntries(before), lost, quads: quads.length, relative: relative.length, predicates }));
  process.exit(lost.length || relative.length ? 1 : 0);
} catch (e) {
  console.log(JSON.stringify({ error: String(e && e.message || e), details: e && e.details ? JSON.stringify(e.details).slice(0, 2000) : undefined }));
  process.exit(1);
}
