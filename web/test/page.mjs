// Loads the wall page in headless Chromium (playwright-core driving the system chromium), waits
// for the map, then for each layer group zooms where it shows and counts rendered features with
// map.queryRenderedFeatures. Clicks the map and reads the attribute panel. Saves a screenshot.
// Usage: node page.mjs URL SCREENSHOT.png [ADDRESS] → prints JSON {counts, panel, search, geocode, errors …}.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [url, shot, address] = process.argv.slice(2);
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
const userDataDir = mkdtempSync(join(tmpdir(), 'citygeo-chromium-'));
const ctx = await chromium.launchPersistentContext(userDataDir, {
  executablePath,
  headless: true,
  viewport: { width: 1280, height: 720 },
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
    '--ignore-gpu-blocklist'],
});
const out = { counts: {}, errors: [], console: [], requests: [], timings: {} };
const t0 = Date.now();
const mark = (k) => { out.timings[k] = Date.now() - t0; };
try {
  const page = ctx.pages()[0] ?? await ctx.newPage();
  page.on('pageerror', (e) => out.errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') out.console.push(m.text()); });
  // Record every request that leaves the server under test: the page must work offline.
  const origin = new URL(url).origin;
  page.on('request', (r) => { if (!r.url().startsWith(origin) && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) out.requests.push(r.url()); });
  await page.goto(url + '/?nohash', { waitUntil: 'load' });
  await page.waitForFunction(() => window.citygeo && (window.citygeo.ready || window.citygeo.error), null, { timeout: 90000 });
  mark('ready');
  const err = await page.evaluate(() => window.citygeo.error);
  if (err) out.errors.push(err);
  const groups = {
    grids: { zoom: 16, layers: ['grids-fill', 'grids-line'] },
    areas: { zoom: 13, layers: ['areas-line', 'communities-fill', 'areas-label'] },
    roads: { zoom: 14, layers: ['roads-line'] },
    components: { zoom: 17, layers: ['components-point', 'components-line', 'components-poly'] },
    clusters: { zoom: 13, layers: ['components-cluster'] },
    events: { zoom: 13, layers: ['events-circle'] },
  };
  for (const [name, g] of Object.entries(groups)) {
    out.counts[name] = await page.evaluate(async ({ g }) => {
      const map = window.citygeo.map;
      map.jumpTo({ center: map.getCenter(), zoom: g.zoom });
      await new Promise((res) => map.once('idle', res));
      return map.queryRenderedFeatures({ layers: g.layers }).length;
    }, { g });
    mark(name);
  }
  // The wall view (the last group left the map at z13 over the city), then a close-up at z16.
  await page.screenshot({ path: shot.replace(/\.png$/, '-wall.png') });
  await page.evaluate(async () => {
    const map = window.citygeo.map;
    map.jumpTo({ zoom: 16 });
    await new Promise((res) => map.once('idle', res));
  });
  mark('closeup');
  await page.mouse.click(640, 360);
  await page.waitForTimeout(300);
  out.panel = await page.evaluate(() => document.getElementById('panel').hidden ? '' : document.getElementById('panel').innerText);
  await page.screenshot({ path: shot });
  mark('done');
  // Layer toggle: unticking grids hides them.
  await page.locator('#toggles input').first().uncheck();
  out.gridsAfterToggle = await page.evaluate(async () => {
    const map = window.citygeo.map;
    await new Promise((res) => { if (map.loaded()) res(); else map.once('idle', res); });
    return map.queryRenderedFeatures({ layers: ['grids-fill', 'grids-line'] }).length;
  });
  await page.locator('#toggles input').first().check();
  mark('toggle');
  // Search by coordinates: the page asks /v1/locate and shows the grid it falls in.
  const c = await page.evaluate(() => window.citygeo.map.getCenter());
  await page.fill('#q', `${c.lng.toFixed(6)},${c.lat.toFixed(6)}`);
  await page.click('#search button');
  await page.waitForFunction(() => document.getElementById('result').innerText.length > 0, null, { timeout: 30000 });
  out.search = await page.evaluate(() => document.getElementById('result').innerText);
  mark('search');
  // Search by address (when the server has /v1/geocode).
  if (address) {
    await page.evaluate(() => { document.getElementById('result').innerText = ''; });
    await page.fill('#q', address);
    await page.click('#search button');
    await page.waitForFunction(() => document.getElementById('result').innerText.length > 0, null, { timeout: 30000 });
    out.geocode = await page.evaluate(() => document.getElementById('result').innerText);
    mark('geocode');
  }
} finally {
  await ctx.close();
  rmSync(userDataDir, { recursive: true, force: true });
}
console.log(JSON.stringify(out));
