// The page's row of `make bench`: opening the longest seed document
// (001_…, 76 KB, 274 claims) in headless Chromium until its text and
// highlights are drawn (the page marks `claimdb:drawn` then), measured from
// the start of navigation, RUNS times, each in a fresh browser context (no
// cache). Also the bytes of the page's own script and the load average (on a
// busy machine the wall clock mostly measures waiting for a core). The reader is
// signed in (a session cookie in each fresh context). Prints one JSON line.
// Usage: node bench/page.mjs CLAIMDB_BIN   (RUNS=15 by default)
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
process.env.CLAIMDB_BIN = path.resolve(process.argv[2] || path.join(here, '..', 'build', 'claimdb'));
// the e2e harness (and its playwright-core, from tests/e2e/node_modules)
const { startStack, launchBrowser, api } = await import(path.join(here, '..', 'tests', 'e2e', 'harness.js'));

const runs = Number(process.env.RUNS || 15);
const stack = await startStack();
const browser = await launchBrowser();
try {
  const docs = (await api(stack, 'GET', '/v1/documents')).body.items;
  const doc = docs.find((d) => d.external_id?.startsWith('001_'));
  const claims = (await api(stack, 'GET', `/v1/documents/${doc.id}/claims?limit=1000`)).body.items.length;
  // a reader who is signed in: one session, its cookie given to every fresh context
  // (no cache, no sign-in page in the measurement)
  let cookie = null;
  if (stack.user) {
    const r = await fetch(`${stack.base}/v1/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: stack.user.username, password: stack.user.password }) });
    if (r.status !== 201) throw new Error(`sign-in: HTTP ${r.status}`);
    const [name, ...value] = r.headers.get('set-cookie').split(';')[0].split('=');
    cookie = { name, value: value.join('='), url: stack.base };
  }
  const times = [];
  let scriptBytes = 0;
  for (let i = 0; i < runs; i++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    if (cookie) await context.addCookies([cookie]);
    const page = await context.newPage();
    await page.goto(`${stack.base}/#/doc/${doc.id}`);
    await page.waitForFunction(() => performance.getEntriesByName('claimdb:drawn').length > 0, null, { timeout: 60000 });
    const drawn = await page.evaluate(() => ({
      ms: performance.getEntriesByName('claimdb:drawn')[0].startTime,
      highlights: document.querySelectorAll('#doctext .hl').length,
      chars: document.querySelector('#doctext').textContent.length,
      // the page's own script: every module it loaded from /ui/
      js: performance.getEntriesByType('resource').filter((e) => /\/ui\/[^/]+\.js$/.test(e.name)).reduce((n, e) => n + e.decodedBodySize, 0),
    }));
    if (drawn.highlights === 0 || drawn.chars < doc.length) throw new Error(`not drawn: ${JSON.stringify(drawn)}`);
    times.push(drawn.ms);
    scriptBytes = Math.max(scriptBytes, drawn.js);
    await context.close();
  }
  times.sort((a, b) => a - b);
  const q = (p, a = times) => a[Math.min(a.length - 1, Math.floor(p * a.length))];
  console.log(JSON.stringify({ runs, claims, length: doc.length, median_ms: q(0.5), p90_ms: q(0.9), min_ms: times[0], max_ms: times[times.length - 1],
    script_bytes: scriptBytes, loadavg: (await import('node:os')).loadavg()[0] }));
} finally {
  await browser.close();
  await stack.stop();
}
