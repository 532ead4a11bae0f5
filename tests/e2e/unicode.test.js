// A scratch document with an emoji, a flag, a CJK name and a character
// outside the BMP, added through the page (a pasted text and an uploaded
// .txt); text selected after them is stored with the right code-point span.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startStackAndBrowser, stopStackAndBrowser, openPage, selectText, api, assertClean, steps } from './harness.js';

let stack;
let browser;
before(async () => ({ stack, browser } = await startStackAndBrowser({ fixtures: false })));
after(() => stopStackAndBrowser(stack, browser));

const TEXT = 'Press briefing 👍🏽 by 习近平 (Xi Jinping) 🇨🇳 on the 𠀋 report:\n\n  “The report is a patchwork of lies,” he said.\nA later line after 😀 and é.';

test('text after an emoji and a CJK name: the stored span and quote are in code points', async () => {
  const page = await openPage(browser, stack.base);
  await steps(page, 'unicode', async () => {
    await page.goto(`${stack.base}/#/new`);
    await page.getByLabel('Title').fill('Scratch: emoji and CJK');
    await page.getByLabel('Text', { exact: true }).fill(TEXT);
    await page.getByRole('button', { name: 'Add the document' }).click();
    await page.locator('#doctext').waitFor();
    const docs = (await api(stack, 'GET', '/v1/documents')).body.items;
    const doc = (await api(stack, 'GET', `/v1/documents/${docs[0].id}`)).body;
    assert.equal(doc.text, TEXT, 'the pasted text is stored verbatim');
    assert.equal(await page.locator('#doctext').textContent(), TEXT, 'and shown verbatim');

    const quote = 'a patchwork of lies';
    assert.equal(await selectText(page, quote), quote);
    await page.keyboard.press('c');
    const form = page.locator('form.annotate');
    // the page shows the code-point span it will send
    const start = Array.from(TEXT.slice(0, TEXT.indexOf(quote))).length;
    assert.notEqual(start, TEXT.indexOf(quote), 'the test text really has astral characters before the quote');
    await form.getByText(`code points ${start}–${start + quote.length}`).waitFor();
    await form.getByRole('button', { name: 'Create the claim' }).click();
    await page.getByRole('heading', { name: quote }).waitFor();
    const claims = (await api(stack, 'GET', `/v1/documents/${doc.id}/claims`)).body.items;
    assert.equal(claims.length, 1);
    assert.equal(claims[0].target.start, start);
    assert.equal(claims[0].target.end, start + quote.length);
    assert.equal(claims[0].target.exact, quote);

    // a selection that starts on the emoji and ends on the CJK name
    const tricky = '👍🏽 by 习近平';
    assert.equal(await selectText(page, tricky), tricky);
    await page.keyboard.press('c');
    await form.getByRole('button', { name: 'Create the claim' }).click();
    await page.getByRole('heading', { name: tricky }).waitFor();
    const all = (await api(stack, 'GET', `/v1/documents/${doc.id}/claims`)).body.items;
    const t = all.find((c) => c.target.exact === tricky);
    assert.ok(t, 'the emoji and the name are stored as selected');
    assert.equal(t.target.start, Array.from(TEXT.slice(0, TEXT.indexOf(tricky))).length);
    assert.equal(t.target.end - t.target.start, Array.from(tricky).length);
  });
  assertClean(assert, page);
  await page.context().close();
});

test('a UTF-8 .txt upload keeps its text; a file that is not UTF-8 is refused', async () => {
  const page = await openPage(browser, stack.base);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'claimdb-e2e-upload-'));
  await steps(page, 'upload', async () => {
    const good = path.join(dir, 'briefing.txt');
    fs.writeFileSync(good, TEXT);
    const bad = path.join(dir, 'latin1.txt');
    fs.writeFileSync(bad, Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a])); // "café" in Latin-1
    await page.goto(`${stack.base}/#/new`);
    await page.getByLabel('Text file (.txt, UTF-8)').setInputFiles(bad);
    await page.getByRole('alert').filter({ hasText: 'latin1.txt is not UTF-8 text.' }).waitFor();
    await page.getByLabel('Text file (.txt, UTF-8)').setInputFiles(good);
    await page.waitForFunction(() => document.querySelector('textarea[name=text]').value.length > 0);
    assert.equal(await page.getByLabel('Title').inputValue(), 'briefing');
    await page.getByRole('button', { name: 'Add the document' }).click();
    await page.locator('#doctext').waitFor();
    const docs = (await api(stack, 'GET', '/v1/documents')).body.items;
    const doc = docs.find((d) => d.title === 'briefing');
    assert.equal((await api(stack, 'GET', `/v1/documents/${doc.id}`)).body.text, TEXT);
  });
  fs.rmSync(dir, { recursive: true, force: true });
  assertClean(assert, page);
  await page.context().close();
});
