package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/gomodule/redigo/redis"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"citygeo/data/sqlite"
)

// The Tile38 side: grids as GeoJSON objects in the collection "grids", components in one
// collection per class ("comp:0101"), so that the nearest of a class is a NEARBY on its
// collection, asked over RESP (redigo) one command per request. Run only with -tile38; no
// Tile38 binary is shipped with citygeo.
const (
	t38Grids    = "grids"
	t38CompPref = "comp:"
	t38Pipeline = 1000 // commands sent before their replies are read while loading
	t38Loaders  = 4    // connections loading at once
	// t38TileLimit lifts the 100-object default of a search for a tile's grids.
	t38TileLimit = 1_000_000
)

// runTile38 starts the tile38-server binary c.Tile38 on an empty data directory, loads the
// city citygeo imported (read from its store) and times it, restarts it to time the start
// from its append-only file, checks its answers and measures it.
func runTile38(ctx context.Context, c *Config, pin pinning, city *City, res *Results) error {
	st, err := sqlite.Open(ctx, filepath.Join(c.Work, "citygeo.db"))
	if err != nil {
		return err
	}
	v, err := st.ActiveVersion(ctx)
	if err != nil {
		st.Close()
		return err
	}
	ds, err := st.Load(ctx, v)
	st.Close()
	if err != nil {
		return err
	}
	dir := filepath.Join(c.Work, "tile38-data")
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	host, port, _ := net.SplitHostPort(addr)
	startServer := func() (*server, time.Duration, error) {
		t0 := time.Now()
		srv, err := start(pin.command(ctx, c.Tile38, "-h", host, "-p", port, "-d", dir), filepath.Join(c.Work, "tile38.log"))
		if err != nil {
			return nil, 0, err
		}
		for {
			conn, err := redis.Dial("tcp", addr, redis.DialConnectTimeout(time.Second))
			if err == nil {
				_, err = conn.Do("PING")
				conn.Close()
				if err == nil {
					return srv, time.Since(t0), nil
				}
			}
			select {
			case err := <-srv.exited:
				return nil, 0, fmt.Errorf("tile38-server exited: %v (log in %s)", err, srv.log.Name())
			case <-time.After(20 * time.Millisecond):
			}
			if time.Since(t0) > 15*time.Minute {
				srv.stop()
				return nil, 0, fmt.Errorf("tile38-server not answering after 15 minutes")
			}
		}
	}
	srv, _, err := startServer()
	if err != nil {
		return err
	}
	sys := &res.Tile38
	sys.Ran = true
	c.Log("Tile38: loading %d grids and %d components", len(ds.Grids), len(ds.Components))
	cmds := make(chan []any, t38Pipeline)
	t0 := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, t38Loaders)
	for range t38Loaders {
		wg.Go(func() {
			if err := loadTile38(addr, cmds); err != nil {
				errs <- err
				for range cmds { // so that the sender never waits on a loader gone
				}
			}
		})
	}
	for _, g := range ds.Grids {
		cmds <- []any{t38Grids, g.Code, "OBJECT", geoJSON(g.Polygon)}
	}
	for _, comp := range ds.Components {
		if p, ok := comp.Geometry.(orb.Point); ok {
			cmds <- []any{t38CompPref + comp.Class(), comp.ID, "POINT", p[1], p[0]}
		} else {
			cmds <- []any{t38CompPref + comp.Class(), comp.ID, "OBJECT", geoJSON(comp.Geometry)}
		}
	}
	close(cmds)
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		srv.stop()
		return fmt.Errorf("loading: %w", err)
	}
	sys.LoadSeconds = time.Since(t0).Seconds()
	sys.LoadHow = fmt.Sprintf("SET over %d pipelined RESP connections from this process (grids as GeoJSON objects, point components as POINT, a collection per class) into its append-only file; peak RSS is the server's", t38Loaders)
	_, sys.LoadPeakRSS, _ = rss(srv.pid())
	srv.stop()
	ds = nil

	// A restart reads the append-only file back: Tile38's start to ready.
	srv, ready, err := startServer()
	if err != nil {
		return err
	}
	defer srv.stop()
	sys.ReadySeconds = ready.Seconds()
	if sys.RSSReady, _, err = rss(srv.pid()); err != nil {
		return err
	}
	c.Log("Tile38 loaded in %.1f s, restarted in %.1f s, RSS %s", sys.LoadSeconds, sys.ReadySeconds, mb(sys.RSSReady))

	check, err := redis.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer check.Close()
	for i, p := range city.Points[:min(len(city.Points), checkPoints)] {
		var a answer
		if a.Grid, err = firstID(check.Do("INTERSECTS", t38Grids, "LIMIT", 1, "IDS", "POINT", p[1], p[0])); err != nil {
			return fmt.Errorf("INTERSECTS: %w", err)
		}
		if a.Nearest, err = firstID(check.Do("NEARBY", t38CompPref+city.Classes[i%len(city.Classes)], "LIMIT", 1, "IDS", "POINT", p[1], p[0])); err != nil {
			return fmt.Errorf("NEARBY: %w", err)
		}
		sys.Answers = append(sys.Answers, a)
	}
	// Versions of Tile38 that draw Mapbox Vector Tiles answer INTERSECTS … MVT x y z with
	// [cursor, tile] (its code, internal/server/scanner.go); a search stops at 100 objects
	// unless given a LIMIT.
	mvt := true
	for _, t := range city.Tiles {
		b, err := mvtTile(check.Do("INTERSECTS", t38Grids, "LIMIT", t38TileLimit, "MVT", t.X, t.Y, t.Z))
		if err != nil {
			res.note("Tile38 tiles not measured: INTERSECTS grids MVT answered " + err.Error())
			mvt = false
			break
		}
		sys.Tiles.add(len(b))
	}

	pool := func(cmd func(seq int) (string, []any)) setup {
		return func(n int) (workload, error) {
			p := &redis.Pool{MaxIdle: n, MaxActive: n, Wait: true, Dial: func() (redis.Conn, error) { return redis.Dial("tcp", addr) }}
			do := func(_ context.Context, seq int) error {
				conn := p.Get()
				defer conn.Close()
				name, args := cmd(seq)
				_, err := conn.Do(name, args...)
				return err
			}
			return workload{do: do, done: func() { p.Close() }, cpu: processCPU(srv.pid())}, nil
		}
	}
	steps := []struct {
		name string
		cmd  func(int) (string, []any)
	}{
		{mGrid, func(i int) (string, []any) {
			p := city.Points[i%len(city.Points)]
			return "INTERSECTS", []any{t38Grids, "LIMIT", 1, "IDS", "POINT", p[1], p[0]}
		}},
		{mNearest, func(i int) (string, []any) {
			p := city.Points[i%len(city.Points)]
			return "NEARBY", []any{t38CompPref + city.Classes[i%len(city.Points)%len(city.Classes)], "LIMIT", 1, "IDS", "POINT", p[1], p[0]}
		}},
	}
	if mvt {
		steps = append(steps, struct {
			name string
			cmd  func(int) (string, []any)
		}{mTile, func(i int) (string, []any) {
			t := city.Tiles[i%len(city.Tiles)]
			return "INTERSECTS", []any{t38Grids, "LIMIT", t38TileLimit, "MVT", t.X, t.Y, t.Z}
		}})
	}
	for _, s := range steps {
		if err := measure(ctx, c, res, s.name, sysTile38, 1, pool(s.cmd), nil); err != nil {
			return err
		}
	}
	if sys.RSSAfter, sys.RSSPeak, err = rss(srv.pid()); err != nil {
		return err
	}
	sys.CPUSeconds = cpuSeconds(srv.pid())
	return nil
}

// loadTile38 sends the SET commands it receives over one connection, t38Pipeline at a time,
// and checks every reply.
func loadTile38(addr string, cmds <-chan []any) error {
	conn, err := redis.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	pending := 0
	flush := func() error {
		if err := conn.Flush(); err != nil {
			return err
		}
		for ; pending > 0; pending-- {
			if _, err := conn.Receive(); err != nil {
				return err
			}
		}
		return nil
	}
	for args := range cmds {
		if err := conn.Send("SET", args...); err != nil {
			return err
		}
		if pending++; pending == t38Pipeline {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// firstID reads the first id of a search answered with IDS: [cursor, [id …]].
func firstID(reply any, err error) (string, error) {
	vs, err := redis.Values(reply, err)
	if err != nil {
		return "", err
	}
	if len(vs) < 2 {
		return "", fmt.Errorf("answer of %d values, want a cursor and ids", len(vs))
	}
	ids, err := redis.Strings(vs[1], nil)
	if err != nil || len(ids) == 0 {
		return "", err
	}
	return ids[0], nil
}

// mvtTile reads the tile of a search answered with MVT: [cursor, tile].
func mvtTile(reply any, err error) ([]byte, error) {
	vs, err := redis.Values(reply, err)
	if err != nil {
		return nil, err
	}
	if len(vs) < 2 {
		return nil, fmt.Errorf("answer of %d values, want a cursor and a tile", len(vs))
	}
	return redis.Bytes(vs[1], nil)
}

func geoJSON(g orb.Geometry) string {
	b, err := geojson.NewGeometry(g).MarshalJSON()
	if err != nil {
		panic(err) // orb geometries always marshal
	}
	return string(b)
}
