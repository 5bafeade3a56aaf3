/**
 * The SSP report in a real browser: Debian's Chromium driven by
 * playwright-core loads oscal/ssp.html from file:// and must make no request
 * at all; search and the family, status and component filters narrow the
 * rows; every link to evidence resolves to a file of the output. A
 * screenshot is written for review (SOVRA_REPORT_SCREENSHOT names the file).
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJson, synthProfile, tempDir } from '../support/synth-output.js';

/** Where Debian installs Chromium (`apt-get install chromium`); CI installs it the same way. */
const CHROMIUM = process.env.SOVRA_CHROMIUM ?? '/usr/bin/chromium';

let dir: string;
let browser: Browser;
let page: Page;
/** Rows the page must have: the baseline plus the controls claimed beyond it. */
let controls: number;
const requests: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM}: the SSP report test drives a real browser. Install it with \`apt-get install chromium\` (Debian), or set SOVRA_CHROMIUM to a Chromium binary.`);
  }
  dir = tempDir('sovra-report-');
  await synthProfile('cluster', dir);
  const cov = readJson<{ overall: { total: number }; beyondBaseline: string[] }>(dir, 'oscal/coverage.json');
  controls = cov.overall.total + cov.beyondBaseline.length;
  browser = await chromium.launch({ executablePath: CHROMIUM });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const self = `file://${join(dir, 'oscal/ssp.html')}`;
  page.on('request', (r) => {
    if (r.url() !== self) requests.push(r.url());
  });
  await page.goto(self);
  await page.waitForSelector('html[data-ready="true"]');
});

afterAll(async () => {
  await browser?.close();
});

const visibleRows = () => page.locator('#control-rows > tr:not([hidden])');

describe('oscal/ssp.html in Chromium', () => {
  it('loads from file:// with zero network requests and shows every control', async () => {
    expect(requests).toEqual([]);
    expect(controls).toBeGreaterThanOrEqual(370);
    expect(await visibleRows().count()).toBe(controls);
    expect(await page.locator('#count').textContent()).toBe(`${controls} of ${controls} controls`);
    expect(await page.locator('h1').textContent()).toBe('Sovra cluster: System Security Plan');
    const shot = process.env.SOVRA_REPORT_SCREENSHOT;
    if (shot) await page.screenshot({ path: shot, fullPage: false });
  });

  it('filters by family, status and component, and searches', async () => {
    await page.selectOption('#f-family', 'ac');
    await page.selectOption('#f-status', 'implemented');
    const ids = await visibleRows().locator('th a').allTextContents();
    expect(ids.length).toBeGreaterThan(0);
    for (const id of ids) expect(id).toMatch(/^AC-/);
    for (const s of await visibleRows().locator('.badge').allTextContents()) expect(s).toBe('Implemented');

    await page.click('#reset');
    await page.selectOption('#f-component', 'control-plane');
    const cp = await visibleRows().locator('th a').allTextContents();
    expect(cp).toEqual(expect.arrayContaining(['AU-2', 'AU-9', 'AU-10', 'SC-5', 'IA-2']));

    await page.click('#reset');
    await page.fill('#q', 'failureFactor');
    expect(await visibleRows().locator('th a').allTextContents()).toEqual(['AC-7']);
    await page.fill('#q', 'no such text anywhere');
    expect(await visibleRows().count()).toBe(0);
    expect(await page.locator('#count').textContent()).toBe(`0 of ${controls} controls`);
    await page.click('#reset');
  });

  it('a coverage number sets the filters; the keyboard reaches the filters', async () => {
    await page.click('a.filter-link[data-family="pe"][data-status="planned"]');
    expect(await page.inputValue('#f-family')).toBe('pe');
    const rows = await visibleRows().locator('th a').allTextContents();
    for (const id of rows) expect(id).toMatch(/^PE-/);
    await page.click('#reset');
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement && document.activeElement.id')).toBe('f-family');
  });

  it('links each statement to files of the output and to SBOM/CBOM entries on the page', async () => {
    const base = dirname(join(dir, 'oscal/ssp.html'));
    const hrefs = await page.locator('#control-rows a[href^="../"]').evaluateAll((as) => [...new Set(as.map((a) => a.getAttribute('href')!))]);
    expect(hrefs.length).toBeGreaterThan(5);
    for (const h of hrefs) expect(existsSync(resolve(base, h)), h).toBe(true);
    const anchors = await page.locator('#control-rows .refs a').evaluateAll((as) => [...new Set(as.map((a) => a.getAttribute('href')!))]);
    expect(anchors.some((a) => a.startsWith('#cbom-'))).toBe(true);
    for (const a of anchors) expect(await page.locator(a.replace(/([.:@/])/g, '\\$1')).count(), a).toBe(1);
  });
});

