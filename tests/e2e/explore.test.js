// Explore: the debate thread around the fixtures' finding on detention and
// the project's actor network render nodes, and a node opens its claim.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStackAndBrowser, stopStackAndBrowser, openPage, api, serverPaths, assertClean, steps } from './harness.js';

let stack;
let browser;
let paths;
before(async () => {
  ({ stack, browser } = await startStackAndBrowser());
  ({ paths } = await serverPaths(stack));
});
after(() => stopStackAndBrowser(stack, browser));

/** The assessment's finding that detention may constitute crimes against humanity (README's question). */
async function detentionFinding() {
  const ohchr = (await api(stack, 'GET', '/v1/actors?name=OHCHR')).body.items[0];
  const found = (await api(stack, 'GET', `/v1/claims?q=detention&actor_id=${ohchr.id}&relation=disputes`)).body.items;
  assert.ok(found.length > 0, 'the fixtures have the finding');
  return found[0];
}

test('the thread of the detention finding is drawn, and a node opens its claim in its document', async () => {
  const finding = await detentionFinding();
  const page = await openPage(browser, stack.base);
  await steps(page, 'thread', async () => {
    await page.goto(`${stack.base}/#/thread/${finding.id}?depth=2`);
    const nodes = page.locator('svg.graph g.node');
    await nodes.first().waitFor();
    const n = await nodes.count();
    assert.ok(n >= 5, `a thread of several claims (${n} nodes)`);
    assert.ok(await page.locator('svg.graph line.edge').count() >= n - 1, 'connected by relations');
    assert.equal(await page.locator('svg.graph g.node.focus').count(), 1, 'the finding itself is marked');
    // the counterclaims are among the nodes
    const cc = (await api(stack, 'GET', `/v1/claims/${finding.id}/counterclaims`)).body.items;
    const ids = await nodes.evaluateAll((els) => els.map((e) => e.dataset.id));
    for (const x of cc) assert.ok(ids.includes(x.claim.id), `counterclaim ${x.claim.id} is drawn`);
    // zoom with the buttons changes the view; a node opens by keyboard
    await page.getByRole('button', { name: 'Zoom in' }).click();
    assert.match(await page.locator('svg.graph > g').getAttribute('transform'), /scale\(1\.25\)/);
    const other = page.locator(`svg.graph g.node[data-id="${cc[0].claim.id}"]`);
    await other.focus();
    await page.keyboard.press('Enter');
    await page.locator('#doctext .hl.sel').first().waitFor();
    assert.equal(await page.locator('#claim-heading').textContent(), cc[0].claim.text);
  });
  assertClean(assert, page);
  await page.context().close();
});

test('the actor stance network renders the fixture actors', { skip: false }, async (t) => {
  if (!paths.has('/v1/network/actors')) {
    t.skip('this server has no /v1/network/actors yet (issue 13)');
    return;
  }
  const page = await openPage(browser, stack.base);
  await steps(page, 'network', async () => {
    await page.goto(`${stack.base}/#/network?kinds=refutes,disputes`);
    const nodes = page.locator('svg.graph g.node');
    await nodes.first().waitFor();
    const api1 = (await api(stack, 'GET', '/v1/network/actors?kinds=refutes,disputes')).body;
    assert.equal(await nodes.count(), api1.nodes.length);
    assert.ok(api1.nodes.length >= 5);
    const names = await page.locator('svg.graph g.node text').allTextContents();
    assert.ok(names.some((s) => s.startsWith('Wang Wenbin')), 'the spokesperson is in the network');
    // by keyboard: the node is a link in the tab order (in a dense graph another node may lie on top)
    const wang = page.locator('svg.graph g.node', { hasText: 'Wang Wenbin' }).first();
    await wang.focus();
    await page.keyboard.press('Enter');
    await page.locator('.nodeinfo h2', { hasText: 'Wang Wenbin' }).waitFor();
    assert.ok(await page.locator('.nodeinfo li').count() > 0, 'his claims are listed');
    for (const fmt of ['JSON', 'GraphML', 'CSV nodes', 'CSV edges']) {
      const href = await page.getByRole('link', { name: fmt }).getAttribute('href');
      // as the browser follows the link: with the page's session cookie
      const r = await page.context().request.get(stack.base + href);
      assert.equal(r.status(), 200, `${fmt} export: ${href}`);
    }
  });
  assertClean(assert, page);
  await page.context().close();
});
