// The README's screenshots, taken with the tests' own setup (a throwaway
// cluster with the fixtures, the real claimdb, Debian's chromium):
//   make screenshots   (writes docs/screenshots/*.png)
import path from 'node:path';
import { startStack, launchBrowser, openPage, api, ROOT } from './harness.js';

const out = path.join(ROOT, 'docs', 'screenshots');
const stack = await startStack();
const browser = await launchBrowser();
try {
  const docs = (await api(stack, 'GET', '/v1/documents')).body.items;
  const press = docs.find((d) => d.external_id.startsWith('002_'));
  const ohchr = (await api(stack, 'GET', '/v1/actors?name=OHCHR')).body.items[0];
  const finding = (await api(stack, 'GET', `/v1/claims?q=detention&actor_id=${ohchr.id}&relation=disputes`)).body.items[0];
  const rejection = (await api(stack, 'GET', `/v1/claims?document_id=${press.id}&q=${encodeURIComponent('zero credibility')}`)).body.items[0];
  const shot = async (name, url, prepare, size) => {
    const page = await openPage(browser, stack.base, size);
    await page.goto(`${stack.base}/${url}`);
    await prepare(page);
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(out, `${name}.png`) });
    await page.context().close();
    console.log(`docs/screenshots/${name}.png`);
  };
  await shot('documents', '#/documents', (p) => p.locator('table.list tbody tr').first().waitFor());
  await shot('document', `#/doc/${press.id}?claim=${rejection.id}`, async (p) => {
    await p.locator('#claim-heading').waitFor();
    await p.locator('#counterclaims li, #counterclaims p:not(.small)').first().waitFor().catch(() => {});
    await p.locator('svg.arcs g.arc').first().waitFor();
    await p.evaluate(() => window.scrollTo(0, 0));
    await p.locator('#doctext .hl.sel').first().evaluate((e) => e.scrollIntoView({ block: 'center' }));
  });
  await shot('annotate', `#/doc/${press.id}?claim=${rejection.id}`, async (p) => {
    await p.locator('#claim-heading').waitFor();
    await p.keyboard.press('a');
    await p.getByRole('combobox', { name: 'Speaker' }).fill('Wang');
    await p.getByRole('option').first().waitFor();
  });
  await shot('relations', `#/doc/${press.id}`, async (p) => {
    await p.locator('#doctext .hl').first().waitFor();
    await p.getByRole('tab', { name: 'Relations' }).click();
    await p.locator('table.rellist tbody tr').first().waitFor();
    await p.getByLabel('Kind').selectOption('refutes');
  });
  await shot('thread', `#/thread/${finding.id}?depth=2`, (p) => p.locator('svg.graph g.node').first().waitFor());
  await shot('narrow', `#/doc/${press.id}?claim=${rejection.id}`, (p) => p.locator('#claim-heading').waitFor(), { width: 420, height: 800 });
} finally {
  await browser.close();
  await stack.stop();
}
