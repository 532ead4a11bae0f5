// End-to-end harness: a throwaway PostgreSQL cluster (scripts/pg.sh), the
// fixtures loaded by scripts/load_fixtures.sh, the real claimdb binary
// serving API and page, and Debian's chromium driven by playwright-core.
// Nothing is mocked; every test file starts its own stack.
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = process.env.CLAIMDB_BIN || path.join(ROOT, 'build', 'claimdb');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

async function waitFor(url, proc, logPath, seconds = 30) {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`claimdb exited with ${proc.exitCode}:\n${fs.readFileSync(logPath, 'utf8')}`);
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch { /* not yet listening */ }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`claimdb did not start:\n${fs.readFileSync(logPath, 'utf8')}`);
}

/** Runs a command; its output is shown only when it fails. */
function quiet(cmd, args, opts) {
  try {
    execFileSync(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    process.stderr.write(`${err.stdout || ''}${err.stderr || ''}`);
    throw err;
  }
}

const stacks = new Map(); // base URL -> stack, for openPage's sign-in

/** A cluster with the fixtures and a claimdb serving it (and, on a server
 *  with accounts, the user alice with a password and a token). stop() ends both. */
export async function startStack({ fixtures = true } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'claimdb-e2e-'));
  const pgPort = await freePort();
  const env = { ...process.env, PG_FSYNC: 'off' };
  quiet('sh', [path.join(ROOT, 'scripts', 'pg.sh'), 'start', path.join(dir, 'pg'), String(pgPort)], { env });
  // pg.sh knows the URL (with claimdb's password where the cluster requires one)
  const databaseUrl = execFileSync('sh', [path.join(ROOT, 'scripts', 'pg.sh'), 'url', path.join(dir, 'pg'), String(pgPort)], { env, encoding: 'utf8' }).trim();
  const stack = { dir, databaseUrl, pgPort };
  stack.stop = async () => {
    if (stack.proc && stack.proc.exitCode === null) {
      stack.proc.kill('SIGTERM');
      await new Promise((r) => stack.proc.once('exit', r));
    }
    execFileSync('sh', [path.join(ROOT, 'scripts', 'pg.sh'), 'stop', path.join(dir, 'pg'), String(pgPort)], { env });
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    const dbEnv = { ...process.env, DATABASE_URL: databaseUrl };
    if (fixtures) {
      fs.mkdirSync(path.join(dir, 'data'));
      quiet('sh', ['scripts/load_fixtures.sh', BIN, path.join(dir, 'data')], { cwd: ROOT, env: dbEnv });
    } else {
      quiet(BIN, ['migrate'], { env: dbEnv });
    }
    const port = await freePort();
    stack.base = `http://127.0.0.1:${port}`;
    stack.logPath = path.join(dir, 'claimdb.log');
    const log = fs.openSync(stack.logPath, 'w');
    stack.proc = spawn(BIN, ['serve'], { env: { ...dbEnv, PORT: String(port), LISTEN: '127.0.0.1' }, stdio: ['ignore', log, log] });
    await waitFor(`${stack.base}/healthz`, stack.proc, stack.logPath);
    // A server with accounts (sign-in): a user who owns the default project,
    // signed in by the browser with a password, and a token for the tests' own API calls.
    const spec = await (await fetch(`${stack.base}/v1/openapi.json`)).json();
    if (spec.paths['/v1/session']) {
      stack.user = { username: 'alice', password: 'alice-e2e-passphrase' };
      execFileSync(BIN, ['user', 'add', 'alice', '--password-stdin'], { env: dbEnv, input: `${stack.user.password}\n`, stdio: ['pipe', 'ignore', 'pipe'] });
      quiet(BIN, ['project', 'member', 'default', 'alice', 'owner'], { env: dbEnv });
      stack.token = execFileSync(BIN, ['token', 'create', '--user', 'alice', '--scope', 'read,write,admin'], { env: dbEnv, encoding: 'utf8' }).trim();
    }
    stacks.set(stack.base, stack);
  } catch (err) {
    await stack.stop();
    throw err;
  }
  return stack;
}

/** Debian's chromium, headless, with no network of its own. playwright's
 *  launch() gives it a fresh temporary profile (user-data-dir), removed on close. */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** startStack (with its options) and launchBrowser, as every test file's before()
 *  does: { stack, browser }. When the browser does not start, the stack is stopped. */
export async function startStackAndBrowser(options) {
  const stack = await startStack(options);
  try {
    return { stack, browser: await launchBrowser() };
  } catch (err) {
    await stack.stop();
    throw err;
  }
}

/** What every test file's after() does: closes the browser and stops the stack
 *  (either may be missing when before() failed). */
export async function stopStackAndBrowser(stack, browser) {
  await browser?.close();
  await stack?.stop();
}

/**
 * A page at 1280x800 that records every request to another origin and every
 * script error, so that a test can assert the page stayed offline and clean.
 */
export async function openPage(browser, base, { width = 1280, height = 800, signIn = true } = {}) {
  const context = await browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  // the machine may be busy (two cores shared by many): wait longer than playwright's 30 s default
  page.setDefaultTimeout(90000);
  page.foreign = [];
  page.errors = [];
  context.on('request', (req) => {
    const u = req.url();
    if (!u.startsWith(`${base}/`) && !u.startsWith('data:')) page.foreign.push(u);
  });
  page.on('pageerror', (e) => page.errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') page.errors.push(m.text()); });
  page.context = () => context;
  const stack = stacks.get(base);
  if (stack?.user && signIn) await signInThroughPage(page, base, stack.user);
  return page;
}

/** Signs in through the page's own form, as a person would. */
export async function signInThroughPage(page, base, { username, password }) {
  await page.goto(`${base}/#/signin`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForFunction(() => location.hash !== '#/signin');
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

/** The API's answer (JSON) for a path, outside the browser. */
export async function api(stack, method, p, body, headers = {}) {
  const r = await fetch(stack.base + p, {
    method,
    headers: { ...(body ? { 'Content-Type': 'application/json' } : {}), ...(stack.token ? { Authorization: `Bearer ${stack.token}` } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  return { status: r.status, headers: r.headers, body: text ? JSON.parse(text) : null };
}

/** What the running server offers (paths of its OpenAPI description). */
export async function serverPaths(stack) {
  const r = await api(stack, 'GET', '/v1/openapi.json');
  return { paths: new Set(Object.keys(r.body.paths)), text: JSON.stringify(r.body) };
}

/**
 * Selects, with the mouse as a person would (press before the first
 * character, drag to after the last), the occurrence of `needle` in the
 * document text that follows `after` (a piece of context), and returns the
 * selected string as the browser sees it.
 */
export async function selectText(page, needle, { after = '', root = '#doctext' } = {}) {
  const box = await page.evaluate(({ needle, after, root }) => {
    const el = document.querySelector(root);
    const text = el.textContent;
    const at = text.indexOf(after + needle);
    if (at < 0) throw new Error(`not in the text: ${after}${needle}`);
    const start = at + after.length;
    const end = start + needle.length;
    // the text node and offset holding UTF-16 index i
    const locate = (i) => {
      const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
      let n = 0;
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (i < n + node.length || (i === n + node.length && !walker.nextSibling)) return [node, i - n];
        n += node.length;
      }
      throw new Error('offset past the end');
    };
    const rectOf = (i, j) => {
      const [a, ao] = locate(i);
      const r = document.createRange();
      r.setStart(a, ao);
      r.setEnd(a, Math.min(ao + (j - i), a.length));
      return r.getClientRects()[0];
    };
    const [firstNode, firstOffset] = locate(start);
    firstNode.parentElement.scrollIntoView({ block: 'center' });
    const first = rectOf(start, start + (needle.codePointAt(0) > 0xffff ? 2 : 1));
    const lastLen = /[\uDC00-\uDFFF]/.test(text[end - 1]) ? 2 : 1;
    const last = rectOf(end - lastLen, end);
    void firstOffset;
    // what the browser selected, read as the mouse is released (before the page acts on it)
    window.addEventListener('mouseup', () => { window.__selected = window.getSelection().toString(); }, { capture: true, once: true });
    return { x0: first.left + 1, y0: first.top + first.height / 2, x1: last.right - 1, y1: last.top + last.height / 2 };
  }, { needle, after, root });
  await page.mouse.move(box.x0, box.y0);
  await page.mouse.down();
  await page.mouse.move((box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2, { steps: 4 });
  await page.mouse.move(box.x1, box.y1, { steps: 4 });
  await page.mouse.up();
  return page.evaluate(() => window.__selected);
}

/** Fails a test if the page asked another host for anything or threw. */
export function assertClean(assert, page) {
  assert.deepEqual(page.foreign, [], 'the page made requests to other hosts');
  assert.deepEqual(page.errors.filter((e) => !/Failed to load resource: the server responded with a status of (401|404|409|412|422)/.test(e)), [], 'script errors in the page');
}

/** Runs steps; on failure saves a screenshot of the page (its path is in the error). */
export async function steps(page, name, fn) {
  try {
    await fn();
  } catch (err) {
    const file = path.join(os.tmpdir(), `claimdb-e2e-failure-${name}.png`);
    await page.screenshot({ path: file, fullPage: false }).catch(() => {});
    err.message += `\n(screenshot: ${file})`;
    throw err;
  }
}
