// The page is served by claimdb itself, with a strict CSP and revalidated
// caching, loads with no request to another host, and converts offsets
// between the DOM's UTF-16 and the API's code points.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStackAndBrowser, stopStackAndBrowser, openPage, assertClean } from './harness.js';

let stack;
let browser;
before(async () => ({ stack, browser } = await startStackAndBrowser()));
after(() => stopStackAndBrowser(stack, browser));

test('/ and /ui/* come from the binary with their types, a strict CSP and ETags', async () => {
  const index = await fetch(`${stack.base}/`);
  assert.equal(index.status, 200);
  assert.match(index.headers.get('content-type'), /^text\/html; charset=utf-8/);
  const csp = index.headers.get('content-security-policy');
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'self'(;|$)/);
  assert.match(csp, /connect-src 'self'/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
  assert.equal(index.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(index.headers.get('cache-control'), 'no-cache');
  const html = await index.text();
  assert.match(html, /<script type="module" src="\/ui\/app.js">/);
  assert.doesNotMatch(html, /https?:\/\//, 'the page names no other host');

  for (const [file, type] of [['app.js', 'text/javascript'], ['style.css', 'text/css']]) {
    const r = await fetch(`${stack.base}/ui/${file}`);
    assert.equal(r.status, 200, file);
    assert.match(r.headers.get('content-type'), new RegExp(`^${type}`));
    const etag = r.headers.get('etag');
    assert.match(etag, /^"[0-9a-f]{16}"$/);
    const again = await fetch(`${stack.base}/ui/${file}`, { headers: { 'If-None-Match': etag } });
    assert.equal(again.status, 304);
    assert.equal((await again.text()).length, 0);
  }
  const missing = await fetch(`${stack.base}/ui/nope.js`);
  assert.equal(missing.status, 404);
  assert.equal((await missing.json()).error.code, 'not_found');
  const traversal = await fetch(`${stack.base}/ui/..%2Fschema%2Fopenapi.json`);
  assert.equal(traversal.status, 404);
});

test('the document list loads offline, with no request to another host and no script error', async () => {
  const page = await openPage(browser, stack.base);
  await page.goto(`${stack.base}/#/documents`);
  await page.getByRole('heading', { name: 'Documents' }).waitFor();
  const rows = page.locator('table.list tbody tr');
  await rows.first().waitFor(); // the list arrives after the heading
  assert.equal(await rows.count(), 5);
  await page.getByRole('link', { name: /China Slams UN Report/ }).click();
  await page.locator('#doctext .hl').first().waitFor();
  assertClean(assert, page);
  await page.context().close();
});

test('TextIndex maps UTF-16 indexes to code points across emoji, CJK and combining marks', async () => {
  const page = await openPage(browser, stack.base);
  await page.goto(`${stack.base}/`);
  const got = await page.evaluate(async () => {
    const { TextIndex } = await import('/ui/offsets.js');
    const t = new TextIndex('a👍🏽b 习近平 e\u0301 𠀋x');
    return { len: t.length, cp: [0, 1, 3, 5, 6, 7, 8, 11, 16, 18].map((u) => t.toCp(u)), u16: [...Array(t.length + 1).keys()].map((c) => t.toU16(c)), slice: t.slice(1, 3), astral: t.slice(12, 13) };
  });
  // a 👍 🏽 b ␠ 习 近 平 ␠ e ◌́ ␠ 𠀋 x: 14 code points, 17 UTF-16 units
  assert.equal(got.len, 14);
  assert.deepEqual(got.cp, [0, 1, 2, 3, 4, 5, 6, 9, 13, 14]);
  assert.deepEqual(got.u16, [0, 1, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 16, 17]);
  assert.equal(got.slice, '👍🏽');
  assert.equal(got.astral, '𠀋');
  await page.context().close();
});
