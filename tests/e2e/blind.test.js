// Blind annotation as a team lives it: in a blind project an annotator does
// not see another annotator's claims on a document until a curator marks the
// document done on the page; then they appear on the annotator's page too.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { BIN, startStackAndBrowser, stopStackAndBrowser, openPage, signInThroughPage, api, assertClean, steps } from './harness.js';

let stack;
let browser;
before(async () => ({ stack, browser } = await startStackAndBrowser()));
after(() => stopStackAndBrowser(stack, browser));

/** A user with a role in the default project: { username, password, token }. */
function member(username, role) {
  const env = { ...process.env, DATABASE_URL: stack.databaseUrl };
  const password = `${username}-e2e-passphrase`;
  execFileSync(BIN, ['user', 'add', username, '--password-stdin'], { env, input: `${password}\n`, stdio: ['pipe', 'ignore', 'pipe'] });
  execFileSync(BIN, ['project', 'member', 'default', username, role], { env, stdio: 'ignore' });
  const token = execFileSync(BIN, ['token', 'create', '--user', username, '--scope', 'read,write'], { env, encoding: 'utf8' }).trim();
  return { username, password, token };
}

/** Whether the live view of the page shows the claim. */
const shows = (page, id) => page.evaluate((cid) => window.claimdbView.byId.has(cid), id);

test('a curator marks a document done on the page; only then annotators see each other\'s claims', async (t) => {
  if (!stack.user) {
    t.skip('this server has no accounts');
    return;
  }
  const project = (await api(stack, 'GET', '/v1/projects')).body.items.find((p) => p.slug === 'default');
  const set = await api(stack, 'PATCH', `/v1/projects/${project.id}`, { settings: { ...project.settings, blind: true } });
  assert.equal(set.status, 200, JSON.stringify(set.body));
  const bob = member('bob', 'annotator');
  const carol = member('carol', 'annotator');
  const docs = (await api(stack, 'GET', '/v1/documents')).body.items;
  const doc = docs.find((d) => d.external_id.startsWith('003_'));
  const made = await api(stack, 'POST', '/v1/claims', { document_id: doc.id, text: 'Bob reads this sentence as a claim.', target: { start: 0, end: 20 } },
    { Authorization: `Bearer ${bob.token}` });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  const bobs = made.body.id;

  // carol, an annotator too, does not see bob's claim while the document is open
  const carolPage = await openPage(browser, stack.base, { signIn: false });
  await signInThroughPage(carolPage, stack.base, carol);
  await carolPage.goto(`${stack.base}/#/doc/${doc.id}`);
  await carolPage.locator('#doctext').waitFor();
  await carolPage.waitForFunction(() => window.claimdbView);
  assert.equal(await shows(carolPage, bobs), false);
  // and she may not end the blind phase: the page says why
  await carolPage.getByRole('button', { name: 'Mark done' }).click();
  await carolPage.getByText(/Not changed: .*curator/).waitFor();

  // alice (the project's owner) marks it done on her page
  const alicePage = await openPage(browser, stack.base);
  await steps(alicePage, 'blind', async () => {
    await alicePage.goto(`${stack.base}/#/doc/${doc.id}`);
    await alicePage.waitForFunction(() => window.claimdbView);
    assert.equal(await shows(alicePage, bobs), true); // curators and up see everyone's work
    await alicePage.getByRole('button', { name: 'Mark done' }).click();
    await alicePage.getByRole('button', { name: 'Reopen' }).waitFor();
  });
  assert.equal((await api(stack, 'GET', `/v1/documents/${doc.id}`)).body.done, true);

  // carol opens the document again: bob's claim is there now
  await carolPage.goto(`${stack.base}/#/documents`);
  await carolPage.goto(`${stack.base}/#/doc/${doc.id}`);
  await carolPage.waitForFunction((cid) => window.claimdbView?.byId.has(cid), bobs);
  assertClean(assert, alicePage);
  await carolPage.context().close();
  await alicePage.context().close();
});
