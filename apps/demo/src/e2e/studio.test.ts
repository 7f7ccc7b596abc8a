import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KilnClient } from '@kilndb/server/client';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startStudio, type Studio } from '../node/studio.js';
import { consoleDir, hasChromium, launchChromium, PageProblems, screenshot } from './browser.js';

const USER = 'admin';
const PASSWORD = 'studio-e2e-password';
const title = hasChromium
  ? 'KilnDB Studio in Chromium'
  : 'KilnDB Studio in Chromium (SKIPPED: /usr/bin/chromium is missing; install it with `apt-get install -y chromium`)';

describe.skipIf(!hasChromium)(title, () => {
  let dir: string;
  let studio: Studio;
  let browser: Browser;
  let page: Page;
  let problems: PageProblems;
  let api: KilnClient;
  let url: string;

  beforeAll(async () => {
    await access(join(consoleDir, 'index.html')).catch(() => {
      throw new Error(`The console is not built (${consoleDir}): run \`pnpm build\` first`);
    });
    dir = await mkdtemp(join(tmpdir(), 'kilndb-studio-e2e-'));
    studio = await startStudio(
      { dataDir: dir, host: '127.0.0.1', port: 0, rootUser: USER, rootPassword: PASSWORD, jwtSecret: 'studio-e2e-secret-studio-e2e-secret-0123', rateLimit: 100_000 },
      { consoleDir, logLevel: 'silent' },
    );
    url = studio.server.url;
    api = new KilnClient({ url });
    await api.login(USER, PASSWORD);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    problems = new PageProblems(page);
  });

  afterAll(async () => {
    await browser.close();
    await studio.server.close();
    await rm(dir, { recursive: true, force: true });
  });

  afterEach(() => {
    expect(problems.take()).toEqual([]);
  });

  it('refuses a wrong password, then logs in and lists the seeded collections with their counts', async () => {
    expect(studio.seeded).toBe(true);
    await page.goto(`${url}/`);
    await page.getByLabel('Username').fill(USER);
    await page.getByLabel('Password').fill('wrong');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').waitFor();
    problems.take([/status of 401/]);
    await screenshot(page, 'login');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Collections' }).waitFor();
    await page.getByTestId('count-laptops').waitFor();
    expect(await page.getByTestId('count-laptops').textContent()).toBe('6');
    expect(await page.getByTestId('count-memory').textContent()).toBe('5');
    expect(await page.getByTestId('count-display').textContent()).toBe('5');
  });

  it('shows a write made through the API within a second, without a reload', async () => {
    await page.locator('.badge.live').waitFor({ timeout: 5000 });
    await api.collection('laptops').put('lp7', { brand: 'HP', model: 'Spectre x360', price: 1599, in_stock: true, memory_id: 'mem2', display_id: 'dsp2' });
    const acknowledged = Date.now();
    await page.waitForFunction(() => document.querySelector('[data-testid="count-laptops"]')?.textContent === '7', undefined, { timeout: 1000 });
    await page.locator('.feed li', { hasText: 'lp7' }).waitFor({ timeout: 1000 });
    expect(Date.now() - acknowledged).toBeLessThan(1000);
    await screenshot(page, 'overview');
  });

  it('browses a collection, refuses invalid JSON before sending, and saves an edit', async () => {
    await page.getByRole('link', { name: 'laptops' }).first().click();
    await page.getByRole('heading', { name: /Documents 1–7 of 7/ }).waitFor();
    await page.getByRole('button', { name: 'Open lp1' }).click();
    const editor = page.getByLabel('Document (JSON)');
    expect(await editor.inputValue()).toContain('ThinkPad X1 Carbon');
    await editor.fill('{ "brand": "Lenovo", ');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('alert').filter({ hasText: 'Invalid JSON' }).waitFor();
    expect((await api.collection('laptops').get('lp1'))?._v).toBe(1);
    const stored = await api.collection('laptops').get('lp1');
    const own = Object.fromEntries(Object.entries(stored ?? {}).filter(([field]) => !field.startsWith('_')));
    await editor.fill(JSON.stringify({ ...own, price: 1399 }, null, 2));
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved lp1 (v2).' }).waitFor();
    const saved = await api.collection('laptops').get('lp1');
    expect(saved?.price).toBe(1399);
    expect(saved?.model).toBe('ThinkPad X1 Carbon');
  });

  it('shows a version conflict plainly, with the document as it is now', async () => {
    await page.getByRole('button', { name: 'Open lp2' }).click();
    await api.collection('laptops').patch('lp2', { price: 2999 });
    const editor = page.getByLabel('Document (JSON)');
    await editor.fill((await editor.inputValue()).replace('"in_stock": true', '"in_stock": false'));
    await page.getByRole('button', { name: 'Save' }).click();
    const conflict = page.locator('.conflict');
    await conflict.getByRole('heading', { name: 'Version conflict' }).waitFor();
    expect(await conflict.textContent()).toContain('you edited version 1, it is now version 2');
    expect(await conflict.locator('pre').textContent()).toContain('"price": 2999');
    problems.take([/status of 412/]);
    // The list follows writes made elsewhere: lp1 (saved above) and lp2 (patched through the API) show version 2.
    for (const key of ['lp1', 'lp2']) {
      await page.locator('table.docs tr', { has: page.getByRole('button', { name: `Open ${key}` }) }).locator('td.num', { hasText: /^2$/ }).waitFor({ timeout: 3000 });
    }
    await screenshot(page, 'collection');
    expect((await api.collection('laptops').get('lp2'))?.in_stock).toBe(true);
    await conflict.getByRole('button', { name: 'Load the current version' }).click();
    expect(await editor.inputValue()).toContain('2999');
    await page.getByRole('button', { name: 'Close' }).click();
  });

  it('inserts a document and deletes it', async () => {
    await page.getByRole('button', { name: 'Insert document' }).click();
    await page.getByLabel('Key').fill('lp8');
    await page.getByLabel('Document (JSON)').fill('{ "brand": "Acer", "model": "Swift Go 14", "price": 799, "in_stock": true }');
    await page.getByRole('button', { name: 'Insert', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Saved lp8 (v1).' }).waitFor();
    expect((await api.collection('laptops').get('lp8'))?.model).toBe('Swift Go 14');
    await page.getByRole('button', { name: 'Open lp8' }).click();
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('status').filter({ hasText: 'Deleted lp8.' }).waitFor();
    expect(await api.collection('laptops').get('lp8')).toBeUndefined();
  });

  it('pages through a collection larger than a page', async () => {
    const notes = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`n${String(i).padStart(2, '0')}`, { text: `note ${i}` }]));
    await api.set('notes', notes);
    await page.goto(`${url}/#/collections/notes`);
    await page.getByRole('heading', { name: 'Documents 1–20 of 25' }).waitFor();
    expect(await page.locator('table.docs tbody tr').count()).toBe(20);
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.getByRole('heading', { name: 'Documents 21–25 of 25' }).waitFor();
    expect(await page.locator('table.docs tbody tr').count()).toBe(5);
    expect(await page.getByRole('button', { name: 'Next page' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Previous page' }).click();
    await page.getByRole('heading', { name: 'Documents 1–20 of 25' }).waitFor();
  });

  it('runs a query with a join, as a table and as JSON, and shows it as curl', async () => {
    await page.getByRole('link', { name: 'Query', exact: true }).click();
    await page.getByLabel('Collection', { exact: true }).selectOption('laptops');
    await page.getByRole('button', { name: 'Run query' }).click();
    const heading = page.getByRole('heading', { name: /^Results: \d+ documents?/ });
    await heading.waitFor();
    const body = { collection: 'laptops', where: { in_stock: true }, sort: [{ field: 'price', order: 'desc' }], fields: ['brand', 'model', 'price'], joins: [{ ram: { from: 'memory', on: 'memory_id', fields: ['capacity_gb', 'type'] } }], count: 10 };
    const expected = (await api.get(body)) as Record<string, unknown>[];
    expect(await heading.textContent()).toMatch(new RegExp(`^Results: ${expected.length} documents`));
    const firstRow = page.locator('table tbody tr').first();
    expect(await firstRow.textContent()).toContain(String(expected[0]?.model));
    expect(await page.locator('table thead').textContent()).toContain('ram');
    const curl = await page.getByTestId('curl').textContent();
    expect(curl).toContain(`-X POST '${url}/get'`);
    expect(curl).toContain('"joins":[{"ram"');
    await screenshot(page, 'query');
    await page.getByRole('radio', { name: 'JSON' }).check();
    const json = JSON.parse((await page.getByLabel('Query results as JSON').textContent()) ?? '') as unknown;
    expect(json).toEqual(expected);
  });

  it('charts storage figures, compacts, manages an index and a token', async () => {
    await page.getByRole('link', { name: 'Storage', exact: true }).click();
    await page.getByText('Log size').first().waitFor();
    const compactionsBefore = Number((await api.storage()).compactions);
    await page.getByRole('button', { name: 'Compact now' }).click();
    await page.getByRole('status').filter({ hasText: 'Compaction finished' }).waitFor({ timeout: 15_000 });
    expect(Number((await api.storage()).compactions)).toBe(compactionsBefore + 1);
    // Bursts of concurrent writes a second apart, so every chart has several samples to draw.
    for (let burst = 0; burst < 4; burst += 1) {
      await Promise.all(Array.from({ length: 24 }, (_, i) => api.collection('readings').put(`r${burst}-${i}`, { burst, i, value: Math.sin(burst + i) })));
      await page.waitForTimeout(1100);
    }
    await page.waitForFunction(() => [...document.querySelectorAll('.chart polyline')].every((line) => line.getAttribute('points')?.includes(' ')), undefined, {
      timeout: 10_000,
    });
    expect(await page.locator('.chart polyline').count()).toBe(6);
    await page.evaluate(() => {
      window.scrollTo(0, 0);
    });
    await screenshot(page, 'storage');
    await page.getByLabel('Collection', { exact: true }).selectOption('laptops');
    await page.getByLabel('JSON Schema').fill('{ "type": "object", "required": ["brand"] }');
    await page.getByRole('button', { name: 'Apply schema and limits' }).click();
    await page.getByRole('status').filter({ hasText: 'Settings applied to laptops.' }).waitFor();
    await expect(api.collection('laptops').put('nobrand', { model: 'Unknown' })).rejects.toMatchObject({ status: 400 });
    await page.getByRole('button', { name: 'Remove schema' }).click();
    await page.getByRole('status').filter({ hasText: 'Schema removed from laptops.' }).waitFor();
    await api.collection('laptops').put('nobrand', { model: 'Unknown' });
    await api.collection('laptops').delete('nobrand');
    await page.getByLabel('Field to index').fill('price');
    await page.getByRole('button', { name: 'Create index' }).click();
    await page.getByRole('button', { name: 'Drop index price' }).waitFor();
    expect(await api.collection(await page.getByLabel('Collection', { exact: true }).inputValue()).indexes()).toContain('price');
    await page.getByLabel('Client id').fill('reporting');
    await page.getByRole('button', { name: 'Delegate token' }).click();
    const revoke = page.getByRole('button', { name: 'Revoke reporting' });
    await revoke.waitFor();
    const token = await page.getByLabel('Token for reporting').inputValue();
    const delegated = new KilnClient({ url, token });
    expect(await delegated.collection('laptops').get('lp1')).toBeDefined();
    await revoke.click();
    await page.getByRole('status').filter({ hasText: /revoked/i }).waitFor();
    await expect(delegated.collection('laptops').get('lp1')).rejects.toMatchObject({ status: 401 });
  });

  it('fits a phone-width screen without sideways scrolling, on every page', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    const pages: [string, () => Promise<void>][] = [
      ['collection', () => page.getByRole('button', { name: 'Open lp1' }).waitFor()],
      ['query', () => page.getByRole('button', { name: 'Run query' }).waitFor()],
      ['storage', () => page.getByText('Log size').first().waitFor()],
      ['', () => page.getByTestId('count-laptops').waitFor()],
    ];
    for (const [hash, ready] of pages) {
      await page.goto(`${url}/#/${hash === 'collection' ? 'collections/laptops' : hash}`);
      await ready();
      expect({ page: hash, width: await page.evaluate(() => document.documentElement.scrollWidth) }).toEqual({ page: hash, width: 390 });
    }
    await screenshot(page, 'overview-phone');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('can be used with the keyboard alone', async () => {
    const fresh = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const freshProblems = new PageProblems(fresh);
    try {
      await fresh.goto(`${url}/`);
      await fresh.keyboard.press('Tab');
      expect(await fresh.evaluate(() => document.activeElement?.id)).toBe('login-user');
      await fresh.keyboard.type(USER);
      await fresh.keyboard.press('Tab');
      await fresh.keyboard.type(PASSWORD);
      await fresh.keyboard.press('Enter');
      await fresh.getByRole('heading', { name: 'Collections' }).waitFor();
      // Skip link, then the page links in order: Overview, Query.
      for (let i = 0; i < 3; i += 1) await fresh.keyboard.press('Tab');
      expect(await fresh.evaluate(() => document.activeElement?.textContent)).toBe('Query');
      await fresh.keyboard.press('Enter');
      await fresh.getByRole('heading', { name: 'Query' }).waitFor();
      expect(freshProblems.take()).toEqual([]);
    } finally {
      await fresh.close();
    }
  });
});
