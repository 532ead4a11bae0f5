// A claim in two pieces (an interrupted quotation), made by selecting the
// first piece, then the second (key s), stored as two segments and drawn
// as one claim in two numbered pieces.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStackAndBrowser, stopStackAndBrowser, openPage, selectText, api, serverPaths, assertClean, steps } from './harness.js';

let stack;
let browser;
let spec;
before(async () => {
  ({ stack, browser } = await startStackAndBrowser({ fixtures: false }));
  spec = await serverPaths(stack);
});
after(() => stopStackAndBrowser(stack, browser));

const TEXT = '“The report,” he said, “is a patchwork of lies.” 🙂 Then he left.';

test('a discontinuous claim: two pieces selected, stored as segments, drawn as one claim', async () => {
  // the page offers pieces when the server's description has segments (web/api.js)
  assert.ok(spec.text.includes('"segments"'), 'the server describes discontinuous targets (segments)');
  const doc = (await api(stack, 'POST', '/v1/documents', { title: 'Interrupted', text: TEXT })).body;
  const page = await openPage(browser, stack.base);
  await steps(page, 'discontinuous', async () => {
    await page.goto(`${stack.base}/#/doc/${doc.id}`);
    await page.locator('#doctext').waitFor();
    assert.equal(await selectText(page, 'The report,'), 'The report,');
    await page.keyboard.press('c');
    await page.locator('form.annotate').waitFor();
    assert.equal(await selectText(page, 'is a patchwork of lies.'), 'is a patchwork of lies.');
    await page.keyboard.press('s');
    const form = page.locator('form.annotate');
    await form.getByText('code points 1–12, 24–47').waitFor();
    await form.getByLabel('Claim (as a plain sentence)').fill('The report is a patchwork of lies.');
    await form.getByRole('button', { name: 'Create the claim' }).click();
    await page.locator('#claim-heading', { hasText: 'The report is a patchwork of lies.' }).waitFor();
    const c = (await api(stack, 'GET', `/v1/documents/${doc.id}/claims`)).body.items[0];
    assert.deepEqual(c.target.segments.map((s) => [s.start, s.end, s.exact]),
      [[1, 12, 'The report,'], [24, 47, 'is a patchwork of lies.']]);
    // drawn as one claim in two numbered, dashed pieces, both selected together
    const pieces = page.locator('#doctext .hl.multi');
    assert.equal(await pieces.count(), 2);
    assert.deepEqual(await page.locator('#doctext .hl[data-seg]').evaluateAll((els) => els.map((e) => e.dataset.seg)), ['1/2', '2/2']);
    assert.equal(await page.locator('#doctext .hl.sel').count(), 2);
  });
  assertClean(assert, page);
  await page.context().close();
});
