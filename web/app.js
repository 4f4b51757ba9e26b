// citygeo wall-screen page. MapLibre GL is served from /vendor (copied from npm at build time);
// all text is drawn with local fonts because the style has no glyphs URL, so the page needs no
// internet. window.citygeo exposes the map and a ready flag for the headless-browser test.
const params = new URLSearchParams(location.search);
const variant = params.get('style') === 'desk' ? 'desk' : 'wall';
if (variant === 'desk') document.body.classList.add('desk');
window.citygeo = { ready: false, error: null };
// A server that guards reads needs a bearer token: ?token=… once, then it is remembered.
if (params.get('token')) localStorage.setItem('citygeo-token', params.get('token'));
const token = localStorage.getItem('citygeo-token');
const auth = token ? { Authorization: 'Bearer ' + token } : {};
const get = (url) => fetch(url, { headers: auth });

const groups = {
  '网格 grids': ['grids-fill', 'grids-line', 'grids-label'],
  '区域 areas': ['communities-fill', 'areas-line', 'areas-label'],
  '道路 roads': ['roads-line', 'roads-label'],
  '部件 components': ['components-poly', 'components-line', 'components-cluster', 'components-cluster-count', 'components-point'],
  '事件 events': ['events-circle'],
  '责任网格 zones': ['zones-line', 'zones-label'],
  '责任路段 segments': ['segments-line', 'segments-label'],
};

let maplibregl;
try {
  maplibregl = await import('/vendor/maplibre-gl/maplibre-gl.mjs');
} catch (e) {
  document.getElementById('missing').hidden = false;
  window.citygeo.error = 'maplibre-gl not built: ' + e;
  throw e;
}

const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]));
const table = (obj) => '<table>' + Object.entries(obj).map(([k, v]) =>
  `<tr><td>${esc(k)}</td><td>${esc(typeof v === 'object' ? JSON.stringify(v) : v)}</td></tr>`).join('') + '</table>';

const tj = await (await get('/tiles/city.json')).json();
document.getElementById('version').textContent = 'v' + tj.citygeo_dataset_version;
const style = await (await get(`/styles/${variant}.json`)).json();

const map = new maplibregl.Map({
  container: 'map',
  style,
  bounds: [[tj.bounds[0], tj.bounds[1]], [tj.bounds[2], tj.bounds[3]]],
  fitBoundsOptions: { padding: 20 },
  attributionControl: false,
  hash: params.has('nohash') ? false : true,
  maxZoom: 20,
  transformRequest: (url) => (token && url.startsWith(location.origin) ? { url, headers: auth } : { url }),
});
window.citygeo.map = map;
map.addControl(new maplibregl.NavigationControl(), 'top-right');
map.addControl(new maplibregl.ScaleControl(), 'bottom-right');

// Layer toggles.
const toggles = document.getElementById('toggles');
for (const [name, ids] of Object.entries(groups)) {
  const label = document.createElement('label');
  label.innerHTML = `<input type="checkbox" checked> ${esc(name)}`;
  label.querySelector('input').addEventListener('change', (ev) => {
    for (const id of ids) map.setLayoutProperty(id, 'visibility', ev.target.checked ? 'visible' : 'none');
  });
  toggles.appendChild(label);
}

// Legend from the style's metadata.
const legend = document.getElementById('legend');
for (const e of style.metadata['citygeo:legend']) {
  const div = document.createElement('div');
  div.innerHTML = `<span class="swatch" style="background:${esc(e.color)}"></span>${esc(e.major)} ${esc(e.name)}`;
  legend.appendChild(div);
}

// Click → attribute panel.
const panel = document.getElementById('panel');
map.on('click', (ev) => {
  const feats = map.queryRenderedFeatures(ev.point).filter((f) => f.layer.type !== 'background');
  if (!feats.length) { panel.hidden = true; return; }
  const f = feats[0];
  panel.hidden = false;
  panel.innerHTML = `<h3>${esc(f.sourceLayer)} #${esc(f.id ?? '')}</h3>` + table(f.properties);
});
for (const ids of Object.values(groups)) {
  for (const id of ids) {
    map.on('mouseenter', id, () => { map.getCanvas().style.cursor = 'pointer'; });
    map.on('mouseleave', id, () => { map.getCanvas().style.cursor = ''; });
  }
}

// Search: "lng,lat" goes to /v1/locate; anything else to /v1/geocode when the server has it.
const result = document.getElementById('result');
let marker;
const show = (lng, lat, html) => {
  result.innerHTML = html;
  marker?.remove();
  marker = new maplibregl.Marker({ color: '#ef4444' }).setLngLat([lng, lat]).addTo(map);
  map.flyTo({ center: [lng, lat], zoom: Math.max(map.getZoom(), 17) });
};
document.getElementById('search').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const q = document.getElementById('q').value.trim();
  if (!q) return;
  const m = q.match(/^\s*(-?\d+(?:\.\d+)?)\s*[,，\s]\s*(-?\d+(?:\.\d+)?)\s*$/);
  try {
    if (m) {
      const [lng, lat] = [Number(m[1]), Number(m[2])];
      const r = await get(`/v1/locate?lng=${lng}&lat=${lat}`);
      const body = await r.json();
      if (!r.ok) throw new Error(body.error?.message ?? r.statusText);
      show(lng, lat, table({
        grid: body.grid?.code ?? '—', community: body.community?.name ?? '—',
        street: body.street?.name ?? '—', district: body.district?.name ?? '—',
        outside: body.outside, nearest: body.components?.[0] ? `${body.components[0].name || body.components[0].class} ${body.components[0].distance_m.toFixed(1)} m` : '—',
      }));
      return;
    }
    const r = await get(`/v1/geocode?q=${encodeURIComponent(q)}`);
    if (r.status === 404 && !(await r.clone().json().catch(() => null))?.results) {
      result.innerHTML = '<p class="err">地址检索尚未启用 (no /v1/geocode on this server); enter 经度,纬度</p>';
      return;
    }
    const body = await r.json();
    if (!r.ok) throw new Error(body.error?.message ?? r.statusText);
    const hit = body.results?.[0] ?? body;
    const pt = hit.point ?? hit.location;
    if (!pt) { result.innerHTML = '<p class="err">未找到 not found</p>'; return; }
    const lng = pt.lng ?? pt[0], lat = pt.lat ?? pt[1];
    show(lng, lat, table({
      address: hit.address ?? hit.name ?? q, level: hit.level ?? '', score: hit.score ?? '',
      grid: hit.grid ?? '—', community: hit.community?.name ?? '—', street: hit.street?.name ?? '—',
    }));
  } catch (e) {
    result.innerHTML = `<p class="err">${esc(e.message)}</p>`;
  }
});

map.on('error', (e) => { window.citygeo.error = String(e.error?.message ?? e); });
map.once('idle', () => { window.citygeo.ready = true; });
