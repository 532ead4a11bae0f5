// Annotating the press-conference seed (002_…) by selection, as a researcher
// would: a finding, the spokesperson's rejection attributed with its cue,
// related as `refutes`, then seen among the finding's counterclaims.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStackAndBrowser, stopStackAndBrowser, openPage, selectText, api, assertClean, steps } from './harness.js';

let stack;
let browser;
before(async () => ({ stack, browser } = await startStackAndBrowser()));
after(() => stopStackAndBrowser(stack, browser));

/** Code-point offset of the first occurrence of s (after context) in text. */
const cpIndex = (text, s, after = '') => Array.from(text.slice(0, text.indexOf(after + s) + after.length)).length;

test('select a finding, a rejection, attribute it with its cue, relate it as refutes, see the counterclaim', async () => {
  const docs = (await api(stack, 'GET', '/v1/documents')).body.items;
  const doc = (await api(stack, 'GET', `/v1/documents/${docs.find((d) => d.external_id.startsWith('002_')).id}`)).body;
  const page = await openPage(browser, stack.base);
  await page.goto(`${stack.base}/#/doc/${doc.id}`);
  await page.locator('#doctext .hl').first().waitFor();
  await steps(page, 'annotate', async () => {

  // 1. the finding, by selecting its words and pressing c
  const finding = '“serious human rights violations” had been committed in the region';
  assert.equal(await selectText(page, finding), finding);
  await page.keyboard.press('c');
  const form = page.locator('form.annotate');
  await form.getByLabel('Claim (as a plain sentence)').fill('Serious human rights violations have been committed in Xinjiang.');
  await form.getByLabel('Kind').selectOption('factual');
  await form.getByLabel('Tags (Enter adds)').fill('topic/xinjiang');
  await form.getByLabel('Tags (Enter adds)').press('Enter');
  await form.getByRole('button', { name: 'Create the claim' }).click();
  await page.getByRole('heading', { name: 'Serious human rights violations have been committed in Xinjiang.' }).waitFor();
  const mineByText = async (text) => (await api(stack, 'GET', `/v1/documents/${doc.id}/claims?limit=1000`)).body.items.filter((c) => c.text === text);
  let claims = await mineByText('Serious human rights violations have been committed in Xinjiang.');
  assert.equal(claims.length, 1);
  const findingClaim = claims[0];
  assert.equal(findingClaim.target.exact, finding);
  assert.equal(findingClaim.target.start, cpIndex(doc.text, finding));
  assert.equal(findingClaim.target.end, findingClaim.target.start + Array.from(finding).length);
  assert.deepEqual(findingClaim.tags, ['topic/xinjiang']);

  // 2. the spokesperson's rejection
  const rejection = 'the UN’s assessment had “zero-credibility”';
  assert.equal(await selectText(page, rejection), rejection);
  await page.keyboard.press('c');
  await form.getByLabel('Claim (as a plain sentence)').fill('The UN assessment has zero credibility.');
  await form.getByLabel('Kind').selectOption('evaluative');
  await form.getByRole('button', { name: 'Create the claim' }).click();
  await page.getByRole('heading', { name: 'The UN assessment has zero credibility.' }).waitFor();

  // 3. attribute it: the speaker by autocomplete, the cue by selecting "said"
  await page.keyboard.press('a');
  const speaker = page.getByRole('combobox', { name: 'Speaker' });
  await speaker.fill('Wang Wen');
  await page.getByRole('option', { name: /^Wang Wenbin/ }).first().click();
  await form.getByLabel('Role').fill('Chinese Foreign Ministry spokesperson');
  await form.getByLabel('Mode').selectOption('indirect');
  await form.getByRole('button', { name: 'Select the cue in the text' }).click();
  assert.equal(await selectText(page, 'said', { after: 'spokesperson Wang Wenbin ' }), 'said');
  await page.getByText('Cue span: “said”').waitFor();
  await form.getByRole('button', { name: 'Add the attribution' }).click();
  await page.locator('ul.attrs li', { hasText: 'Wang Wenbin' }).waitFor();

  claims = await mineByText('The UN assessment has zero credibility.');
  const mine = claims.find((c) => c.target.exact === rejection);
  assert.ok(mine, 'the rejection is stored with its exact quote');
  assert.equal(mine.target.start, cpIndex(doc.text, rejection));
  const full = (await api(stack, 'GET', `/v1/claims/${mine.id}`)).body;
  assert.equal(full.attributions.length, 1);
  const attr = full.attributions[0];
  assert.equal(attr.actor.name, 'Wang Wenbin');
  assert.equal(attr.cue, 'said');
  assert.equal(attr.mode, 'indirect');
  assert.equal(attr.role, 'Chinese Foreign Ministry spokesperson');
  assert.equal(attr.cue_span.exact, 'said');
  assert.equal(attr.cue_span.start, cpIndex(doc.text, 'said', 'spokesperson Wang Wenbin '));

  // 4. relate it to the finding as `refutes`, found by search
  await page.keyboard.press('r');
  await form.getByLabel('Relation').selectOption('refutes');
  await form.getByLabel('Find the other claim').fill('have been committed in Xinjiang');
  await form.getByRole('button', { name: 'Search' }).click();
  await page.locator('ul.results').getByRole('button', { name: 'Serious human rights violations have been committed in Xinjiang.', exact: true }).click();
  await page.locator('ul.rels li', { hasText: 'refutes →' }).waitFor();
  const rels = (await api(stack, 'GET', `/v1/relations?from_claim_id=${mine.id}`)).body.items;
  assert.deepEqual(rels.map((r) => [r.kind, r.to_claim_id]), [['refutes', findingClaim.id]]);

  // 5. an arc is drawn for the selected claim, and clicking it opens the finding
  const arc = page.locator('svg.arcs g.arc', { hasText: 'refutes' });
  await arc.waitFor();
  await arc.locator('path.hit').dispatchEvent('click');
  await page.getByRole('heading', { name: 'Serious human rights violations have been committed in Xinjiang.' }).waitFor();
  const counter = page.locator('#counterclaims li', { hasText: 'The UN assessment has zero credibility.' });
  await counter.waitFor();
  assert.match(await counter.textContent(), /refutes/);
  assert.match(await counter.textContent(), /Wang Wenbin/);
  assertClean(assert, page);
  });
  await page.context().close();
});
