// Copies MapLibre GL from node_modules into dist/vendor, which the Go server embeds (go:embed
// all:dist in web.go) or serves from disk (--web-dir web/dist). No CDN, no committed bundle.
import { cpSync, mkdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const src = join(here, 'node_modules', 'maplibre-gl', 'dist');
const out = join(here, 'dist', 'vendor', 'maplibre-gl');
rmSync(join(here, 'dist', 'vendor'), { recursive: true, force: true });
mkdirSync(out, { recursive: true });
for (const f of ['maplibre-gl.mjs', 'maplibre-gl-worker.mjs', 'maplibre-gl-shared.mjs', 'maplibre-gl.css']) {
  cpSync(join(src, f), join(out, f));
}
cpSync(join(here, 'node_modules', 'maplibre-gl', 'LICENSE.txt'), join(out, 'LICENSE.txt'));
const version = JSON.parse(readFileSync(join(here, 'node_modules', 'maplibre-gl', 'package.json'))).version;
writeFileSync(join(out, 'VERSION'), version + '\n');
console.log(`web/dist/vendor/maplibre-gl: maplibre-gl ${version}`);
