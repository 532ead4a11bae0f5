// Accessibility, checked in the browser on the main views: every control
// has a label (an accessible name), every text meets WCAG AA contrast
// against its background, focus is visible, and the narrow window has no
// horizontal scrolling.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStackAndBrowser, stopStackAndBrowser, openPage, api, assertClean, steps } from './harness.js';

let stack;
let browser;
let doc;
before(async () => {
  ({ stack, browser } = await startStackAndBrowser());
  const docs = (await api(stack, 'GET', '/v1/documents')).body.items;
  doc = docs.find((d) => d.external_id.startsWith('002_'));
});
after(() => stopStackAndBrowser(stack, browser));

/** Problems on the page as it is: unlabelled controls, low-contrast text. */
function audit() {
  const problems = [];
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    const st = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && st.visibility !== 'hidden' && st.display !== 'none';
  };
  const nameOf = (el) => (el.getAttribute('aria-label') || (el.labels && [...el.labels].map((l) => l.textContent).join(' ')) || el.textContent || el.getAttribute('title') || '').trim();
  for (const el of document.querySelectorAll('input:not([type=hidden]), select, textarea, button, a[href], [role=button], [role=link], [role=tab], [role=combobox]')) {
    if (!visible(el)) continue;
    if (!nameOf(el)) problems.push(`no accessible name: ${el.outerHTML.slice(0, 120)}`);
  }
  const parse = (c) => { const m = c.match(/rgba?\(([^)]+)\)/); if (!m) return null; const [r, g, b, a = 1] = m[1].split(',').map(Number); return { r, g, b, a }; };
  const lum = ({ r, g, b }) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }; return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const blend = (fg, bg) => ({ r: fg.r * fg.a + bg.r * (1 - fg.a), g: fg.g * fg.a + bg.g * (1 - fg.a), b: fg.b * fg.a + bg.b * (1 - fg.a), a: 1 });
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c.a > 0) { layers.push(c); if (c.a >= 1) break; }
    }
    return layers.reverse().reduce((acc, c) => blend(c, acc), { r: 255, g: 255, b: 255, a: 1 });
  };
  for (const el of document.querySelectorAll('body *')) {
    if (!visible(el) || el.closest('svg')) continue;
    const ownText = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!ownText) continue;
    const st = getComputedStyle(el);
    const bg = background(el);
    const fg = blend(parse(st.color), bg);
    const [l1, l2] = [lum(fg), lum(bg)].sort((a, b) => b - a);
    const ratio = (l1 + 0.05) / (l2 + 0.05);
    const size = parseFloat(st.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(st.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5)) problems.push(`contrast ${ratio.toFixed(2)} for “${el.textContent.trim().slice(0, 40)}” (${st.color} on rgb(${bg.r},${bg.g},${bg.b}))`);
  }
  return problems;
}

test('the main views: labelled controls, AA contrast, visible focus, keyboard reach', async () => {
  const page = await openPage(browser, stack.base);
  await steps(page, 'a11y', async () => {
    await page.goto(`${stack.base}/#/documents`);
    await page.locator('table.list tbody tr').first().waitFor();
    assert.deepEqual(await page.evaluate(audit), [], 'document list');

    await page.goto(`${stack.base}/#/new`);
    await page.getByLabel('Title').waitFor();
    assert.deepEqual(await page.evaluate(audit), [], 'add a document');

    await page.goto(`${stack.base}/#/doc/${doc.id}`);
    await page.locator('#doctext .hl').first().waitFor();
    assert.deepEqual(await page.evaluate(audit), [], 'document view');
    // keyboard alone: j selects the first claim, a opens the attribution form, its fields are labelled
    await page.locator('body').press('j');
    await page.locator('#claim-heading').waitFor();
    await page.keyboard.press('a');
    await page.getByRole('combobox', { name: 'Speaker' }).waitFor();
    assert.deepEqual(await page.evaluate(audit), [], 'attribution form');
    // focus is visible: a focused control draws an outline
    await page.keyboard.press('Tab');
    const outline = await page.evaluate(() => { const s = getComputedStyle(document.activeElement); return `${s.outlineStyle} ${s.outlineWidth}`; });
    assert.match(outline, /^solid [1-9]/, `the focused element shows its focus (${outline})`);
    await page.keyboard.press('Escape');

    await page.getByRole('tab', { name: 'Relations' }).click();
    await page.locator('table.rellist tbody tr').first().waitFor();
    assert.deepEqual(await page.evaluate(audit), [], 'relation list');
  });
  assertClean(assert, page);
  await page.context().close();
});

test('a narrow window: one column, no horizontal scrolling', async () => {
  const page = await openPage(browser, stack.base, { width: 400, height: 800 });
  await steps(page, 'narrow', async () => {
    await page.goto(`${stack.base}/#/doc/${doc.id}`);
    await page.locator('#doctext .hl').first().waitFor();
    const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
    assert.ok(scroll <= width, `page ${scroll}px wide in a ${width}px window`);
    const text = await page.locator('#doctext').boundingBox();
    const panel = await page.locator('#panel').boundingBox();
    assert.ok(panel.y > text.y + text.height - 1, 'the panel comes after the text');
  });
  await page.context().close();
});
