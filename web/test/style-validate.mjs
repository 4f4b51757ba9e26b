// Validates style documents with MapLibre's own style-spec validator. Prints the errors as JSON.
import { validateStyleMin } from '@maplibre/maplibre-gl-style-spec';
import { readFileSync } from 'node:fs';

const out = {};
for (const file of process.argv.slice(2)) {
  out[file] = validateStyleMin(JSON.parse(readFileSync(file, 'utf8'))).map((e) => e.message);
}
console.log(JSON.stringify(out));
