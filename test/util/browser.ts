// Debian's Chromium driven by playwright-core, for the browser page tests:
// the page served by `serve()` from dist/web/, with every page error and
// console error collected. PATCHLAB_CHROMIUM_ARGS adds Chromium switches
// (space-separated), for comparing engine settings in bench/browser.ts.

import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { serve, type Serving } from '../../bindings/serve/server.ts';

export const CHROMIUM = process.env.PATCHLAB_CHROMIUM ?? '/usr/bin/chromium';

/** Why the browser tests cannot run here, or null if they can. */
export function browserSkipReason(): string | null {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} not installed (apt-get install chromium)`;
  return null;
}

export interface OpenPage {
  page: Page;
  url: string;
  /** Uncaught page errors and console errors so far. */
  errors: string[];
  close(): Promise<void>;
}

export async function openPage(): Promise<OpenPage> {
  const { chromium } = await import('playwright-core');
  const served: Serving = await serve({ port: 0 });
  let browser: Browser | null = null;
  try {
    const extra = (process.env.PATCHLAB_CHROMIUM_ARGS ?? '').split(' ').filter(Boolean);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', ...extra] });
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 }, acceptDownloads: true });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`);
    });
    page.on('crash', () => errors.push('the page crashed'));
    await page.goto(served.url);
    const b = browser;
    return {
      page,
      url: served.url,
      errors,
      close: async () => {
        await b.close();
        await served.close();
      },
    };
  } catch (err) {
    await browser?.close();
    await served.close();
    throw err;
  }
}
