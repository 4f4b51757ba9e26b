package jt808

import (
	"encoding/binary"
	"fmt"
	"time"

	"github.com/paulmach/orb"

	"citygeo/data"
)

// Status bits of a location report (状态位) that citygeo reads.
const (
	StatusACC        = 1 << 0 // ignition on
	StatusPositioned = 1 << 1 // the fix is valid (定位)
	StatusSouth      = 1 << 2 // latitude is south
	StatusWest       = 1 << 3 // longitude is west
)

// locationLen is the fixed part of a 0x0200 body: alarm, status, latitude, longitude (DWORD
// each), altitude, speed, direction (WORD each) and the BCD[6] time.
const locationLen = 28

// Location is a location report (位置信息汇报, 0x0200) or one item of a batch upload.
type Location struct {
	Alarm     uint32    // alarm flags (报警标志)
	Status    uint32    // status flags (状态)
	Lat, Lon  float64   // degrees, negative south and west (from the status bits)
	Altitude  int       // metres
	Speed     float64   // km/h (the wire carries 1/10 km/h)
	Direction int       // degrees clockwise from north, 0–359
	Time      time.Time // the fix time; the wire carries GMT+8 to the second
	// Extra holds the additional items (附加信息: 0x01 mileage, 0x30 signal, 0x31 satellites
	// …) in wire order. Values share the decoded frame's buffer.
	Extra []Item
}

// Item is one additional information item of a location report.
type Item struct {
	ID    byte
	Value []byte
}

// Positioned reports whether the terminal had a fix (status bit 1). Without one, latitude and
// longitude are stale or zero and must not be used as a position.
func (l *Location) Positioned() bool { return l.Status&StatusPositioned != 0 }

// Fix returns the location as the fix of device: the point in CGCS2000 lon/lat (JT/T 808
// positions are WGS84, equal within a metre), speed in m/s, alarm flags kept.
func (l *Location) Fix(device string) data.Fix {
	return data.Fix{Device: device, Time: l.Time, Point: orb.Point{l.Lon, l.Lat},
		Speed: float32(l.Speed / 3.6), Heading: float32(l.Direction), Alarm: l.Alarm, Source: data.SourceJT808}
}

// ParseLocation reads a 0x0200 body.
func ParseLocation(b []byte) (Location, error) {
	var l Location
	if len(b) < locationLen {
		return l, fmt.Errorf("location of %d bytes: %w", len(b), ErrShort)
	}
	be := binary.BigEndian
	l.Alarm, l.Status = be.Uint32(b), be.Uint32(b[4:])
	l.Lat, l.Lon = float64(be.Uint32(b[8:]))/1e6, float64(be.Uint32(b[12:]))/1e6
	if l.Status&StatusSouth != 0 {
		l.Lat = -l.Lat
	}
	if l.Status&StatusWest != 0 {
		l.Lon = -l.Lon
	}
	l.Altitude, l.Speed, l.Direction = int(int16(be.Uint16(b[16:]))), float64(be.Uint16(b[18:]))/10, int(be.Uint16(b[20:]))
	t, err := parseBCDTime(b[22:28])
	switch {
	case err == nil:
		l.Time = t
	case l.Positioned():
		return l, fmt.Errorf("location time: %w", err)
	}
	// A report without a fix may carry no readable time (a terminal with neither a fix nor a
	// clock writes zeros): it is acknowledged and not stored, and must not spoil a batch.
	for p := b[locationLen:]; len(p) > 0; {
		if len(p) < 2 || len(p) < 2+int(p[1]) {
			return l, fmt.Errorf("location item: %w", ErrShort)
		}
		n := int(p[1])
		l.Extra = append(l.Extra, Item{ID: p[0], Value: p[2 : 2+n]})
		p = p[2+n:]
	}
	return l, nil
}

// AppendLocation appends l as a 0x0200 body (terminal simulators and tests write it). The
// hemisphere bits of the status follow the signs of Lat and Lon.
func AppendLocation(dst []byte, l *Location) ([]byte, error) {
	status := l.Status &^ (StatusSouth | StatusWest)
	lat, lon := l.Lat, l.Lon
	if lat < 0 {
		status, lat = status|StatusSouth, -lat
	}
	if lon < 0 {
		status, lon = status|StatusWest, -lon
	}
	be := binary.BigEndian
	dst = be.AppendUint32(dst, l.Alarm)
	dst = be.AppendUint32(dst, status)
	dst = be.AppendUint32(dst, uint32(lat*1e6+0.5))
	dst = be.AppendUint32(dst, uint32(lon*1e6+0.5))
	dst = be.AppendUint16(dst, uint16(int16(l.Altitude)))
	dst = be.AppendUint16(dst, uint16(l.Speed*10+0.5))
	dst = be.AppendUint16(dst, uint16(l.Direction))
	dst, err := appendBCDTime(dst, l.Time)
	if err != nil {
		return dst, err
	}
	for _, it := range l.Extra {
		if len(it.Value) > 255 {
			return dst, fmt.Errorf("item 0x%02x: %w", it.ID, ErrTooLong)
		}
		dst = append(dst, it.ID, byte(len(it.Value)))
		dst = append(dst, it.Value...)
	}
	return dst, nil
}

// Batch is a batch upload (定位数据批量上传, 0x0704).
type Batch struct {
	// Blind marks a re-send of locations stored while the terminal had no network (type 1, 盲区
	// 补报): they arrive late and out of time order.
	Blind     bool
	Locations []Location
}

// ParseBatch reads a 0x0704 body: count WORD, type BYTE, then count × (length WORD, a 0x0200
// body). A count that disagrees with the items present is an error: the frame is damaged.
func ParseBatch(b []byte) (Batch, error) {
	var bt Batch
	if len(b) < 3 {
		return bt, fmt.Errorf("batch: %w", ErrShort)
	}
	n := int(binary.BigEndian.Uint16(b))
	bt.Blind = b[2] == 1
	p := b[3:]
	bt.Locations = make([]Location, 0, min(n, len(p)/(2+locationLen)))
	for i := 0; i < n; i++ {
		if len(p) < 2 {
			return bt, fmt.Errorf("batch item %d of %d: %w", i+1, n, ErrShort)
		}
		m := int(binary.BigEndian.Uint16(p))
		if len(p) < 2+m {
			return bt, fmt.Errorf("batch item %d of %d: %w", i+1, n, ErrShort)
		}
		l, err := ParseLocation(p[2 : 2+m])
		if err != nil {
			return bt, fmt.Errorf("batch item %d of %d: %w", i+1, n, err)
		}
		bt.Locations = append(bt.Locations, l)
		p = p[2+m:]
	}
	if len(p) > 0 {
		return bt, fmt.Errorf("batch: %d bytes after %d items: %w", len(p), n, ErrLength)
	}
	return bt, nil
}

// AppendBatch appends bt as a 0x0704 body.
func AppendBatch(dst []byte, bt *Batch) ([]byte, error) {
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(bt.Locations)))
	typ := byte(0)
	if bt.Blind {
		typ = 1
	}
	dst = append(dst, typ)
	for i := range bt.Locations {
		at := len(dst)
		dst = append(dst, 0, 0)
		var err error
		if dst, err = AppendLocation(dst, &bt.Locations[i]); err != nil {
			return dst, err
		}
		binary.BigEndian.PutUint16(dst[at:], uint16(len(dst)-at-2))
	}
	return dst, nil
}
