import { existsSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium: the only browser these tests drive (playwright-core downloads none). */
export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);

const demoDir = fileURLToPath(new URL('../../', import.meta.url));
export const consoleDir = join(demoDir, 'dist', 'console');
const screenshotDir = join(demoDir, 'screenshots');
const docsScreenshotDir = join(demoDir, '..', '..', 'docs', 'screenshots');

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
}

/**
 * Everything that went wrong in the page: uncaught exceptions and console errors. Chromium logs every 4xx
 * response as a console error, so a test that provokes one on purpose (a conflict) names it in `allow`.
 */
export class PageProblems {
  private readonly seen: string[] = [];

  constructor(page: Page) {
    page.on('pageerror', (error) => this.seen.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') this.seen.push(`console.error: ${message.text()}`);
    });
  }

  /** The problems not matching `allow`; clears the list. */
  take(allow: readonly RegExp[] = []): string[] {
    const problems = this.seen.filter((problem) => !allow.some((pattern) => pattern.test(problem)));
    this.seen.length = 0;
    return problems;
  }
}

/**
 * Saves apps/demo/screenshots/<name>.png (a CI artifact, git-ignored). With UPDATE_DOCS_SCREENSHOTS=1 it also
 * copies it to docs/screenshots/, the committed pictures the docs show; left off by default so a test run
 * never rewrites tracked files.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(screenshotDir, { recursive: true });
  const file = join(screenshotDir, `${name}.png`);
  await page.screenshot({ path: file });
  if (process.env.UPDATE_DOCS_SCREENSHOTS === '1') {
    await mkdir(docsScreenshotDir, { recursive: true });
    await copyFile(file, join(docsScreenshotDir, `${name}.png`));
  }
}
