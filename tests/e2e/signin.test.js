// Sign in with username and password (the session cookie), see the
// projects, open one, sign out.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStackAndBrowser, stopStackAndBrowser, openPage, signInThroughPage, assertClean, steps } from './harness.js';

let stack;
let browser;
before(async () => ({ stack, browser } = await startStackAndBrowser()));
after(() => stopStackAndBrowser(stack, browser));

test('sign in, open the project, sign out', async (t) => {
  if (!stack.user) {
    t.skip('this server has no sign-in yet (issue 10: POST /v1/session)');
    return;
  }
  const page = await openPage(browser, stack.base, { signIn: false });
  await steps(page, 'signin', async () => {
    // anonymous: the page asks to sign in
    await page.goto(`${stack.base}/#/documents`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    // a wrong password is refused, with the server's message
    await page.getByLabel('Username').fill(stack.user.username);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    assert.match(await page.getByRole('alert').textContent(), /401/);
    // the right one: the session cookie is HttpOnly (the page's script cannot read it)
    await signInThroughPage(page, stack.base, stack.user);
    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name === 'claimdb_session');
    assert.ok(session, 'a session cookie');
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, 'Strict');
    assert.equal(await page.evaluate(() => document.cookie), '');
    // back where the page was: the documents of the default project
    await page.locator('table.list tbody tr').first().waitFor();
    assert.equal(await page.locator('table.list tbody tr').count(), 5);
    await page.goto(`${stack.base}/#/`);
    await page.getByRole('heading', { name: 'Projects' }).waitFor();
    await page.locator('ul.cards li a').first().click();
    await page.locator('table.list tbody tr').first().waitFor();
    // sign out: the cookie is gone and the data with it
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    assert.equal((await page.context().cookies()).filter((c) => c.name === 'claimdb_session' && c.value).length, 0);
    const after = await page.evaluate(async () => ({
      me: (await fetch('/v1/me')).status,
      documents: (await (await fetch('/v1/documents')).json()).items.length,
    }));
    assert.deepEqual(after, { me: 401, documents: 0 }, 'signed out: nobody, and no private document');
  });
  assertClean(assert, page);
  await page.context().close();
});
