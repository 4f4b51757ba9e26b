// Decodes MVT files with the npm @mapbox/vector-tile decoder (the one MapLibre uses). Arguments
// are "z/x/y=file" pairs; prints per tile and layer: version, extent and each feature's id,
// type, properties, part count, polygon count by classifyRings and first GeoJSON position.
import { VectorTile, classifyRings } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import { readFileSync } from 'node:fs';

const out = [];
for (const arg of process.argv.slice(2)) {
  const [zxy, file] = arg.split('=');
  const [z, x, y] = zxy.split('/').map(Number);
  const tile = new VectorTile(new PbfReader(readFileSync(file)));
  const layers = {};
  for (const [name, layer] of Object.entries(tile.layers)) {
    const feats = [];
    for (let i = 0; i < layer.length; i++) {
      const f = layer.feature(i);
      const geom = f.loadGeometry();
      const gj = f.toGeoJSON(x, y, z);
      let first = gj.geometry.coordinates;
      while (Array.isArray(first[0])) first = first[0];
      feats.push({
        id: f.id, type: f.type, properties: f.properties, parts: geom.length,
        polygons: f.type === 3 ? classifyRings(geom).length : 0, first,
      });
    }
    layers[name] = { version: layer.version, extent: layer.extent, features: feats };
  }
  out.push({ tile: zxy, layers });
}
console.log(JSON.stringify(out));
