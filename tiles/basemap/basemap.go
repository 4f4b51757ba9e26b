// Package basemap reads an offline base map from one archive file: MBTiles (SQLite) or
// PMTiles, raster (PNG, JPEG, WebP) or vector (Mapbox vector tiles) — a city's
// Tianditu-derived package or an OpenMapTiles extract — and describes it as TileJSON and as a
// WMTS 1.0 capabilities document. It does not draw or style the map (package tiles places it in
// the styles) and knows no HTTP.
package basemap

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strconv"
	"strings"

	"citygeo/internal/sqliteuri"
	"citygeo/tiles/pmtiles"

	_ "modernc.org/sqlite" // MBTiles is SQLite
)

// ErrNoTile is returned by Tile for a tile the archive does not hold.
var ErrNoTile = errors.New("basemap: no such tile")

// ErrFormat is returned, wrapped, by Open for a file that is not a usable archive.
var ErrFormat = errors.New("basemap: not an MBTiles or PMTiles archive")

// Format is the tile format of an archive.
type Format string

// The tile formats a base map may hold.
const (
	PNG  Format = "png"
	JPEG Format = "jpg"
	WebP Format = "webp"
	PBF  Format = "pbf" // Mapbox vector tiles
)

// mediaTypes are the Content-Types of the formats.
var mediaTypes = map[Format]string{PNG: "image/png", JPEG: "image/jpeg", WebP: "image/webp", PBF: "application/vnd.mapbox-vector-tile"}

// Map is an opened base map archive. Its methods are safe for concurrent use.
type Map struct {
	Path        string
	Name        string
	Attribution string
	Format      Format
	MinZoom     int
	MaxZoom     int
	Bounds      [4]float64 // min lon, min lat, max lon, max lat (WGS84)
	Center      [3]float64 // lon, lat, zoom
	// VectorLayers is the archive's TileJSON vector_layers (vector archives), as stored.
	VectorLayers []json.RawMessage

	tile  func(ctx context.Context, z uint8, x, y uint32) ([]byte, error)
	close func() error
}

var (
	sqliteMagic  = []byte("SQLite format 3\x00")
	pmtilesMagic = []byte("PMTiles")
)

// Open opens an MBTiles or PMTiles archive, told apart by their first bytes. Errors wrap
// ErrFormat for a file of neither kind, or one without a known tile format.
func Open(path string) (*Map, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("basemap: %w", err)
	}
	head := make([]byte, 16)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	var m *Map
	switch {
	case bytes.HasPrefix(head, sqliteMagic):
		f.Close()
		m, err = openMBTiles(path)
	case bytes.HasPrefix(head, pmtilesMagic):
		m, err = openPMTiles(f) // keeps f open
		if err != nil {
			f.Close()
		}
	default:
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, ErrFormat)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	m.Path = path
	if _, ok := mediaTypes[m.Format]; !ok {
		m.Close()
		return nil, fmt.Errorf("%s: tile format %q: %w (want png, jpg, webp or pbf)", path, m.Format, ErrFormat)
	}
	if m.Name == "" {
		m.Name = "basemap"
	}
	return m, nil
}

// Close releases the archive.
func (m *Map) Close() error { return m.close() }

// Raster reports whether the tiles are images.
func (m *Map) Raster() bool { return m.Format != PBF }

// MediaType is the Content-Type of the tiles.
func (m *Map) MediaType() string { return mediaTypes[m.Format] }

// Tile returns tile z/x/y (XYZ scheme) as stored: vector tiles are often gzipped (see
// Gzipped). Tiles outside the zoom range or absent from the archive are ErrNoTile.
func (m *Map) Tile(ctx context.Context, z, x, y int) ([]byte, error) {
	if z < m.MinZoom || z > m.MaxZoom || z > 30 || x < 0 || y < 0 || x >= 1<<z || y >= 1<<z {
		return nil, ErrNoTile
	}
	return m.tile(ctx, uint8(z), uint32(x), uint32(y))
}

// Gzipped reports whether tile bytes are gzip-compressed (to be sent with Content-Encoding).
func Gzipped(b []byte) bool { return len(b) > 2 && b[0] == 0x1f && b[1] == 0x8b }

func openMBTiles(path string) (*Map, error) {
	q := url.Values{}
	q.Set("mode", "ro")
	q.Add("_pragma", "query_only(1)")
	db, err := sql.Open("sqlite", sqliteuri.File(path, q))
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	rows, err := db.QueryContext(ctx, `SELECT name, value FROM metadata`)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("mbtiles metadata: %v: %w", err, ErrFormat)
	}
	meta := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			rows.Close()
			db.Close()
			return nil, fmt.Errorf("mbtiles metadata: %w", err)
		}
		meta[k] = v
	}
	rows.Close()
	m := &Map{Name: meta["name"], Attribution: meta["attribution"], Format: Format(strings.ToLower(meta["format"])), MinZoom: 0, MaxZoom: 22,
		Bounds: [4]float64{-180, -85.0511, 180, 85.0511}}
	if m.Format == "jpeg" {
		m.Format = JPEG
	}
	if v, err := strconv.Atoi(meta["minzoom"]); err == nil {
		m.MinZoom = v
	}
	if v, err := strconv.Atoi(meta["maxzoom"]); err == nil {
		m.MaxZoom = v
	}
	if b := floats(meta["bounds"]); len(b) == 4 {
		copy(m.Bounds[:], b)
	}
	m.Center = [3]float64{(m.Bounds[0] + m.Bounds[2]) / 2, (m.Bounds[1] + m.Bounds[3]) / 2, float64(m.MinZoom)}
	if c := floats(meta["center"]); len(c) == 3 {
		copy(m.Center[:], c)
	}
	if js := meta["json"]; js != "" {
		var doc struct {
			VectorLayers []json.RawMessage `json:"vector_layers"`
		}
		if err := json.Unmarshal([]byte(js), &doc); err != nil {
			db.Close()
			return nil, fmt.Errorf("mbtiles metadata json: %v: %w", err, ErrFormat)
		}
		m.VectorLayers = doc.VectorLayers
	}
	stmt, err := db.PrepareContext(ctx, `SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?`)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("mbtiles tiles: %v: %w", err, ErrFormat)
	}
	m.tile = func(ctx context.Context, z uint8, x, y uint32) ([]byte, error) {
		// MBTiles rows count from the south (TMS).
		var b []byte
		err := stmt.QueryRowContext(ctx, z, x, (uint32(1)<<z)-1-y).Scan(&b)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, ErrNoTile
		}
		return b, err
	}
	m.close = func() error { stmt.Close(); return db.Close() }
	if m.Format == "" {
		m.Format = sniff(db)
	}
	return m, nil
}

// sniff tells the format of an MBTiles file whose metadata does not, from one tile.
func sniff(db *sql.DB) Format {
	var b []byte
	if db.QueryRow(`SELECT tile_data FROM tiles LIMIT 1`).Scan(&b) != nil {
		return ""
	}
	switch {
	case bytes.HasPrefix(b, []byte("\x89PNG")):
		return PNG
	case bytes.HasPrefix(b, []byte{0xff, 0xd8}):
		return JPEG
	case len(b) > 12 && string(b[8:12]) == "WEBP":
		return WebP
	}
	return PBF
}

func openPMTiles(f *os.File) (*Map, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	rd, err := pmtiles.NewReader(f, st.Size())
	if err != nil {
		return nil, fmt.Errorf("%v: %w", err, ErrFormat)
	}
	h := rd.Header()
	formats := map[uint8]Format{pmtiles.TileTypeMVT: PBF, pmtiles.TileTypePNG: PNG, pmtiles.TileTypeJPEG: JPEG, pmtiles.TileTypeWebP: WebP}
	m := &Map{Format: formats[h.TileType], MinZoom: int(h.MinZoom), MaxZoom: int(h.MaxZoom), Bounds: h.Bounds, Center: h.Center}
	if raw, err := rd.Metadata(); err == nil && len(raw) > 0 {
		var meta struct {
			Name         string            `json:"name"`
			Attribution  string            `json:"attribution"`
			VectorLayers []json.RawMessage `json:"vector_layers"`
		}
		if json.Unmarshal(raw, &meta) == nil {
			m.Name, m.Attribution, m.VectorLayers = meta.Name, meta.Attribution, meta.VectorLayers
		}
	}
	m.tile = func(_ context.Context, z uint8, x, y uint32) ([]byte, error) {
		b, err := rd.Tile(z, x, y)
		if errors.Is(err, pmtiles.ErrNotFound) {
			return nil, ErrNoTile
		}
		return b, err
	}
	m.close = f.Close
	return m, nil
}

func floats(s string) []float64 {
	var out []float64
	for _, p := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil {
			return nil
		}
		out = append(out, v)
	}
	return out
}

// TileJSON is the TileJSON 3.0.0 document of a base map.
type TileJSON struct {
	TileJSON     string            `json:"tilejson"`
	Name         string            `json:"name"`
	Attribution  string            `json:"attribution,omitempty"`
	Scheme       string            `json:"scheme"`
	Format       Format            `json:"format"`
	Tiles        []string          `json:"tiles"`
	MinZoom      int               `json:"minzoom"`
	MaxZoom      int               `json:"maxzoom"`
	Bounds       [4]float64        `json:"bounds"`
	Center       [3]float64        `json:"center"`
	VectorLayers []json.RawMessage `json:"vector_layers,omitempty"`
}

// TileJSON describes m with tileURL, the tile URL template ("http://host/basemap/{z}/{x}/{y}").
func (m *Map) TileJSON(tileURL string) TileJSON {
	return TileJSON{TileJSON: "3.0.0", Name: m.Name, Attribution: m.Attribution, Scheme: "xyz", Format: m.Format,
		Tiles: []string{tileURL}, MinZoom: m.MinZoom, MaxZoom: m.MaxZoom, Bounds: m.Bounds, Center: m.Center, VectorLayers: m.VectorLayers}
}

// LayerIDs returns the ids of the vector layers, in the archive's order.
func (m *Map) LayerIDs() []string {
	var out []string
	for _, raw := range m.VectorLayers {
		var l struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(raw, &l) == nil && l.ID != "" {
			out = append(out, l.ID)
		}
	}
	return out
}
