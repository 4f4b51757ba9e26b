// Loads the wall page in headless Chromium (playwright-core driving the system chromium) against
// the real server and reports what it saw, as JSON, for api.TestWallPageInChromium to judge:
// features rendered per layer group (map.queryRenderedFeatures), road names at z17, the click
// panel, toggles, search; an event posted through the API appearing, closing, and arriving after
// a dropped stream; the KPIs before and after; heat and choropleth; a patroller moving (fixes
// posted with a device token) and a replayed track; text sizes and screenshots at 1920×1080 and
// 3840×2160; every request that left the server.
// Usage: node page.mjs CONFIG_JSON  (url, shots, address, dispatcher, device, patroller, event,
// seeded, walk; see the Go test).
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const cfg = JSON.parse(process.argv[2]);
const { url } = cfg;
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
const userDataDir = mkdtempSync(join(tmpdir(), 'citygeo-chromium-'));
const ctx = await chromium.launchPersistentContext(userDataDir, {
  executablePath,
  headless: true,
  viewport: { width: 1920, height: 1080 },
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
    '--ignore-gpu-blocklist'],
});
const out = { counts: {}, errors: [], console: [], requests: [], timings: {}, live: {}, text: {}, screenshots: [] };
const t0 = Date.now();
const mark = (k) => { out.timings[k] = Date.now() - t0; console.error(k, out.timings[k], 'ms'); };
const api = (path, body, token) => fetch(url + path, {
  method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + token }, body: JSON.stringify(body),
}).then(async (r) => { if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`); return r.json(); });
const rfc = (ms) => new Date(ms).toISOString();
try {
  const page = ctx.pages()[0] ?? await ctx.newPage();
  page.on('pageerror', (e) => out.errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') out.console.push(m.text()); });
  // Record every request that leaves the server under test: the page must work offline.
  const origin = new URL(url).origin;
  page.on('request', (r) => { if (!r.url().startsWith(origin) && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) out.requests.push(r.url()); });
  const ready = async () => {
    await page.waitForFunction(() => window.citygeo && (window.citygeo.ready || window.citygeo.error), null, { timeout: 150000 });
    const err = await page.evaluate(() => window.citygeo.error);
    if (err) out.errors.push(err);
  };
  // view jumps the map and waits until it has drawn; count counts rendered features of layers.
  const view = (center, zoom) => page.evaluate(async ({ center, zoom }) => {
    const map = window.citygeo.map;
    map.jumpTo({ center: center ?? map.getCenter(), zoom });
    await new Promise((res) => map.once('idle', res));
  }, { center, zoom });
  const count = (layers) => page.evaluate((layers) => window.citygeo.map.queryRenderedFeatures({ layers }).length, layers);
  const waitMs = async (fn, arg, timeout = 5000) => {
    const start = Date.now();
    try {
      await page.waitForFunction(fn, arg, { timeout, polling: 25 });
      return Date.now() - start;
    } catch {
      return -1;
    }
  };
  const measureText = async (key) => {
    out.text[key] = await page.evaluate(() => {
      const h = window.innerHeight, o = {};
      for (const sel of ['#title', '#clock', '.kpi .v', '.kpi .k', 'h2', 'table.rank td', '#legend .item']) {
        const el = document.querySelector(sel);
        if (el) o[sel] = parseFloat(getComputedStyle(el).fontSize) / h;
      }
      // Map labels: the style's sizes times the scale the map draws with (tiles.StateScale).
      const scale = window.citygeo.map.style?.getGlobalState?.()?.scale;
      if (scale) o['map:label'] = (14 * scale) / h;
      return o;
    });
  };
  const shoot = async (name) => {
    const path = join(cfg.shots, name);
    await page.screenshot({ path });
    out.screenshots.push(path);
  };

  await page.goto(`${url}/?nohash&token=${encodeURIComponent(cfg.dispatcher)}`, { waitUntil: 'load' });
  await ready();
  mark('ready');
  const home = await page.evaluate(() => window.citygeo.map.getCenter().toArray());
  // Rendered features per layer group, three zooms: z16 (grids, then a click and a toggle),
  // z13 (areas, clusters, events: the wall's city view), z17 (components, roads, road names).
  await view(home, 16);
  out.counts.grids = await count(['grids-fill', 'grids-line']);
  const box = await page.evaluate(() => { const r = document.getElementById('map').getBoundingClientRect(); return { x: r.left, y: r.top, w: r.width, h: r.height }; });
  await page.mouse.click(box.x + box.w / 2, box.y + box.h / 2);
  await page.waitForTimeout(300);
  out.panel = await page.evaluate(() => document.getElementById('panel').hidden ? '' : document.getElementById('panel').innerText);
  // Layer toggle: unticking grids hides them.
  const gridsToggle = page.locator('#toggles input[data-group="grids"]');
  await gridsToggle.uncheck();
  out.gridsAfterToggle = await page.evaluate(async () => {
    const map = window.citygeo.map;
    await new Promise((res) => { if (map.loaded()) res(); else map.once('idle', res); });
    return map.queryRenderedFeatures({ layers: ['grids-fill', 'grids-line'] }).length;
  });
  await gridsToggle.check();
  mark('z16');
  await view(home, 13);
  out.counts.areas = await count(['areas-line', 'communities-fill', 'areas-label']);
  out.counts.clusters = await count(['components-cluster']);
  out.counts.events = await count(['events-circle']);
  mark('z13');
  // Road names at z17: of the roads drawn (by name), how many carry their name along the line.
  await view(home, 17);
  out.counts.components = await count(['components-point', 'components-line', 'components-poly']);
  out.counts.roads = await count(['roads-line']);
  Object.assign(out.counts, await page.evaluate(() => {
    const map = window.citygeo.map;
    const drawn = new Set(map.queryRenderedFeatures({ layers: ['roads-line'] }).map((f) => f.properties.name).filter(Boolean));
    const named = new Set(map.queryRenderedFeatures({ layers: ['roads-label'] }).map((f) => f.properties.name));
    return { roadNames: named.size, roadsZ17: drawn.size, roadNamesZ17: [...drawn].filter((n) => named.has(n)).length };
  }));
  await shoot('wall-closeup.png');
  mark('z17');
  // Search by coordinates: the page asks /v1/locate and shows the grid it falls in.
  const c = await page.evaluate(() => window.citygeo.map.getCenter());
  await page.fill('#q', `${c.lng.toFixed(6)},${c.lat.toFixed(6)}`);
  await page.click('#search button');
  await page.waitForFunction(() => document.getElementById('result').innerText.length > 0, null, { timeout: 30000 });
  out.search = await page.evaluate(() => document.getElementById('result').innerText);
  // Search by address.
  if (cfg.address) {
    await page.evaluate(() => { document.getElementById('result').innerText = ''; });
    await page.fill('#q', cfg.address);
    await page.click('#search button');
    await page.waitForFunction(() => document.getElementById('result').innerText.length > 0, null, { timeout: 30000 });
    out.geocode = await page.evaluate(() => document.getElementById('result').innerText);
  }
  mark('search');

  // Live: the stream is open; an event posted through the API shows on the map (the recent
  // events layer) without a reload, then its closing, then one posted while the stream is down.
  await view(cfg.event, 15);
  await waitMs(() => window.citygeo.live.state === 'open', null, 10000);
  await waitMs(() => window.citygeo.kpi !== null, null, 10000);
  out.kpiBefore = await page.evaluate(() => window.citygeo.kpi && (({ reported, dispatched, closed, overdue }) => ({ reported, dispatched, closed, overdue }))(window.citygeo.kpi));
  // The page notes when a change is first drawn (a rendered feature of the recent events layer
  // with that status); the test's clock and the page's are the same machine's.
  const shown = (arg) => window.citygeo.live.seen[arg.id]?.status === arg.status && window.citygeo.live.seen[arg.id].shown > 0;
  const timed = async (key, post, arg) => {
    const start = Date.now();
    await post();
    out.live[key + 'Answered'] = Date.now() - start; // the API's own share
    if (await waitMs(shown, arg, 8000) < 0) { out.live[key] = -1; return; }
    out.live[key] = await page.evaluate((id) => window.citygeo.live.seen[id].shown, arg.id) - start;
    const drawn = await page.evaluate((arg) => window.citygeo.map.queryRenderedFeatures({ layers: ['events-recent'] })
      .some((f) => f.properties.id === arg.id && f.properties.status === arg.status), arg);
    if (!drawn) out.live[key] = -1;
  };
  const ev = { id: 'LIVE-0001', lng: cfg.event[0], lat: cfg.event[1], class: '0501', kind: 'event' };
  await timed('created', () => api('/v1/events', ev, cfg.dispatcher), { id: ev.id, status: 'open' });
  await timed('closed', () => api('/v1/events', { id: ev.id, status: 'closed' }, cfg.dispatcher), { id: ev.id, status: 'closed' });
  const ev2 = { ...ev, id: 'LIVE-0002', lng: cfg.event[0] + 0.0003 };
  await timed('resumed', async () => {
    await page.evaluate(() => window.citygeo.live.drop());
    await api('/v1/events', ev2, cfg.dispatcher);
  }, { id: ev2.id, status: 'open' });
  out.live.connects = await page.evaluate(() => window.citygeo.live.connects);
  const before = out.kpiBefore ?? {};
  await waitMs((b) => window.citygeo.kpi && window.citygeo.kpi.reported >= (b.reported ?? 0) + 2 && window.citygeo.kpi.closed >= (b.closed ?? 0) + 1, before, 5000);
  out.kpiAfter = await page.evaluate(() => window.citygeo.kpi && (({ reported, dispatched, closed, overdue }) => ({ reported, dispatched, closed, overdue }))(window.citygeo.kpi));
  mark('live');
  // Clicking the posted event shows its record.
  const at = await page.evaluate((p) => { const q = window.citygeo.map.project(p); const r = document.getElementById('map').getBoundingClientRect(); return [r.left + q.x, r.top + q.y]; }, [ev2.lng, ev2.lat]);
  await page.mouse.click(at[0], at[1]);
  await waitMs(() => /类别/.test(document.getElementById('panel').innerText), null, 5000);
  out.eventPanel = await page.evaluate(() => document.getElementById('panel').innerText);
  mark('eventPanel');

  // Field force: a patroller's fixes along a road (today, 10 s apart), then one more step; the
  // positions layer shows it, then shows it moved.
  const walk = cfg.walk.slice(0, 30);
  const now = Date.now();
  const fix = (p, t) => ({ device: cfg.patroller, time: rfc(t), lng: p[0], lat: p[1], speed: 1.3, heading: 90, accuracy: 5 });
  await api('/v1/positions', { fixes: walk.map((p, i) => fix(p, now - (walk.length - i) * 10000)) }, cfg.device);
  const last = walk[walk.length - 1];
  await view(last, 17);
  const where = () => page.evaluate(() => window.citygeo.map.queryRenderedFeatures({ layers: ['positions-circle'] })[0]?.geometry.coordinates ?? []);
  await waitMs(() => window.citygeo.map.queryRenderedFeatures({ layers: ['positions-circle'] }).length > 0, null, 8000);
  const p0 = await where();
  await api('/v1/positions', { fixes: [fix([last[0] + 0.0004, last[1] + 0.0002], now)] }, cfg.device);
  await waitMs((p) => { const f = window.citygeo.map.queryRenderedFeatures({ layers: ['positions-circle'] })[0]; return f && Math.abs(f.geometry.coordinates[0] - p[0]) > 1e-5; }, p0, 8000);
  out.patroller = [p0, await where()];
  await shoot('wall-patroller.png');
  mark('patroller');
  // Track replay of the patroller's day: a line, and a head that moves along it.
  await page.fill('#track-device', cfg.patroller);
  await page.click('#track button');
  await waitMs(() => window.citygeo.track && window.citygeo.map.queryRenderedFeatures({ layers: ['track-line'] }).length > 0, null, 8000);
  out.trackLines = await count(['track-line']);
  const head = () => page.evaluate(() => window.citygeo.map.queryRenderedFeatures({ layers: ['track-head'] })[0]?.geometry.coordinates ?? []);
  const h0 = await head();
  await page.waitForTimeout(3000);
  out.trackHeads = [h0, await head()];
  await shoot('wall-track.png');
  mark('track');

  // Heat of the last 30 days and the choropleth of events per grid.
  await page.locator('#toggles input[data-group="heat"]').check();
  await page.locator('#toggles input[data-group="stats"]').check();
  await view(cfg.seeded[1], 15); // an open one: seeded[0] was closed
  await waitMs(() => window.citygeo.map.queryRenderedFeatures({ layers: ['heat'] }).length > 0, null, 8000);
  out.heat = await count(['heat']);
  await waitMs(() => window.citygeo.map.queryRenderedFeatures({ layers: ['stats-grids'] }).some((f) => f.state.reported > 0), null, 8000);
  out.choropleth = await page.evaluate(() => window.citygeo.map.queryRenderedFeatures({ layers: ['stats-grids', 'stats-communities'] }).filter((f) => f.state.reported > 0).length);
  mark('analysis');

  // The wall at 1920×1080, then at 3840×2160: screenshots and text sizes.
  await view(home, 13);
  await measureText('1920x1080');
  await shoot('wall-1920x1080.png');
  await page.setViewportSize({ width: 3840, height: 2160 });
  await page.reload({ waitUntil: 'load' });
  // The page's text is laid out as soon as the map exists; the map itself may take long to
  // draw 4K in software under load, so its label is measured only once it has.
  await page.waitForFunction(() => window.citygeo?.map, null, { timeout: 60000 });
  await page.waitForFunction(() => window.citygeo.ready || window.citygeo.error, null, { timeout: 90000 }).catch(() => out.console.push('4K: map not idle after 90 s'));
  await measureText('3840x2160');
  await shoot('wall-3840x2160.png');
  mark('4k');
} catch (e) {
  // Report what happened so far with the failure, rather than nothing.
  out.errors.push('page.mjs: ' + (e.stack ?? e));
} finally {
  await ctx.close();
  rmSync(userDataDir, { recursive: true, force: true });
}
console.log(JSON.stringify(out));
