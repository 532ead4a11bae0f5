// Shared page state: who is signed in and which project is open.
export const session = { user: null, project: null, projects: [] };

/** A hash link that keeps the current project. */
export function link(path, params = {}) {
  const q = new URLSearchParams();
  if (session.project) q.set('project', session.project);
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  return `#/${path}${s ? `?${s}` : ''}`;
}

/** Download links for every export format of a filter. */
export function exportQuery(filters, extra) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...filters, ...extra })) if (v) p.set(k, v);
  return p.toString();
}
