// Screenshots an HTML report in headless Debian chromium (playwright-core):
//   node scripts/screenshot.mjs report.html out.png [widthPx]
// Used for the README picture and to look at reports before calling them done.
import { chromium } from 'playwright-core';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [file, out, width = '1100'] = process.argv.slice(2);
if (!file || !out) {
  console.error('usage: node scripts/screenshot.mjs REPORT.html OUT.png [width]');
  process.exit(2);
}
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--disable-quic'],
});
try {
  const page = await browser.newPage({ viewport: { width: Number(width), height: 800 } });
  await page.goto(pathToFileURL(resolve(file)).href);
  await page.screenshot({ path: out, fullPage: true });
} finally {
  await browser.close();
}
console.log(`screenshot: ${out}`);
