// Debian's Chromium driven by playwright-core, plus screenshots under test-artifacts/ (git-ignored).
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { projectPath } from './paths.js';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

/** Saves a full-page screenshot as test-artifacts/ui/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const path = projectPath('test-artifacts', 'ui', `${name}.png`);
  mkdirSync(dirname(path), { recursive: true });
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Collects what the page reported as broken, so a test can assert there was nothing. */
export function watchPageErrors(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    // A not-found page is itself a 404 document: Chromium logs that, and it is what the test wants.
    const expected = /favicon/.test(m.location().url) || (/\/pages\/|view=/.test(m.location().url) && /status of 40[04]/.test(m.text()));
    if (m.type() === 'error' && !expected) problems.push(`console: ${m.text()} (${m.location().url})`);
  });
  return problems;
}
