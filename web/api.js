// The API client: same-origin JSON requests with the session cookie, the
// ETag of every single resource read (sent back as If-Match on edits), and
// one error shape. The server is the authority: its errors are thrown as
// ApiError with the error object intact (candidates, errors, current version).

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message || `HTTP ${status}`);
    this.status = status;
    this.body = body;
    this.error = body?.error || { status, code: `http_${status}`, message: `HTTP ${status}` };
  }
}

const etags = new Map(); // path of a single resource -> its last ETag

/** The last ETag seen for a resource path, if any. */
export function etagOf(path) {
  return etags.get(path);
}

/** Sends a request. opts: {query, body, ifMatch (true: the stored ETag, or a string)}.
 *  Returns the parsed JSON (or null for 204). Throws ApiError. */
export async function request(method, path, opts = {}) {
  let url = path;
  if (opts.query) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(opts.query)) {
      if (v === undefined || v === null || v === '') continue;
      q.set(k, String(v));
    }
    const s = q.toString();
    if (s) url += (url.includes('?') ? '&' : '?') + s;
  }
  const headers = { Accept: 'application/json' };
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  const tag = opts.ifMatch === true ? etags.get(path) : opts.ifMatch;
  if (tag) headers['If-Match'] = tag;
  const res = await fetch(url, {
    method, headers, credentials: 'same-origin',
    body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
  });
  const etag = res.headers.get('ETag');
  if (etag && (method === 'GET' || method === 'PATCH' || method === 'POST') && !opts.query) etags.set(path, etag);
  if (method === 'DELETE' && res.ok) etags.delete(path);
  let body = null;
  const text = res.status === 204 ? '' : await res.text();
  if (text) {
    try { body = JSON.parse(text); } catch { body = { raw: text }; }
  }
  if (!res.ok) {
    if (res.status === 401 && !opts.quiet401) window.dispatchEvent(new CustomEvent('claimdb:unauthorized'));
    throw new ApiError(res.status, body);
  }
  return body;
}

export const get = (path, query, opts = {}) => request('GET', path, { ...opts, query });
export const post = (path, body, query) => request('POST', path, { body, query });
export const patch = (path, body, ifMatch = true) => request('PATCH', path, { body, ifMatch });
export const del = (path, ifMatch = true, query) => request('DELETE', path, { ifMatch, query });

/** Every page of a list, up to `max` items. */
export async function all(path, query = {}, max = 20000) {
  const items = [];
  let after;
  do {
    const page = await get(path, { ...query, limit: 1000, after });
    items.push(...page.items);
    after = page.next;
  } while (after && items.length < max);
  return items;
}

/** What this server offers, read from its own OpenAPI description, so the
 *  page turns on sign-in, history, search and graphs when the server has them. */
export const features = {
  paths: new Set(),
  spec: null,
  has(path) { return this.paths.has(path); },
  enumOf(schema, fallback) {
    return this.spec?.components?.schemas?.[schema]?.enum || fallback;
  },
  /** True when a query parameter is documented for a path's GET. */
  hasParam(path, name) {
    const op = this.spec?.paths?.[path]?.get;
    if (!op) return false;
    const params = [...(op.parameters || []), ...(this.spec.paths[path].parameters || [])];
    return params.some((p) => {
      if (p.name === name) return true;
      if (p.$ref) {
        const ref = this.spec.components?.parameters?.[p.$ref.split('/').pop()];
        return ref?.name === name;
      }
      return false;
    });
  },
};

/** Reads the server's description once; features.ready resolves then. */
export function loadFeatures() {
  features.ready ||= get('/v1/openapi.json').then((spec) => {
    features.spec = spec;
    features.paths = new Set(Object.keys(spec.paths || {}));
    features.segments = JSON.stringify(spec.components || {}).includes('"segments"');
  });
  return features.ready;
}
