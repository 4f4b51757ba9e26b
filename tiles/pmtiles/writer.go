package pmtiles

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"os"
	"sort"

	"github.com/klauspost/compress/gzip"
)

// This writer is ours rather than github.com/protomaps/go-pmtiles (v1.30.1, checked with
// `go list -m -json` and its source at that tag):
//   - No writer fits: its only archive writer is pmtiles.Convert(logger, input, output,
//     deduplicate, tmpfile), which reads an MBTiles file from disk (convert.go), so the export
//     would first write every tile to SQLite. It does export the pieces (SerializeHeader,
//     BuildDirectories, SerializeEntries), but those live in the same package as the rest.
//   - Weight: that package imports the cloud storage clients it serves from (bucket.go:
//     cloud.google.com/go/storage, Azure azblob, aws-sdk-go-v2/service/s3, gocloud.dev/blob)
//     and the module requires caddy v2; reference/deps.md measured 676 packages and a 50 MB
//     binary for the one import. This file needs klauspost gzip and the standard library, and
//     takes tiles from memory in any order, spooled to a temporary file, deduplicated by hash.

// Header fields citygeo writes.
const (
	HeaderLen        = 127
	rootMax          = 16384 - HeaderLen
	CompressionNone  = 1
	CompressionGzip  = 2
	TileTypeMVT      = 1
	TileTypePNG      = 2
	TileTypeJPEG     = 3
	TileTypeWebP     = 4
	leafStartEntries = 4096
)

// Entry is one directory entry. RunLength 0 marks a pointer to a leaf directory.
type Entry struct {
	TileID    uint64
	Offset    uint64
	Length    uint32
	RunLength uint32
}

// Options describe the archive in its header.
type Options struct {
	MinZoom, MaxZoom uint8
	Bounds           [4]float64 // min lon, min lat, max lon, max lat
	Center           [3]float64 // lon, lat, zoom
	Metadata         []byte     // JSON, written gzipped
	TileCompression  uint8      // CompressionGzip for gzipped tiles
	TileType         uint8      // TileTypePNG …; 0 means TileTypeMVT
}

// Writer collects tiles in any order in a temporary file and writes the archive on Finish.
type Writer struct {
	tmp      *os.File
	off      uint64
	entries  []Entry
	byHash   map[uint64][]Entry // content hash → stored blobs (offset, length) to dedupe
	addrs    uint64
	contents uint64
}

// NewWriter returns a writer spooling tile data to a temporary file in dir ("" = os.TempDir).
func NewWriter(dir string) (*Writer, error) {
	f, err := os.CreateTemp(dir, "citygeo-pmtiles-*")
	if err != nil {
		return nil, fmt.Errorf("pmtiles spool: %w", err)
	}
	return &Writer{tmp: f, byHash: map[uint64][]Entry{}}, nil
}

// Add stores one tile (already compressed as Options.TileCompression says). Identical tiles
// are stored once. Empty data is not addressed at all.
func (w *Writer) Add(z uint8, x, y uint32, data []byte) error {
	if len(data) == 0 {
		return nil
	}
	if len(data) > math.MaxUint32 {
		return fmt.Errorf("pmtiles tile %d/%d/%d: %d bytes", z, x, y, len(data))
	}
	id := TileID(z, x, y)
	h := fnv.New64a()
	h.Write(data)
	sum := h.Sum64()
	for _, e := range w.byHash[sum] {
		if e.Length == uint32(len(data)) && w.same(e, data) {
			w.entries = append(w.entries, Entry{TileID: id, Offset: e.Offset, Length: e.Length, RunLength: 1})
			w.addrs++
			return nil
		}
	}
	if _, err := w.tmp.Write(data); err != nil {
		return fmt.Errorf("pmtiles spool: %w", err)
	}
	e := Entry{TileID: id, Offset: w.off, Length: uint32(len(data)), RunLength: 1}
	w.off += uint64(len(data))
	w.byHash[sum] = append(w.byHash[sum], e)
	w.entries = append(w.entries, e)
	w.addrs++
	w.contents++
	return nil
}

func (w *Writer) same(e Entry, data []byte) bool {
	buf := make([]byte, e.Length)
	if _, err := w.tmp.ReadAt(buf, int64(e.Offset)); err != nil {
		return false
	}
	return bytes.Equal(buf, data)
}

// Finish writes the archive to out and removes the spool file.
func (w *Writer) Finish(out io.Writer, opts Options) error {
	defer os.Remove(w.tmp.Name())
	defer w.tmp.Close()
	sort.Slice(w.entries, func(i, j int) bool { return w.entries[i].TileID < w.entries[j].TileID })
	for i := 1; i < len(w.entries); i++ {
		if w.entries[i].TileID == w.entries[i-1].TileID {
			return fmt.Errorf("pmtiles: tile id %d added twice", w.entries[i].TileID)
		}
	}
	// Merge runs: consecutive ids pointing at the same blob.
	var ents []Entry
	for _, e := range w.entries {
		if n := len(ents); n > 0 {
			last := &ents[n-1]
			if last.Offset == e.Offset && last.Length == e.Length && last.TileID+uint64(last.RunLength) == e.TileID {
				last.RunLength++
				continue
			}
		}
		ents = append(ents, e)
	}
	root, leaves, err := buildDirectories(ents)
	if err != nil {
		return err
	}
	meta, err := gz(opts.Metadata)
	if err != nil {
		return err
	}
	h := make([]byte, HeaderLen)
	copy(h, "PMTiles")
	h[7] = 3
	le := binary.LittleEndian
	rootOff := uint64(HeaderLen)
	metaOff := rootOff + uint64(len(root))
	leafOff := metaOff + uint64(len(meta))
	dataOff := leafOff + uint64(len(leaves))
	for i, v := range []uint64{rootOff, uint64(len(root)), metaOff, uint64(len(meta)), leafOff, uint64(len(leaves)),
		dataOff, w.off, w.addrs, uint64(len(ents)), w.contents} {
		le.PutUint64(h[8+8*i:], v)
	}
	h[96] = 1 // clustered: tile data is in tile id order... see below
	h[97] = CompressionGzip
	h[98] = opts.TileCompression
	h[99] = TileTypeMVT
	if opts.TileType != 0 {
		h[99] = opts.TileType
	}
	h[100], h[101] = opts.MinZoom, opts.MaxZoom
	e7 := func(v float64) uint32 { return uint32(int32(math.Round(v * 1e7))) }
	le.PutUint32(h[102:], e7(opts.Bounds[0]))
	le.PutUint32(h[106:], e7(opts.Bounds[1]))
	le.PutUint32(h[110:], e7(opts.Bounds[2]))
	le.PutUint32(h[114:], e7(opts.Bounds[3]))
	h[118] = uint8(opts.Center[2])
	le.PutUint32(h[119:], e7(opts.Center[0]))
	le.PutUint32(h[123:], e7(opts.Center[1]))
	if !w.clustered() {
		h[96] = 0
	}
	for _, b := range [][]byte{h, root, meta, leaves} {
		if _, err := out.Write(b); err != nil {
			return fmt.Errorf("pmtiles write: %w", err)
		}
	}
	if _, err := w.tmp.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("pmtiles spool: %w", err)
	}
	if _, err := io.Copy(out, w.tmp); err != nil {
		return fmt.Errorf("pmtiles write tiles: %w", err)
	}
	return nil
}

// clustered reports whether blobs appear in tile id order (each new blob after the previous).
func (w *Writer) clustered() bool {
	var next uint64
	for _, e := range w.entries {
		if e.Offset == next {
			next += uint64(e.Length)
		} else if e.Offset > next {
			return false
		}
	}
	return true
}

// buildDirectories returns the compressed root directory and leaf section. The root holds
// every entry when it fits in 16 KiB; otherwise entries go to leaves of growing size.
func buildDirectories(ents []Entry) (root, leaves []byte, err error) {
	root, err = gz(serialize(ents))
	if err != nil || len(root) <= rootMax {
		return root, nil, err
	}
	for size := leafStartEntries; ; size *= 2 {
		var rootEnts []Entry
		var lb bytes.Buffer
		for i := 0; i < len(ents); i += size {
			chunk := ents[i:min(i+size, len(ents))]
			d, err := gz(serialize(chunk))
			if err != nil {
				return nil, nil, err
			}
			rootEnts = append(rootEnts, Entry{TileID: chunk[0].TileID, Offset: uint64(lb.Len()), Length: uint32(len(d))})
			lb.Write(d)
		}
		root, err = gz(serialize(rootEnts))
		if err != nil {
			return nil, nil, err
		}
		if len(root) <= rootMax {
			return root, lb.Bytes(), nil
		}
		if size > len(ents) {
			return nil, nil, errors.New("pmtiles: root directory does not fit in 16 KiB")
		}
	}
}

// serialize encodes a directory: count, delta ids, run lengths, lengths, offsets (0 = follows
// the previous entry, else offset+1), all as varints.
func serialize(ents []Entry) []byte {
	b := binary.AppendUvarint(nil, uint64(len(ents)))
	var last uint64
	for _, e := range ents {
		b = binary.AppendUvarint(b, e.TileID-last)
		last = e.TileID
	}
	for _, e := range ents {
		b = binary.AppendUvarint(b, uint64(e.RunLength))
	}
	for _, e := range ents {
		b = binary.AppendUvarint(b, uint64(e.Length))
	}
	for i, e := range ents {
		if i > 0 && e.Offset == ents[i-1].Offset+uint64(ents[i-1].Length) {
			b = binary.AppendUvarint(b, 0)
		} else {
			b = binary.AppendUvarint(b, e.Offset+1)
		}
	}
	return b
}

func gz(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		return nil, fmt.Errorf("pmtiles gzip: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("pmtiles gzip: %w", err)
	}
	return buf.Bytes(), nil
}
