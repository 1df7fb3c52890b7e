// Screenshots of the browser page for the README (docs/images/page-*.png),
// from real runs in Debian's Chromium:
//
//   node scripts/run-ts.mjs scripts/page-shots.ts
import { openPage } from '../test/util/browser.ts';

const o = await openPage();
try {
  const { page } = o;
  await page.evaluate(() => window.patchlab.ready);
  await page.fill('#hackbench input[name=loops]', '20');
  await page.fill('#hackbench input[name=runs]', '6');
  await page.click('#hackbench button[type=submit]');
  await page.waitForSelector('#hackbench table.comparison', { timeout: 300_000 });
  await page.screenshot({ path: 'docs/images/page-hackbench.png', fullPage: true });
  await page.click('nav button[data-tab=trace]');
  await page.click('#trace button[type=submit]');
  await page.waitForSelector('#trace canvas.timeline', { timeout: 300_000 });
  await page.waitForTimeout(300);
  await page.locator('#trace .timeline-box').screenshot({ path: 'docs/images/page-timeline.png' });
  await page.click('nav button[data-tab=site]');
  await page.click('#site button[type=submit]');
  await page.waitForSelector('#site table.words', { timeout: 60_000 });
  await page.click('#site-toggle');
  await page.waitForTimeout(1500);
  await page.locator('#site').screenshot({ path: 'docs/images/page-site.png' });
  await page.click('#site button:has-text("Stop")');
  if (o.errors.length) throw new Error(o.errors.join('\n'));
} finally {
  await o.close();
}
