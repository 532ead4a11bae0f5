// Editing safely: every edit sends If-Match with the ETag the page read; a
// 412 (someone else changed the row meanwhile) shows both versions and lets
// the user choose per field. Undo of the last change, revision history and
// the trash (when the server has them).
import { features, get, post, patch, etagOf, ApiError } from './api.js';
import { h, fill, dialog, status, errorBox, clip } from './ui.js';
import { session } from './state.js';

/** The page's own changes, newest last: {label, run()}. */
export const undoStack = [];

export async function undoLast() {
  const last = undoStack.pop();
  if (!last) {
    status('Nothing to undo.');
    return;
  }
  try {
    await last.run();
    status(`Undone: ${last.label}`);
  } catch (err) {
    status(`Could not undo ${last.label}: ${err.message}`, 'error');
  }
}

const show = (v) => (v === null || v === undefined ? '(empty)' : Array.isArray(v) ? v.join(', ') || '(none)' : typeof v === 'object' ? JSON.stringify(v) : String(v));
const same = (a, b) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** The current row from a 412 reply (the body is the row, or carries it). */
function currentFrom(err) {
  const b = err.body || {};
  if (b.current) return b.current;
  if (b.error?.current) return b.error.current;
  if (b.id) return b;
  return null;
}

/**
 * PATCHes claim c with changes, If-Match the ETag read with c. On success
 * records an undo. On 412 opens the conflict dialog (mine vs theirs, per
 * field) and saves the user's choice; then rethrows the 412 so the caller
 * knows the first write did not go through as sent.
 */
export async function editClaim(c, changes, what = 'the edit') {
  const path = `/v1/claims/${c.id}`;
  const before = Object.fromEntries(Object.keys(changes).map((k) => [k, c[k] ?? null]));
  try {
    const saved = await patch(path, changes);
    pushEditUndo(path, before, c.rev, what);
    status(`Saved ${what}`);
    return saved;
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 412) throw err;
    await resolveConflict(path, changes, currentFrom(err));
    throw err;
  }
}

function pushEditUndo(path, before, rev, what) {
  undoStack.push({
    label: what,
    run: async () => {
      if (features.has('/v1/claims/{id}/revert') && rev !== undefined) await post(`${path}/revert`, { to_rev: rev });
      else {
        await get(path); // the current ETag, so that undo never overwrites someone else's change
        await patch(path, before);
      }
      window.dispatchEvent(new CustomEvent('claimdb:changed', { detail: { path } }));
    },
  });
}

async function resolveConflict(path, mine, theirs) {
  theirs ||= await get(path);
  if (!theirs.id) theirs = await get(path);
  else await get(path); // refresh the stored ETag to the current version
  const fields = Object.keys(mine).filter((k) => !same(mine[k], theirs[k]));
  const choice = await dialog('Someone else changed this claim', (close) => {
    const radios = new Map();
    const rows = fields.map((k) => {
      const name = `pick-${k}`;
      const r1 = h('input', { type: 'radio', name, value: 'mine', checked: true, id: `${name}-mine` });
      const r2 = h('input', { type: 'radio', name, value: 'theirs', id: `${name}-theirs` });
      radios.set(k, r1);
      return h('tr', null, h('th', { scope: 'row' }, k),
        h('td', null, h('label', { for: r1.id }, r1, ' ', h('span.mine', null, show(mine[k])))),
        h('td', null, h('label', { for: r2.id }, r2, ' ', h('span.theirs', null, show(theirs[k])))));
    });
    return h('div.conflict', null,
      h('p', null, `While you were editing, the claim was changed${theirs.rev !== undefined ? ` (now revision ${theirs.rev})` : ''}. Choose, for each field, which version to keep.`),
      h('table.list', null, h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'field'), h('th', { scope: 'col' }, 'Your version'), h('th', { scope: 'col' }, 'Their version'))),
        h('tbody', null, rows)),
      h('div.actions', null,
        h('button.primary', { type: 'button', onclick: () => close(Object.fromEntries(fields.filter((k) => radios.get(k).checked).map((k) => [k, mine[k]]))) }, 'Save my choice'),
        h('button', { type: 'button', onclick: () => close({}) }, 'Keep theirs')));
  });
  if (choice && Object.keys(choice).length) {
    try {
      await patch(path, choice, etagOf(path) || true);
      pushEditUndo(path, Object.fromEntries(Object.keys(choice).map((k) => [k, theirs[k] ?? null])), theirs.rev, 'the edit');
      status('Saved your choice over the other change');
    } catch (err) {
      status(`Not saved: ${err.message}`, 'error');
    }
  } else status('Kept the other version');
  window.dispatchEvent(new CustomEvent('claimdb:changed', { detail: { path } }));
}

/** The revisions of a resource, newest first, each with "revert to". */
export function historySection(path, onChange) {
  const box = h('div.history', null, h('p.small', null, 'Loading…'));
  get(`${path}/revisions`, { limit: 20 }).then((page) => {
    fill(box, h('ol.revs', null, page.items.map((rv) => h('li', null,
      h('strong', null, `rev ${rv.rev}`), ` ${rv.operation || rv.op || ''} `,
      h('small', null, `${rv.user?.username || rv.user_name || rv.user_id || ''} ${rv.at || rv.created_at || rv.changed_at || ''}`),
      ' ', h('button.link.small', {
        type: 'button',
        onclick: async () => {
          try {
            await post(`${path}/revert`, { to_rev: rv.rev });
            status(`Reverted to revision ${rv.rev}`);
            onChange?.();
          } catch (err) { fill(box, errorBox(err)); }
        },
      }, 'revert to this')))));
  }).catch((err) => fill(box, errorBox(err)));
  return box;
}

/** The project's trash, with Restore buttons. */
export async function trashView(main) {
  const list = h('div', null, h('p.loading', null, 'Loading…'));
  fill(main, h('h1', null, 'Trash'), h('p', null, 'Deleted rows of this project. Restoring a claim brings back its attributions, citations and relations when their other ends still exist.'), list);
  const page = await get('/v1/trash', { project_id: session.project, limit: 200 });
  const label = (it) => it.row?.text || it.row?.title || it.row?.name || it.text || it.title || it.name || it.summary || it.id;
  fill(list, page.items.length ? h('table.list', null,
    h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'What'), h('th', { scope: 'col' }, 'Deleted'), h('th', { scope: 'col' }, ''))),
    h('tbody', null, page.items.map((it) => {
      const resource = it.resource || it.type;
      const id = it.id || it.row?.id;
      const out = h('span');
      return h('tr', null, h('td', null, h('small', null, `${resource} `), clip(label(it), 140)),
        h('td', null, it.deleted_at || it.at || ''),
        h('td', null, h('button', {
          type: 'button',
          onclick: async (ev) => {
            try {
              await post(`/v1/trash/${resource}/${id}/restore`, {});
              ev.target.closest('tr').remove();
              status('Restored');
            } catch (err) { fill(out, errorBox(err)); }
          },
        }, 'Restore'), out));
    }))) : h('p', null, 'The trash is empty.'));
}
