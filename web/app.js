// citygeo wall page (大屏幕监督指挥). MapLibre GL is served from /vendor (copied from npm at build
// time); all text is drawn with local fonts because the style has no glyphs URL, so the page
// needs no internet. window.citygeo exposes the map, a ready flag and the live feed's state for
// the headless-browser test.
//
// Query parameters: ?kiosk hides the controls; ?style=desk the light style; ?token=… stores a
// bearer token; ?mosaic=COLSxROWS sizes text for one screen of a video-wall mosaic;
// ?layers=heat,stats switches groups on; ?nohash keeps the view out of the URL.
const params = new URLSearchParams(location.search);
const variant = params.get('style') === 'desk' ? 'desk' : 'wall';
if (variant === 'desk') document.body.classList.add('desk');
if (params.has('kiosk')) document.body.classList.add('kiosk');
const mosaic = (params.get('mosaic') ?? '').match(/^(\d+)x(\d+)$/);
const rows = mosaic ? Math.max(1, Number(mosaic[2])) : 1;
if (rows > 1) document.documentElement.style.setProperty('--screen-h', `calc(100vh / ${rows})`);
// The map's sizes are CSS pixels at 1080 lines; the style multiplies them by this (tiles.StateScale).
const scale = () => Math.max(0.5, window.innerHeight / rows / 1080);

const live = { state: 'connecting', lastId: '', seen: {}, connects: 0, drop: null };
window.citygeo = { ready: false, error: null, live, kpi: null, track: null };
// A server that guards reads needs a bearer token: ?token=… once, then it is remembered.
if (params.get('token')) localStorage.setItem('citygeo-token', params.get('token'));
const token = localStorage.getItem('citygeo-token');
const auth = token ? { Authorization: 'Bearer ' + token } : {};
const get = (url, opts = {}) => fetch(url, { ...opts, headers: { ...auth, ...(opts.headers ?? {}) } });
const getJSON = async (url) => {
  const r = await get(url);
  const body = await r.json().catch(() => null);
  if (!r.ok) throw new Error(body?.error?.message ?? `${r.status} ${r.statusText}`);
  return body;
};

let maplibregl;
try {
  maplibregl = await import('/vendor/maplibre-gl/maplibre-gl.mjs');
} catch (e) {
  document.getElementById('missing').hidden = false;
  window.citygeo.error = 'maplibre-gl not built: ' + e;
  throw e;
}

const $ = (id) => document.getElementById(id);
const esc = (s) => String(s ?? '').replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]));
const table = (obj) => '<table>' + Object.entries(obj).map(([k, v]) =>
  `<tr><td>${esc(k)}</td><td>${esc(typeof v === 'object' && v !== null ? JSON.stringify(v) : v)}</td></tr>`).join('') + '</table>';

// Times: the city's day is GMT+8 (the server's statistics and patrol days are too).
const TZ = 'Asia/Shanghai';
const dayFmt = new Intl.DateTimeFormat('en-CA', { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit' });
const ymd = (d) => dayFmt.format(d); // 2026-12-02
const dayStart = (d) => new Date(ymd(d) + 'T00:00:00+08:00');
const addDays = (d, n) => new Date(d.getTime() + n * 86400000);
const when = (t) => (t ? new Date(t).toLocaleString('zh-CN', { timeZone: TZ, hour12: false }) : '—');
const pct = (r) => (r == null || Number.isNaN(Number(r)) ? '—' : (Number(r) * 100).toFixed(1) + '%');

// Title: the city and the dataset version from /v1/info.
const info = await getJSON('/v1/info');
$('city').textContent = info.name || '数字城管';
$('version').textContent = `数据版本 v${info.version}`;
document.title = `${info.name || '数字城管'} · 大屏幕监督指挥`;

// Clock, in the city's time.
const clockFmt = new Intl.DateTimeFormat('zh-CN', { timeZone: TZ, year: 'numeric', month: 'long', day: 'numeric',
  weekday: 'short', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
const tick = () => { $('clock').textContent = clockFmt.format(new Date()); };
tick();
setInterval(tick, 1000);

// The stream resumes from the change the events tiles are as of: read it before the map loads
// them, so nothing between the two is missed (the stream alone starts at now).
try {
  live.lastId = String((await getJSON('/v1/events?limit=1')).seq ?? '');
} catch (err) {
  window.citygeo.streamError = '事件查询不可用：' + err.message;
}
const style = await getJSON(`/styles/${variant}.json`);
style.state = { ...style.state, scale: { default: scale() }, now: { default: Math.floor(Date.now() / 1000) } };
const groups = style.metadata['citygeo:layers'];
const on = new Set((params.get('layers') ?? '').split(',').filter(Boolean));
for (const g of groups) g.visible = g.visible || on.has(g.id);
const present = new Set(style.layers.map((l) => l.id));
for (const g of groups) {
  g.layers = g.layers.filter((id) => present.has(id));
  for (const l of style.layers) {
    if (g.layers.includes(l.id)) l.layout = { ...l.layout, visibility: g.visible ? 'visible' : 'none' };
  }
}

const [w, s, e, n] = info.bounds;
const map = new maplibregl.Map({
  container: 'map',
  style,
  bounds: [[w, s], [e, n]],
  fitBoundsOptions: { padding: 20 },
  attributionControl: false,
  hash: !params.has('nohash'),
  maxZoom: 20,
  transformRequest: (url) => (token && url.startsWith(location.origin) ? { url, headers: auth } : { url }),
});
window.citygeo.map = map;
map.addControl(new maplibregl.NavigationControl(), 'top-right');
map.addControl(new maplibregl.ScaleControl(), 'bottom-left');
map.on('error', (ev) => { window.citygeo.error = String(ev.error?.message ?? ev); });
const loaded = new Promise((res) => map.once('load', res));
window.addEventListener('resize', () => { if (map.loaded()) map.setGlobalStateProperty('scale', scale()); });
// Events age and become overdue as time passes: advance the style's clock, a paint-only change.
setInterval(() => map.setGlobalStateProperty('now', Math.floor(Date.now() / 1000)), 30000);

// Layer toggles and the legend of every group that is switched on.
const drawLegend = () => {
  $('legend').innerHTML = groups.filter((g) => g.visible && g.layers.length).map((g) => `<div class="group"><b>${esc(g.name)}</b>` +
    g.legend.map((k) => `<span class="item"><span class="swatch ${esc(k.shape)}" style="background:${esc(k.color)}"></span>${esc(k.label)}</span>`).join('') +
    '</div>').join('');
};
const setGroup = (g, visible) => {
  g.visible = visible;
  for (const id of g.layers) map.setLayoutProperty(id, 'visibility', visible ? 'visible' : 'none');
  drawLegend();
  if (visible && g.id === 'heat') loadHeat();
  if (visible && g.id === 'stats') loadChoropleth();
};
for (const g of groups) {
  if (!g.layers.length) continue;
  const label = document.createElement('label');
  label.innerHTML = `<input type="checkbox" data-group="${esc(g.id)}"${g.visible ? ' checked' : ''}> ${esc(g.name)}`;
  label.querySelector('input').addEventListener('change', (ev) => setGroup(g, ev.target.checked));
  $('toggles').appendChild(label);
}
drawLegend();
const groupOn = (id) => groups.find((g) => g.id === id)?.visible;

// Statistics (/v1/stats): today's KPIs, this month's rankings, the 30-day trend.
// from and to are days (GMT+8), both included.
const statsURL = (by, period, from, to) => `/v1/stats?by=${by}&period=${period}&from=${ymd(from)}&to=${ymd(to)}`;
const kpiNote = $('kpi-note');
const loadKPIs = async () => {
  const today = dayStart(new Date());
  try {
    const body = await getJSON(statsURL('city', 'day', today, today));
    const row = body.rows?.[0] ?? { reported: 0, dispatched: 0, closed: 0, overdue: 0, on_time_rate: null };
    for (const el of document.querySelectorAll('.kpi')) {
      const k = el.dataset.kpi;
      el.querySelector('.v').textContent = k.endsWith('_rate') ? pct(row[k]) : String(row[k] ?? 0);
    }
    window.citygeo.kpi = row;
    kpiNote.textContent = '';
  } catch (err) {
    kpiNote.textContent = '统计不可用：' + err.message;
  }
};
const rankRows = (rows) => {
  // One bucket (this month); rank as the server gives it, best first.
  const sorted = [...rows].sort((a, b) => (a.rank ?? 1e9) - (b.rank ?? 1e9));
  return '<tr><th>名次</th><th>名称</th><th>上报</th><th>按期率</th></tr>' + sorted.slice(0, 5).map((r, i) =>
    `<tr><td class="n">${esc(r.rank ?? i + 1)}</td><td class="name">${esc(r.name || r.code)}</td>` +
    `<td class="n">${esc(r.reported)}</td><td class="n">${esc(pct(r.on_time_rate))}</td></tr>`).join('');
};
const loadRankings = async () => {
  const now = new Date();
  const month = new Date(ymd(now).slice(0, 8) + '01T00:00:00+08:00');
  for (const by of ['street', 'department']) {
    try {
      const body = await getJSON(statsURL(by, 'all', month, now));
      $('rank-' + by).innerHTML = body.rows?.length ? rankRows(body.rows) : '<tr><td>本月暂无事件</td></tr>';
    } catch (err) {
      $('rank-' + by).innerHTML = `<tr><td class="err">统计不可用：${esc(err.message)}</td></tr>`;
    }
  }
};
// The trend is a small SVG drawn here: bars of reports, a line of closures per day.
const drawTrend = (rows, from) => {
  const days = [...Array(30)].map((_, i) => ymd(addDays(from, i)));
  const by = Object.fromEntries(rows.map((r) => [String(r.period).slice(0, 10), r]));
  const rep = days.map((d) => by[d]?.reported ?? 0), clo = days.map((d) => by[d]?.closed ?? 0);
  const max = Math.max(1, ...rep, ...clo);
  const W = 300, H = 120, pad = 4, bw = (W - pad) / days.length;
  const y = (v) => H - pad - (v / max) * (H - 2 * pad);
  const bars = rep.map((v, i) => `<rect x="${pad + i * bw + bw * 0.15}" y="${y(v)}" width="${bw * 0.7}" height="${H - pad - y(v)}" fill="var(--accent)" opacity="0.7"/>`).join('');
  const line = clo.map((v, i) => `${pad + i * bw + bw / 2},${y(v)}`).join(' ');
  // The SVG stretches to its box; its labels are HTML, so they keep their shape.
  $('trend').innerHTML = `<span class="max">${max}</span><svg viewBox="0 0 ${W} ${H}" preserveAspectRatio="none" role="img" aria-label="近30天上报与结案">` +
    `<line x1="${pad}" y1="${H - pad}" x2="${W}" y2="${H - pad}" stroke="var(--line)" vector-effect="non-scaling-stroke"/>${bars}` +
    `<polyline points="${line}" fill="none" stroke="var(--ok)" stroke-width="2" vector-effect="non-scaling-stroke"/></svg>` +
    `<div class="axis"><span>${days[0].slice(5)}</span><span>${days[29].slice(5)}</span></div>`;
};
const loadTrend = async () => {
  const from = addDays(dayStart(new Date()), -29);
  try {
    const body = await getJSON(statsURL('city', 'day', from, addDays(from, 29)));
    drawTrend(body.rows ?? [], from);
  } catch (err) {
    $('trend').innerHTML = `<p class="err">统计不可用：${esc(err.message)}</p>`;
  }
};
let statsTimer;
const refreshStats = () => {
  clearTimeout(statsTimer);
  statsTimer = setTimeout(() => { loadKPIs(); loadRankings(); loadTrend(); }, 250);
};
refreshStats();
setInterval(refreshStats, 60000);

// Heat: every event reported in the chosen period, from the events query.
const periodFrom = () => addDays(dayStart(new Date()), 1 - Number($('period').value));
const loadHeat = async () => {
  if (!groupOn('heat')) return;
  const feats = [];
  try {
    const base = `/v1/events?bbox=${info.bounds.join(',')}&status=all&from=${ymd(periodFrom())}&to=${ymd(new Date())}&limit=10000`;
    let url = base;
    for (let page = 0; url && page < 20; page++) {
      const body = await getJSON(url);
      for (const f of body.features ?? []) feats.push({ type: 'Feature', geometry: f.geometry, properties: { id: f.id ?? f.properties?.id } });
      for (const ev of body.events ?? body.items ?? []) { const p = point(ev); if (p) feats.push({ type: 'Feature', geometry: { type: 'Point', coordinates: p }, properties: { id: ev.id } }); }
      url = body.next ? `${base}&cursor=${encodeURIComponent(body.next)}` : null;
    }
  } catch (err) {
    kpiNote.textContent = '热力数据不可用：' + err.message;
  }
  map.getSource('events-heat')?.setData({ type: 'FeatureCollection', features: feats });
};
$('period').addEventListener('change', () => { loadHeat(); loadChoropleth(); });

// Choropleth: events reported per grid or community in the period, joined to the city tiles'
// features by code (the style promotes code to the feature id) as feature state.
const loadChoropleth = async () => {
  if (!groupOn('stats')) return;
  const by = $('choropleth-by').value;
  try {
    const body = await getJSON(statsURL(by, 'all', periodFrom(), new Date()));
    const sum = {};
    for (const r of body.rows ?? []) {
      const code = r.code ?? r.area; // "area": the statistics before the contract named it code
      sum[code] = (sum[code] ?? 0) + Number(r.reported ?? 0);
    }
    for (const layer of ['grids', 'areas']) map.removeFeatureState({ source: 'city', sourceLayer: layer });
    // Communities are coloured at every zoom when chosen; grids from z14 with communities below.
    map.setLayerZoomRange('stats-communities', 0, by === 'grid' ? 14 : 24);
    map.setLayoutProperty('stats-grids', 'visibility', by === 'grid' ? 'visible' : 'none');
    const sourceLayer = by === 'grid' ? 'grids' : 'areas';
    for (const [code, reported] of Object.entries(sum)) map.setFeatureState({ source: 'city', sourceLayer, id: code }, { reported });
    window.citygeo.choropleth = sum;
  } catch (err) {
    kpiNote.textContent = '分级统计不可用：' + err.message;
  }
};
$('choropleth-by').addEventListener('change', loadChoropleth);

// The live feed: server-sent events from /v1/events/stream. EventSource cannot send an
// Authorization header, so the stream is read with fetch and parsed here (a few lines of the
// SSE format); on a dropped connection it reconnects with Last-Event-ID and the server replays
// what was missed.
const recent = new Map(); // id → GeoJSON feature of an event changed since the page loaded
// Changes not yet drawn: each frame checks whether they are, and notes when (live.seen[id].shown).
const awaiting = new Set();
map.on('render', () => {
  if (!awaiting.size) return;
  for (const f of map.queryRenderedFeatures({ layers: ['events-recent'] })) {
    const s = live.seen[f.properties.id];
    if (awaiting.has(f.properties.id) && s && f.properties.status === s.status) {
      s.shown = Date.now();
      awaiting.delete(f.properties.id);
    }
  }
});
const setLive = (state, text) => { live.state = state; $('live').dataset.state = state; $('live').textContent = '实时推送：' + text; };
const point = (ev) => {
  if (ev.geometry?.coordinates) return ev.geometry.coordinates;
  if (ev.point) return [ev.point.lng ?? ev.point[0], ev.point.lat ?? ev.point[1]];
  if (ev.lng != null) return [ev.lng, ev.lat];
  return null;
};
// The API sends an event as a GeoJSON Feature (GET /v1/events/{id}, the list, the stream);
// flat puts its properties beside its geometry.
const flat = (m) => (m?.properties ? { ...m.properties, id: m.properties.id ?? m.id, geometry: m.geometry } : m);
const secs = (t) => (t ? Math.floor(new Date(t).getTime() / 1000) : 0);
const onEvent = (ev) => {
  const p = point(ev);
  if (!ev.id || !p) return;
  recent.set(ev.id, { type: 'Feature', geometry: { type: 'Point', coordinates: p }, properties: {
    id: ev.id, status: ev.status, class: ev.class?.code ?? ev.class, class_name: ev.class?.name ?? ev.class_name ?? '',
    reported: secs(ev.reported_at ?? ev.reported), deadline: secs(ev.deadline) } });
  // Keep the overlay small; the events tiles show the older changes after their next load.
  if (recent.size > 500) recent.delete(recent.keys().next().value);
  map.getSource('events-recent')?.setData({ type: 'FeatureCollection', features: [...recent.values()] });
  live.seen[ev.id] = { status: ev.status, at: Date.now(), shown: 0 };
  awaiting.add(ev.id);
  refreshStats();
};
// reset: the server no longer knows every change since our last one; the events tiles are
// reloaded (only that source) and the overlay starts again from there.
const onReset = () => {
  recent.clear();
  map.getSource('events-recent')?.setData({ type: 'FeatureCollection', features: [] });
  if (map.getSource('events')) map.refreshTiles('events');
  refreshStats();
};
// After a connection that was open drops, reconnect at once (resuming from Last-Event-ID);
// after failed attempts back off, never sooner than the server's retry.
let retry = 1000;
const stream = async () => {
  for (let delay = retry; ; delay = Math.min(Math.max(delay * 2, retry), 15000)) {
    const ctl = new AbortController();
    live.drop = () => ctl.abort();
    try {
      const headers = { Accept: 'text/event-stream' };
      if (live.lastId) headers['Last-Event-ID'] = live.lastId;
      const r = await get('/v1/events/stream', { headers, signal: ctl.signal, cache: 'no-store' });
      if (!r.ok || !r.body) throw new Error(`${r.status} ${r.statusText}`);
      live.connects++;
      setLive('open', '已连接');
      const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
      let buf = '', data = [], id = null, type = 'message';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += value;
        let nl;
        while ((nl = buf.search(/\r?\n/)) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + (buf[nl] === '\r' ? 2 : 1));
          if (line === '') {
            if (id !== null) live.lastId = id;
            if (type === 'reset') onReset();
            else if (data.length && (type === 'event' || type === 'message')) {
              try { onEvent(flat(JSON.parse(data.join('\n')))); } catch (err) { window.citygeo.streamError = String(err); }
            }
            data = []; id = null; type = 'message';
            continue;
          }
          const colon = line.indexOf(':');
          if (colon === 0) continue; // a comment (keep-alive)
          const field = colon < 0 ? line : line.slice(0, colon);
          const val = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (field === 'data') data.push(val);
          else if (field === 'id') id = val;
          else if (field === 'event') type = val;
          else if (field === 'retry' && /^\d+$/.test(val)) retry = Number(val);
        }
      }
      setLive('retrying', '连接中断，重连中');
      delay = 100;
    } catch (err) {
      const dropped = err.name === 'AbortError' || live.state === 'open';
      setLive(dropped ? 'retrying' : 'unavailable', dropped ? '连接中断，重连中' : '不可用，重试中（' + err.message + '）');
      if (dropped) delay = 100;
    }
    await new Promise((res) => setTimeout(res, delay));
  }
};

// Click: an event shows its record from /v1/events/{id}; a patroller offers its track; any
// other feature its attributes.
const panel = $('panel');
const stateName = { open: '办理中', closed: '已结案' };
const actionName = { created: '上报', updated: '更新', dispatched: '派遣', closed: '结案', reopened: '重新打开' };
const showEvent = async (id) => {
  panel.hidden = false;
  panel.innerHTML = `<h3>事件 #${esc(id)}</h3><p>读取中…</p>`;
  try {
    const ev = flat(await getJSON('/v1/events/' + encodeURIComponent(id)));
    const overdue = ev.overdue ? '<span class="overdue">（超期）</span>' : '';
    const rows = {
      类别: ev.class?.name ?? ev.class_name ?? ev.class?.code,
      地址: ev.address || ([ev.district, ev.street, ev.community].map((a) => a?.name ?? a).filter(Boolean).join(' ') || '—'),
      网格: ev.grid?.code ?? ev.grid ?? '—',
      责任部门: ev.department?.name || '—',
      上报时间: when(ev.reported_at ?? ev.reported),
      处置时限: when(ev.deadline),
    };
    if (ev.closed_at ?? ev.closed) rows['结案时间'] = when(ev.closed_at ?? ev.closed);
    panel.innerHTML = `<h3>事件 #${esc(ev.id)}</h3>` + table(rows).replace('</table>',
      `<tr><td>状态</td><td>${esc(stateName[ev.status] ?? ev.status)}${overdue}</td></tr></table>`) +
      (ev.history?.length ? '<b>办理经过</b><ol>' + ev.history.map((h) => `<li>${esc(when(h.at))} ${esc(actionName[h.action] ?? h.action ?? '')} ${esc(h.by ?? '')} ${esc(h.note ?? '')}</li>`).join('') + '</ol>' : '');
  } catch (err) {
    panel.innerHTML = `<h3>事件 #${esc(id)}</h3><p class="err">${esc(err.message)}</p>`;
  }
};
const names = { code: '编码', name: '名称', level: '级别', kind: '类型', class: '类别', status: '状态', major: '大类', id: '编号',
  device: '终端', role: '岗位', time: '时间', grid: '网格', department: '部门', priority: '优先级', count: '数量' };
map.on('click', (ev) => {
  const feats = map.queryRenderedFeatures(ev.point).filter((f) => f.layer.type !== 'background' && f.layer.type !== 'heatmap');
  if (!feats.length) { panel.hidden = true; return; }
  const f = feats.find((x) => x.layer.id === 'events-recent' || x.layer.id === 'events-circle') ??
    feats.find((x) => x.layer.id === 'positions-circle') ?? feats[0];
  if (f.layer.id.startsWith('events-')) { showEvent(f.properties.id); return; }
  panel.hidden = false;
  const props = Object.fromEntries(Object.entries(f.properties).map(([k, v]) => [names[k] ?? k, v]));
  panel.innerHTML = `<h3>${esc(groups.find((g) => g.layers.includes(f.layer.id))?.name ?? f.sourceLayer)} #${esc(f.properties.code ?? f.properties.id ?? f.id ?? '')}</h3>` + table(props);
  if (f.layer.id === 'positions-circle') {
    const b = document.createElement('button');
    b.textContent = '回放今日轨迹';
    b.onclick = () => replay(f.properties.device, ymd(new Date()));
    panel.appendChild(b);
  }
});
for (const g of groups) {
  for (const id of g.layers) {
    map.on('mouseenter', id, () => { map.getCanvas().style.cursor = 'pointer'; });
    map.on('mouseleave', id, () => { map.getCanvas().style.cursor = ''; });
  }
}

// Patrollers move: every 2 s the page asks who is in view (/v1/positions?bbox=) and, only when
// a device there moved or came or went, refreshes the positions tiles (that source only).
let seenPositions = '', polling = false;
setInterval(async () => {
  if (polling || !map.getSource('positions') || !groupOn('positions')) return;
  polling = true;
  try {
    const b = map.getBounds();
    const body = await getJSON(`/v1/positions?bbox=${[b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((v) => v.toFixed(6)).join(',')}`);
    const sig = (body.features ?? []).map((f) => `${f.id ?? f.properties?.device}@${f.properties?.time}`).sort().join('|');
    if (sig !== seenPositions) {
      seenPositions = sig;
      map.refreshTiles('positions');
    }
  } catch (err) {
    window.citygeo.positionsError = err.message;
  } finally {
    polling = false;
  }
}, 2000);

// Track replay: GET /v1/tracks/{device}?date= as a line, with a marker moving along it in
// the fixes' time order, a day compressed into about 20 seconds.
let replayTimer;
const replay = async (device, date) => {
  const out = $('track-result');
  clearInterval(replayTimer);
  try {
    const ft = await getJSON(`/v1/tracks/${encodeURIComponent(device)}?date=${date}`);
    const coords = ft.geometry?.type === 'LineString' ? ft.geometry.coordinates : ft.geometry?.coordinates ? [ft.geometry.coordinates] : [];
    if (!coords.length) { out.textContent = `${device} 在 ${date} 没有轨迹`; return; }
    const times = (ft.properties?.times ?? []).map((t) => new Date(t).getTime());
    const t0 = times[0] ?? 0, t1 = times[times.length - 1] ?? 1;
    const src = map.getSource('track');
    const state = { device, date, points: coords.length, step: 0, head: coords[0] };
    window.citygeo.track = state;
    const draw = (head) => src.setData({ type: 'FeatureCollection', features: [
      { type: 'Feature', geometry: { type: 'LineString', coordinates: coords.length > 1 ? coords : [coords[0], coords[0]] }, properties: { device } },
      { type: 'Feature', geometry: { type: 'Point', coordinates: head }, properties: { device } }] });
    draw(coords[0]);
    const lngs = coords.map((c) => c[0]), lats = coords.map((c) => c[1]);
    map.fitBounds([[Math.min(...lngs), Math.min(...lats)], [Math.max(...lngs), Math.max(...lats)]], { padding: 80, maxZoom: 17, duration: 0 });
    out.textContent = `${device} · ${date} · ${coords.length} 个定位点 · ${Math.round(ft.properties?.length_m ?? 0)} 米`;
    const steps = 200, start = Date.now(), span = 20000;
    replayTimer = setInterval(() => {
      const k = Math.min(1, (Date.now() - start) / span);
      const t = t0 + k * (t1 - t0);
      let i = times.findIndex((x) => x > t);
      if (i < 0) i = coords.length;
      const head = coords[Math.max(0, Math.min(coords.length - 1, i - 1))];
      state.step++; state.head = head;
      draw(head);
      if (k >= 1) clearInterval(replayTimer);
    }, span / steps);
  } catch (err) {
    out.innerHTML = `<span class="err">${esc(err.message)}</span>`;
  }
};
$('track-date').value = ymd(new Date());
$('track').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const device = $('track-device').value.trim();
  if (device) replay(device, $('track-date').value || ymd(new Date()));
});

// Search: "lng,lat" goes to /v1/locate; anything else to /v1/geocode when the server has it.
const result = $('result');
let marker;
const show = (lng, lat, html) => {
  result.innerHTML = html;
  marker?.remove();
  marker = new maplibregl.Marker({ color: '#ef4444' }).setLngLat([lng, lat]).addTo(map);
  map.flyTo({ center: [lng, lat], zoom: Math.max(map.getZoom(), 17) });
};
$('search').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const q = $('q').value.trim();
  if (!q) return;
  const m = q.match(/^\s*(-?\d+(?:\.\d+)?)\s*[,，\s]\s*(-?\d+(?:\.\d+)?)\s*$/);
  try {
    if (m) {
      const [lng, lat] = [Number(m[1]), Number(m[2])];
      const body = await getJSON(`/v1/locate?lng=${lng}&lat=${lat}`);
      show(lng, lat, table({
        网格: body.grid?.code ?? '—', 社区: body.community?.name ?? '—',
        街道: body.street?.name ?? '—', 区: body.district?.name ?? '—',
        网格外: body.outside ? '是' : '否', 最近部件: body.components?.[0] ? `${body.components[0].name || body.components[0].class} ${body.components[0].distance_m.toFixed(1)} 米` : '—',
      }));
      return;
    }
    const r = await get(`/v1/geocode?q=${encodeURIComponent(q)}`);
    if (r.status === 404 && !(await r.clone().json().catch(() => null))?.results) {
      result.innerHTML = '<p class="err">地址检索尚未启用，请输入 经度,纬度</p>';
      return;
    }
    const body = await r.json();
    if (!r.ok) throw new Error(body.error?.message ?? r.statusText);
    const hit = body.results?.[0] ?? body;
    const pt = hit.point ?? hit.location;
    if (!pt) { result.innerHTML = '<p class="err">未找到</p>'; return; }
    const lng = pt.lng ?? pt[0], lat = pt.lat ?? pt[1];
    show(lng, lat, table({
      地址: hit.address ?? hit.name ?? q, 级别: hit.level ?? '', 得分: hit.score ?? '',
      网格: hit.grid ?? '—', 社区: hit.community?.name ?? '—', 街道: hit.street?.name ?? '—',
    }));
  } catch (err) {
    result.innerHTML = `<p class="err">${esc(err.message)}</p>`;
  }
});

await loaded;
stream();
loadHeat();
loadChoropleth();
map.once('idle', () => { window.citygeo.ready = true; });
