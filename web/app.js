// claimdb's page: the entry point. A hash router (#/…) over a few views;
// the views live in their own modules. No framework: the DOM, fetch, SVG.
import { features, get, post, del, loadFeatures, all, ApiError } from './api.js';
import { h, fill, field, status, errorBox, clip, exportLinks, snippet } from './ui.js';
import { openDocument, prefetchDocument } from './docview.js';
import { threadView, networkView } from './explore.js';
import { trashView } from './history.js';

import { session, link } from './state.js';

const main = document.getElementById('main');

// Each view renders into its own root, made fresh on every navigation: a view
// still awaiting the server when the reader moves on fills a root no longer in
// the page, instead of replacing the view that followed it.
const routes = [
  [/^#\/signin$/, (root) => signInView(root)],
  [/^#\/?$/, (root) => homeView(root)],
  [/^#\/documents$/, (root, m, q) => documentsView(root, m, q)],
  [/^#\/new$/, (root) => newDocumentView(root)],
  [/^#\/doc\/([0-9a-f-]{36})$/, (root, m, q) => openDocument(root, m[1], q)],
  [/^#\/thread\/([0-9a-f-]{36})$/, (root, m, q) => threadView(root, m[1], q)],
  [/^#\/network$/, (root, m, q) => networkView(root, q)],
  [/^#\/trash$/, (root, m, q) => trashView(root, q)],
];

async function route() {
  const [path, qs] = location.hash.split('?');
  const query = new URLSearchParams(qs || '');
  if (query.get('project')) session.project = query.get('project');
  // a server with accounts: sign in first (public projects are readable without, from the sign-in page)
  if (query.get('anonymous')) session.anonymous = true;
  if (features.has('/v1/session') && !session.user && !session.anonymous && path !== '#/signin') {
    sessionStorage.setItem('claimdb.after', location.hash || '#/');
    location.hash = '#/signin';
    return;
  }
  for (const [re, view] of routes) {
    const m = (path || '#/').match(re);
    if (!m) continue;
    renderNav();
    const root = h('div.view');
    fill(main, root);
    try {
      await view(root, m, query);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return;
      fill(root, h('h1', null, 'Something went wrong'), errorBox(err));
      console.error(err);
    }
    return;
  }
  fill(main, h('h1', null, 'Not found'), h('p', null, h('a', { href: '#/' }, 'Back to the start')));
}

function renderNav() {
  const nav = document.getElementById('nav');
  const items = [
    h('a', { href: link('documents') }, 'Documents'),
    h('a', { href: link('new') }, 'Add a document'),
    features.has('/v1/network/actors') ? h('a', { href: link('network') }, 'Actor network') : null,
    features.has('/v1/trash') ? h('a', { href: link('trash') }, 'Trash') : null,
  ];
  fill(nav, items);
  const who = document.getElementById('who');
  if (session.user) {
    fill(who, h('span', null, session.user.display_name || session.user.username), ' ',
      h('button.link', { type: 'button', onclick: signOut }, 'Sign out'));
  } else if (features.has('/v1/session')) {
    fill(who, h('a', { href: '#/signin' }, 'Sign in'));
  } else fill(who);
}

// ---- sign in / out ---------------------------------------------------------

async function signInView(root) {
  const user = h('input', { name: 'username', autocomplete: 'username', required: true });
  const pass = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const out = h('div');
  const form = h('form.card.narrow', {
    onsubmit: async (ev) => {
      ev.preventDefault();
      try {
        await post('/v1/session', { username: user.value, password: pass.value });
        await whoAmI();
        status(`Signed in as ${user.value}`);
        location.hash = sessionStorage.getItem('claimdb.after') || '#/';
        sessionStorage.removeItem('claimdb.after');
      } catch (err) {
        fill(out, errorBox(err));
        pass.select();
      }
    },
  }, h('h1', null, 'Sign in'), field('Username', user).row, field('Password', pass).row, out,
  h('button.primary', { type: 'submit' }, 'Sign in'),
  h('p.small', null, h('a', { href: '#/documents?anonymous=1' }, 'Read the public projects without signing in')));
  fill(root, form);
  user.focus();
}

async function signOut() {
  try { await del('/v1/session', false); } catch { /* already signed out */ }
  session.user = null;
  status('Signed out');
  location.hash = '#/signin';
}

async function whoAmI() {
  if (!features.has('/v1/me')) return;
  try {
    const me = await get('/v1/me', undefined, { quiet401: true });
    session.user = me.user || me;
    session.projects = me.projects || [];
    // one project: it is the one (the API takes the caller's only project too)
    if (!session.project && session.projects.length === 1) session.project = session.projects[0].project_id;
  } catch {
    session.user = null;
  }
}

window.addEventListener('claimdb:unauthorized', () => {
  if (location.hash !== '#/signin') sessionStorage.setItem('claimdb.after', location.hash);
  session.user = null;
  status('Please sign in', 'error');
  location.hash = '#/signin';
});

// ---- projects and documents ------------------------------------------------

async function homeView(root) {
  if (!features.has('/v1/projects')) {
    location.hash = '#/documents';
    return;
  }
  const page = await get('/v1/projects', { limit: 100 });
  session.projects = page.items;
  fill(root, h('h1', null, 'Projects'),
    page.items.length ? h('ul.cards', null, page.items.map((p) => h('li.card', null,
      h('h2', null, h('a', { href: `#/documents?project=${p.id}` }, p.name || p.slug)),
      p.description ? h('p', null, p.description) : null,
      h('small', null, `${p.slug} · ${p.visibility || ''}${p.role ? ` · you are ${p.role}` : ''}`))))
      : h('p', null, 'You are not a member of any project yet.'));
}

// Exports are per project unless one is a server admin (the server picks the
// project of a reader of only one): offer them when that holds.
function canExport() {
  return !features.has('/v1/session') || Boolean(session.project) || Boolean(session.user?.server_admin)
    || (session.projects || []).length <= 1;
}

async function documentsView(root, m, query) {
  const q = query.get('q') || '';
  const lang = query.get('language') || '';
  const publisher = query.get('publisher') || '';
  const search = h('input', { type: 'search', name: 'q', value: q, placeholder: 'title, publisher or words in the text' });
  const langIn = h('input', { name: 'language', value: lang, size: 4 });
  const pubIn = h('input', { name: 'publisher', value: publisher });
  const form = h('form.filters', {
    role: 'search',
    onsubmit: (ev) => {
      ev.preventDefault();
      location.hash = link('documents', { q: search.value, language: langIn.value, publisher: pubIn.value });
    },
  }, field('Search documents', search).row, field('Language', langIn).row, field('Publisher', pubIn).row,
  h('button', { type: 'submit' }, 'Search'));
  const list = h('div', { 'aria-live': 'polite' }, h('p.loading', null, 'Loading…'));
  fill(root, h('div.bar', null, h('h1', null, 'Documents'), h('a.button', { href: link('new') }, 'Add a document')),
    form, list, canExport() ? exportLinks({ project_id: session.project }) : null);
  document.addEventListener('keydown', slashFocus(search), { once: false });

  let docs;
  if (q && features.has('/v1/search')) {
    const res = await get('/v1/search', { q, type: 'document', project_id: session.project, limit: 100 });
    docs = res.items.map((it) => ({ ...(it.document || it), snippet: it.snippet, matches: it.matches }));
  } else {
    docs = await all('/v1/documents', { project_id: session.project }, 2000);
    if (q) {
      const needle = q.toLowerCase();
      docs = docs.filter((d) => [d.title, d.publisher, d.author, d.text].some((s) => s && s.toLowerCase().includes(needle)));
    }
  }
  if (lang) docs = docs.filter((d) => (d.language || '') === lang);
  if (publisher) docs = docs.filter((d) => (d.publisher || '').toLowerCase().includes(publisher.toLowerCase()));
  fill(list, docs.length
    ? h('table.list', null, h('caption', null, `${docs.length} document${docs.length === 1 ? '' : 's'}`),
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Title'), h('th', { scope: 'col' }, 'Publisher'),
        h('th', { scope: 'col' }, 'Language'), h('th', { scope: 'col' }, 'Length'))),
      h('tbody', null, docs.map((d) => h('tr', null,
        h('td', null, h('a', { href: link(`doc/${d.id}`) }, d.title || '(untitled)'),
          d.snippet ? h('div.snippet', null, snippet(d.snippet)) : null),
        h('td', null, d.publisher || ''), h('td', null, d.language || ''),
        h('td.num', null, d.length != null ? d.length.toLocaleString() : '')))))
    : h('p', null, 'No document matches.'));
}

function slashFocus(input) {
  const handler = (ev) => {
    if (!input.isConnected) { document.removeEventListener('keydown', handler); return; }
    if (ev.key === '/' && !/INPUT|TEXTAREA|SELECT/.test(document.activeElement?.tagName)) {
      ev.preventDefault();
      input.focus();
    }
  };
  return handler;
}

async function newDocumentView(root) {
  const title = h('input', { name: 'title', required: true });
  const language = h('input', { name: 'language', value: 'en', size: 5 });
  const publisher = h('input', { name: 'publisher' });
  const author = h('input', { name: 'author' });
  const url = h('input', { name: 'url', type: 'url' });
  const published = h('input', { name: 'published_at', type: 'date' });
  const text = h('textarea', { name: 'text', rows: 14, required: true, spellcheck: 'false' });
  const file = h('input', { name: 'file', type: 'file', accept: '.txt,text/plain' });
  const out = h('div');
  file.addEventListener('change', async () => {
    const f = file.files[0];
    if (!f) return;
    const buf = await f.arrayBuffer();
    try {
      // fatal: a file that is not UTF-8 is refused, never silently mangled
      text.value = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(buf);
      if (!title.value) title.value = f.name.replace(/\.txt$/i, '');
      fill(out);
    } catch {
      fill(out, h('div.error', { role: 'alert' }, `${f.name} is not UTF-8 text.`));
    }
  });
  const form = h('form.card', {
    onsubmit: async (ev) => {
      ev.preventDefault();
      const body = { title: title.value, text: text.value, language: language.value || undefined,
        publisher: publisher.value || undefined, author: author.value || undefined, url: url.value || undefined,
        published_at: published.value || undefined };
      if (session.project) body.project_id = session.project;
      try {
        const doc = await post('/v1/documents', body);
        status('Document added');
        location.hash = link(`doc/${doc.id}`);
      } catch (err) {
        fill(out, errorBox(err));
      }
    },
  }, h('h1', null, 'Add a document'),
  h('p.hint', null, 'Paste the text or load a UTF-8 .txt file. It is stored verbatim: whitespace and line breaks are kept.'),
  field('Title', title).row,
  h('div.row', null, field('Language', language).row, field('Published', published).row),
  h('div.row', null, field('Publisher', publisher).row, field('Author', author).row), field('URL', url).row,
  field('Text file (.txt, UTF-8)', file).row, field('Text', text).row, out,
  h('button.primary', { type: 'submit' }, 'Add the document'));
  fill(root, form);
  title.focus();
}

// ---- start -----------------------------------------------------------------

async function start() {
  window.addEventListener('hashchange', route);
  // A document's text and claims start loading at once, while the page
  // learns which features the server has and who is signed in.
  const doc = location.hash.match(/^#\/doc\/([0-9a-f-]{36})/);
  if (doc) prefetchDocument(doc[1]);
  try {
    await loadFeatures();
    await whoAmI();
  } catch (err) {
    fill(main, h('h1', null, 'The server does not answer'), errorBox(err));
    return;
  }
  await route();
}

start();
