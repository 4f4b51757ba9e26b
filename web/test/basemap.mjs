// Loads the wall page of a server started with --basemap in headless Chromium with the network
// off: Chromium resolves no host but the server's, and every request to another origin is
// aborted and recorded. Waits for the map, then reports what the base map did: its style layers,
// the base map tiles the page fetched from the server (status per URL), the features a vector
// base map rendered, and two screenshots of the same view, with the base map shown and hidden,
// for the Go test to compare pixels.
// Usage: node basemap.mjs URL SHOT.png → prints JSON {layers, tiles, rendered, blocked, errors, shown, hidden}.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [url, shot] = process.argv.slice(2);
const origin = new URL(url).origin;
const host = new URL(url).hostname;
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
const userDataDir = mkdtempSync(join(tmpdir(), 'citygeo-basemap-'));
const ctx = await chromium.launchPersistentContext(userDataDir, {
  executablePath,
  headless: true,
  viewport: { width: 1024, height: 640 },
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
    '--ignore-gpu-blocklist',
    // Network off: no name resolves but the server's own address.
    `--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE ${host}`],
});
const out = { layers: [], tiles: {}, rendered: 0, blocked: [], errors: [] };
try {
  // Every request that would leave the server is aborted (and recorded).
  await ctx.route('**/*', (route) => {
    const u = route.request().url();
    if (u.startsWith(origin) || u.startsWith('data:') || u.startsWith('blob:')) return route.continue();
    out.blocked.push(u);
    return route.abort('internetdisconnected');
  });
  const page = ctx.pages()[0] ?? await ctx.newPage();
  page.on('pageerror', (e) => out.errors.push(String(e)));
  page.on('response', (r) => {
    if (r.url().startsWith(origin + '/basemap')) out.tiles[r.url().slice(origin.length)] = r.status();
  });
  await page.goto(url + '/?nohash&kiosk', { waitUntil: 'load' });
  await page.waitForFunction(() => window.citygeo && (window.citygeo.ready || window.citygeo.error), null, { timeout: 90000 });
  const err = await page.evaluate(() => window.citygeo.error);
  if (err) out.errors.push(err);
  const ids = await page.evaluate(async () => {
    const map = window.citygeo.map;
    await new Promise((res) => { if (map.loaded() && map.areTilesLoaded()) res(); else map.once('idle', res); });
    return map.getStyle().layers.filter((l) => l.source === 'basemap').map((l) => l.id);
  });
  out.layers = ids;
  out.rendered = await page.evaluate((ids) => {
    const map = window.citygeo.map;
    const vector = ids.filter((id) => map.getLayer(id).type !== 'raster');
    return vector.length ? map.queryRenderedFeatures({ layers: vector }).length : 0;
  }, ids);
  out.shown = shot.replace(/\.png$/, '-shown.png');
  await page.locator('#map').screenshot({ path: out.shown }); // the map, not the wall's panels
  await page.evaluate(async (ids) => {
    const map = window.citygeo.map;
    for (const id of ids) map.setLayoutProperty(id, 'visibility', 'none');
    await new Promise((res) => map.once('idle', res));
  }, ids);
  out.hidden = shot.replace(/\.png$/, '-hidden.png');
  await page.locator('#map').screenshot({ path: out.hidden });
} finally {
  await ctx.close();
  rmSync(userDataDir, { recursive: true, force: true });
}
console.log(JSON.stringify(out));
