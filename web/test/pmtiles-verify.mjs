// Reads a PMTiles archive with the npm `pmtiles` package and prints its header, metadata and
// the tiles listed in a JSON file [{z,x,y}] as {z,x,y,length,sha256} lines (tile bytes as the
// reader returns them, i.e. decompressed).
import { PMTiles } from 'pmtiles';
import { openSync, readSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';

const [archive, list] = process.argv.slice(2);
const fd = openSync(archive, 'r');
const source = {
  getKey: () => archive,
  getBytes: async (offset, length) => {
    const buf = Buffer.alloc(length);
    const n = readSync(fd, buf, 0, length, offset);
    const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + n);
    return { data: ab };
  },
};
const p = new PMTiles(source);
const header = await p.getHeader();
const metadata = await p.getMetadata();
const tiles = [];
for (const t of JSON.parse(readFileSync(list, 'utf8'))) {
  const r = await p.getZxy(t.z, t.x, t.y);
  if (!r) { tiles.push({ ...t, missing: true }); continue; }
  const data = Buffer.from(r.data);
  tiles.push({ ...t, length: data.length, sha256: createHash('sha256').update(data).digest('hex') });
}
console.log(JSON.stringify({ header, metadata, tiles }));
