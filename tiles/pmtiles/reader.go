package pmtiles

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sort"
	"sync"

	"github.com/klauspost/compress/gzip"
)

// The reader is ours for the reasons the writer's comment gives (go-pmtiles' reader lives in
// the package that links the cloud storage clients); it needs io.ReaderAt and gzip only.

// ErrNotFound is returned by Reader.Tile for a tile the archive does not hold.
var ErrNotFound = errors.New("pmtiles: no such tile")

// Header is the part of a PMTiles v3 header a reader needs.
type Header struct {
	RootOffset, RootLength         uint64
	MetadataOffset, MetadataLength uint64
	LeafOffset, LeafLength         uint64
	DataOffset, DataLength         uint64
	InternalCompression            uint8
	TileCompression                uint8
	TileType                       uint8
	MinZoom, MaxZoom               uint8
	Bounds                         [4]float64 // min lon, min lat, max lon, max lat
	Center                         [3]float64 // lon, lat, zoom
}

// Reader reads tiles from a PMTiles v3 archive. It is safe for concurrent use when its
// io.ReaderAt is (an *os.File is).
type Reader struct {
	r    io.ReaderAt
	size int64
	h    Header
	root []Entry

	mu     sync.Mutex
	leaves map[uint64][]Entry // decoded leaf directories by offset; emptied when it reaches maxLeaves
}

// maxLeaves bounds the decoded leaf directories kept: neighbouring tiles share a leaf, so a
// map view's requests decode each leaf once.
const maxLeaves = 64

// maxDirectory bounds a directory's decompressed size, so a corrupt archive cannot make the
// reader allocate without limit.
const maxDirectory = 64 << 20

// NewReader reads the header and root directory of the archive in r (size bytes).
func NewReader(r io.ReaderAt, size int64) (*Reader, error) {
	b := make([]byte, HeaderLen)
	if _, err := r.ReadAt(b, 0); err != nil {
		return nil, fmt.Errorf("pmtiles header: %w", err)
	}
	if string(b[:7]) != "PMTiles" || b[7] != 3 {
		return nil, errors.New("pmtiles: not a PMTiles version 3 archive")
	}
	le := binary.LittleEndian
	u := func(i int) uint64 { return le.Uint64(b[8+8*i:]) }
	deg := func(off int) float64 { return float64(int32(le.Uint32(b[off:]))) / 1e7 }
	h := Header{RootOffset: u(0), RootLength: u(1), MetadataOffset: u(2), MetadataLength: u(3), LeafOffset: u(4), LeafLength: u(5),
		DataOffset: u(6), DataLength: u(7), InternalCompression: b[97], TileCompression: b[98], TileType: b[99],
		MinZoom: b[100], MaxZoom: b[101], Bounds: [4]float64{deg(102), deg(106), deg(110), deg(114)},
		Center: [3]float64{deg(119), deg(123), float64(b[118])}}
	for _, sec := range [][2]uint64{{h.RootOffset, h.RootLength}, {h.MetadataOffset, h.MetadataLength}, {h.LeafOffset, h.LeafLength}, {h.DataOffset, h.DataLength}} {
		if sec[0] > uint64(size) || sec[1] > uint64(size)-sec[0] {
			return nil, errors.New("pmtiles: a section lies past the end of the file")
		}
	}
	rd := &Reader{r: r, size: size, h: h}
	root, err := rd.directory(h.RootOffset, h.RootLength)
	if err != nil {
		return nil, fmt.Errorf("pmtiles root directory: %w", err)
	}
	rd.root = root
	return rd, nil
}

// Header returns the archive's header.
func (rd *Reader) Header() Header { return rd.h }

// Metadata returns the archive's JSON metadata, decompressed.
func (rd *Reader) Metadata() ([]byte, error) {
	return rd.section(rd.h.MetadataOffset, rd.h.MetadataLength)
}

// Tile returns the stored bytes of tile z/x/y (compressed as Header.TileCompression says), or
// ErrNotFound.
func (rd *Reader) Tile(z uint8, x, y uint32) ([]byte, error) {
	if z > 31 || x >= 1<<z || y >= 1<<z {
		return nil, ErrNotFound
	}
	id := TileID(z, x, y)
	dir := rd.root
	for depth := 0; depth < 4; depth++ {
		i := sort.Search(len(dir), func(i int) bool { return dir[i].TileID > id }) - 1
		if i < 0 {
			return nil, ErrNotFound
		}
		e := dir[i]
		if e.RunLength == 0 { // a leaf directory
			leaf, err := rd.leaf(e)
			if err != nil {
				return nil, fmt.Errorf("pmtiles leaf directory: %w", err)
			}
			dir = leaf
			continue
		}
		if id >= e.TileID+uint64(e.RunLength) {
			return nil, ErrNotFound
		}
		off := rd.h.DataOffset + e.Offset
		if off+uint64(e.Length) > uint64(rd.size) {
			return nil, errors.New("pmtiles: a tile lies past the end of the file")
		}
		b := make([]byte, e.Length)
		if _, err := rd.r.ReadAt(b, int64(off)); err != nil {
			return nil, fmt.Errorf("pmtiles tile: %w", err)
		}
		return b, nil
	}
	return nil, errors.New("pmtiles: directories nested too deep")
}

func (rd *Reader) leaf(e Entry) ([]Entry, error) {
	rd.mu.Lock()
	leaf, ok := rd.leaves[e.Offset]
	rd.mu.Unlock()
	if ok {
		return leaf, nil
	}
	leaf, err := rd.directory(rd.h.LeafOffset+e.Offset, uint64(e.Length))
	if err != nil {
		return nil, err
	}
	rd.mu.Lock()
	if len(rd.leaves) >= maxLeaves || rd.leaves == nil {
		rd.leaves = map[uint64][]Entry{}
	}
	rd.leaves[e.Offset] = leaf
	rd.mu.Unlock()
	return leaf, nil
}

// section reads and decompresses (per the internal compression) length bytes at off.
func (rd *Reader) section(off, length uint64) ([]byte, error) {
	if off+length > uint64(rd.size) || length > maxDirectory {
		return nil, errors.New("pmtiles: a section lies past the end of the file")
	}
	b := make([]byte, length)
	if _, err := rd.r.ReadAt(b, int64(off)); err != nil {
		return nil, err
	}
	switch rd.h.InternalCompression {
	case CompressionNone, 0:
		return b, nil
	case CompressionGzip:
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, err
		}
		return io.ReadAll(io.LimitReader(zr, maxDirectory))
	}
	return nil, fmt.Errorf("pmtiles: internal compression %d not supported (want none or gzip)", rd.h.InternalCompression)
}

// directory decodes a directory (the inverse of serialize).
func (rd *Reader) directory(off, length uint64) ([]Entry, error) {
	b, err := rd.section(off, length)
	if err != nil {
		return nil, err
	}
	br := bytes.NewReader(b)
	next := func() uint64 {
		v, e := binary.ReadUvarint(br)
		if e != nil && err == nil {
			err = errors.New("pmtiles: truncated directory")
		}
		return v
	}
	n := next()
	if n > uint64(len(b)) { // every entry takes at least one byte per column
		return nil, errors.New("pmtiles: directory count larger than the directory")
	}
	ents := make([]Entry, n)
	var id uint64
	for i := range ents {
		id += next()
		ents[i].TileID = id
	}
	for i := range ents {
		ents[i].RunLength = uint32(next())
	}
	for i := range ents {
		ents[i].Length = uint32(next())
	}
	for i := range ents {
		v := next()
		if v == 0 && i > 0 {
			ents[i].Offset = ents[i-1].Offset + uint64(ents[i-1].Length)
		} else {
			ents[i].Offset = v - 1
		}
	}
	return ents, err
}
