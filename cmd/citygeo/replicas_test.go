package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"citygeo/cmd/citygeo/internal/api"
	"citygeo/data"
	"citygeo/data/postgis"
	"citygeo/data/postgis/pgtest"
	"citygeo/data/sample"
	"citygeo/export"
)

// TestReplicasOnPostgres runs citygeo as a city would past one machine: three `serve` replicas
// on one PostgreSQL database, each a process of its own (this test binary as the citygeo
// command), with imports and activations from other processes. It checks the Done-when of
// scale-out: a new version is served by all three within 2 s; an event written on one is on the
// others within 1 s, tiles included; a SIGKILL of an importer mid-import leaves the replicas on
// the old version and the database consistent; a component edited on one is served by the
// others within 1 s; with the database gone, reads go on and writes
// answer 503, and once it is back the replicas catch up.
//
// The database is not stopped (the cluster is shared with every other test on the machine): the
// replicas reach it through a TCP proxy in this test, and "PostgreSQL down" is the proxy cut,
// its listener closed and every connection through it reset, as a crashed or unreachable server
// looks to a client.
func TestReplicasOnPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("process test; skipped in -short")
	}
	dsn := pgtest.Schema(t)
	ctx := context.Background()
	dir := t.TempDir()
	ds, err := sample.Generate(sample.Options{Grids: 500, Components: 5000, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	files, err := export.Write(ds, filepath.Join(dir, "city"), export.Options{})
	if err != nil {
		t.Fatal(err)
	}
	gis, dispatcher, device, authFile := replicaTokens(t, dir)

	// Version 1 from an importer process, before any replica runs.
	if out, err := citygeo("import", "-q", "--store", dsn).args(files...).CombinedOutput(); err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	db, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(ctx)
	v1 := activeVersion(t, db)

	px := startProxy(t, dsn)
	var reps []*replica
	for i := range 3 {
		reps = append(reps, startReplica(t, px.dsn(t, dsn), authFile, fmt.Sprintf("r%d", i)))
	}
	for _, r := range reps {
		t.Logf("replica %s serving version %d after %v", r.name, v1, r.started.Round(time.Millisecond))
	}
	allServe(t, reps, v1, time.Second)

	// A new version imported through replica 0 (an HTTP upload): the other two follow.
	start := time.Now()
	v2 := upload(t, reps[0], gis, files)
	took := allServe(t, reps, v2, 2*time.Second)
	t.Logf("version %d imported through %s: all three serve it %v after the upload returned (%v after it started)",
		v2, reps[0].name, took.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))

	// Version 1 activated again by another process (citygeo rollback): all three follow.
	start = time.Now()
	if out, err := citygeo("rollback", "--store", dsn, fmt.Sprint(v1)).CombinedOutput(); err != nil {
		t.Fatalf("rollback: %v\n%s", err, out)
	}
	took = allServe(t, reps, v1, 2*time.Second)
	t.Logf("version %d activated by citygeo rollback: all three serve it %v after the command returned (%v with the command)",
		v1, took.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))

	// An event written on one replica is on the others within 1 s, in GeoJSON and in tiles.
	p := ds.Grids[len(ds.Grids)/2].Polygon.Bound().Center()
	tile := maptile.At(p, 16)
	for _, r := range reps {
		if code := r.tile(t, tile); code != http.StatusNoContent {
			t.Fatalf("%s: events tile %v before any event = %d, want 204", r.name, tile, code)
		}
	}
	ev := map[string]any{"id": "R-0001", "lng": p[0], "lat": p[1], "class": "0501", "kind": "event"}
	if code, body := reps[1].post(t, "/v1/events", dispatcher, ev); code != http.StatusOK {
		t.Fatalf("create event on %s: %d %s", reps[1].name, code, body)
	}
	took = eventOn(t, []*replica{reps[0], reps[2]}, p, tile, true, time.Second)
	t.Logf("event created on %s: on the other two (GeoJSON and tile) after %v", reps[1].name, took.Round(time.Millisecond))
	if code, body := reps[2].post(t, "/v1/events", dispatcher, map[string]any{"id": "R-0001", "status": "closed"}); code != http.StatusOK {
		t.Fatalf("close event on %s: %d %s", reps[2].name, code, body)
	}
	took = eventOn(t, []*replica{reps[0], reps[1]}, p, tile, false, time.Second)
	t.Logf("event closed on %s: gone from the other two after %v", reps[2].name, took.Round(time.Millisecond))

	// A component edited on one replica is served by the others within 1 s: by id, in the
	// OGC API and in locate.
	comp := ds.Components[len(ds.Components)/2]
	took = editOn(t, reps[0], reps[1:], gis, comp.ID, time.Second)
	t.Logf("component edited on %s: served by the other two after %v", reps[0].name, took.Round(time.Millisecond))

	// A position posted to one replica is on the others' maps within 1 s.
	fixAt := time.Now().Add(-time.Second).Truncate(time.Millisecond)
	if code, body := reps[0].post(t, "/v1/positions", device, map[string]any{"crs": "cgcs2000", "fixes": []any{
		map[string]any{"device": "h-r1", "time": fixAt.Format(time.RFC3339Nano), "lng": p[0], "lat": p[1]}}}); code != http.StatusOK {
		t.Fatalf("post position on %s: %d %s", reps[0].name, code, body)
	}
	took = positionOn(t, reps[1:], dispatcher, "h-r1", fixAt, time.Second)
	t.Logf("position posted on %s: on the other two after %v", reps[0].name, took.Round(time.Millisecond))

	// Duty lists imported through one replica are served by the others once they look again.
	grid := ds.Grids[len(ds.Grids)/3]
	importDuty(t, reps[1], gis, map[string]string{
		"人员.csv":   "工号,姓名,岗位\nR1,复制甲,监督员\n",
		"责任分配.csv": fmt.Sprintf("编号,岗位,区域,人员\nA1,监督员,%s,R1\n", grid.Code),
	})
	took = dutyOn(t, []*replica{reps[0], reps[2]}, grid.Polygon.Bound().Center(), "R1", dutyFollowEvery+2*time.Second)
	t.Logf("duty lists imported on %s: served by the other two after %v", reps[1].name, took.Round(time.Millisecond))

	// SIGKILL of an importer in the middle of its transaction.
	killImport(t, ctx, db, dsn, files)
	time.Sleep(500 * time.Millisecond) // a wrongly sent notification would have been acted on by now
	allServe(t, reps, v1, 0)
	assertConsistent(t, ctx, dsn, []int64{v1, v2}, v1, ds)

	// The database gone: reads answer from memory, writes say 503 and change nothing.
	px.cut()
	for _, r := range reps {
		if code, body := r.get(t, fmt.Sprintf("/v1/locate?lng=%f&lat=%f", p[0], p[1])); code != http.StatusOK {
			t.Errorf("%s: locate with the database down = %d %s, want 200", r.name, code, body)
		}
	}
	allServe(t, reps, v1, 0)
	start = time.Now()
	ev["id"] = "R-0002"
	if code, body := reps[0].post(t, "/v1/events", dispatcher, ev); code != http.StatusServiceUnavailable {
		t.Errorf("create event with the database down = %d %s, want 503", code, body)
	}
	t.Logf("event write with the database down: 503 after %v", time.Since(start).Round(time.Millisecond))
	time.Sleep(1500 * time.Millisecond) // long enough for the followers to fail and back off

	// The database back: writes work again and every replica catches up on its own.
	px.restore(t)
	start = time.Now()
	for {
		code, body := reps[0].post(t, "/v1/events", dispatcher, ev)
		if code == http.StatusOK {
			break
		}
		if time.Since(start) > 10*time.Second {
			t.Fatalf("event write 10 s after the database came back: %d %s", code, body)
		}
		time.Sleep(50 * time.Millisecond)
	}
	took = eventOn(t, reps[1:], p, tile, true, 10*time.Second)
	t.Logf("database back: a write succeeded after %v; the event reached the other replicas %v later",
		time.Since(start).Round(time.Millisecond)-took.Round(time.Millisecond), took.Round(time.Millisecond))
	if out, err := citygeo("rollback", "--store", dsn, fmt.Sprint(v2)).CombinedOutput(); err != nil {
		t.Fatalf("rollback: %v\n%s", err, out)
	}
	took = allServe(t, reps, v2, 10*time.Second)
	t.Logf("database back: version %d activated, all three serve it after %v", v2, took.Round(time.Millisecond))
}

// replicaTokens writes an auth file with a gis, a dispatcher and a device token and returns them.
func replicaTokens(t *testing.T, dir string) (gis, dispatcher, device, path string) {
	t.Helper()
	cfg := api.AuthConfig{}
	for _, tok := range []struct {
		role api.Role
		dst  *string
	}{{api.RoleGIS, &gis}, {api.RoleDispatcher, &dispatcher}, {api.RoleDevice, &device}} {
		token, hash, err := api.NewToken()
		if err != nil {
			t.Fatal(err)
		}
		*tok.dst = token
		cfg.Tokens = append(cfg.Tokens, api.TokenHash{Name: string(tok.role), Role: tok.role, SHA256: hash})
	}
	b, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	path = filepath.Join(dir, "tokens.json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return gis, dispatcher, device, path
}

// replica is one `citygeo serve` process.
type replica struct {
	name    string
	base    string // http://127.0.0.1:port
	cmd     *exec.Cmd
	started time.Duration // from exec to ready
	log     *bytes.Buffer
}

// startReplica runs `citygeo serve` on a free loopback port and waits for /readyz. The process is
// ended (SIGTERM, then SIGKILL) when the test ends, and its log shown if the test failed.
func startReplica(t *testing.T, dsn, authFile, name string) *replica {
	t.Helper()
	return startReplicaArgs(t, name, "--store", dsn, "--auth", authFile)
}

// startReplicaArgs runs `citygeo serve` with args as startReplica does.
func startReplicaArgs(t *testing.T, name string, args ...string) *replica {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	r := &replica{name: name, base: "http://" + addr, log: &bytes.Buffer{}}
	r.cmd = citygeo("serve", "--addr", addr).args(args...).cmd()
	r.cmd.Stdout, r.cmd.Stderr = r.log, r.log
	start := time.Now()
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { r.cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		r.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			r.cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("log of replica %s:\n%s", name, r.log)
		}
	})
	for time.Since(start) < 60*time.Second {
		select {
		case <-exited:
			t.Fatalf("replica %s exited: %s", name, r.log)
		default:
		}
		if resp, err := http.Get(r.base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				r.started = time.Since(start)
				return r
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("replica %s not ready after 60 s: %s", name, r.log)
	return nil
}

func (r *replica) do(t *testing.T, req *http.Request) (int, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s on %s: %v", req.Method, req.URL.Path, r.name, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func (r *replica) get(t *testing.T, path string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, r.base+path, nil)
	return r.do(t, req)
}

func (r *replica) post(t *testing.T, path, token string, body any) (int, []byte) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, r.base+path, bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	return r.do(t, req)
}

// version returns the version the replica answers from.
func (r *replica) version(t *testing.T) int64 {
	t.Helper()
	code, b := r.get(t, "/v1/info")
	var info struct{ Version int64 }
	if code != http.StatusOK || json.Unmarshal(b, &info) != nil {
		t.Fatalf("%s: /v1/info = %d %s", r.name, code, b)
	}
	return info.Version
}

// tile returns the status of the replica's events tile.
func (r *replica) tile(t *testing.T, tl maptile.Tile) int {
	t.Helper()
	code, _ := r.get(t, fmt.Sprintf("/tiles/events/%d/%d/%d.mvt", tl.Z, tl.X, tl.Y))
	return code
}

// openEvents returns how many open events the replica shows in a small box around p.
func (r *replica) openEvents(t *testing.T, p orb.Point) int {
	t.Helper()
	b := orb.Bound{Min: p, Max: p}.Pad(1e-4)
	code, body := r.get(t, fmt.Sprintf("/v1/events?bbox=%f,%f,%f,%f", b.Min[0], b.Min[1], b.Max[0], b.Max[1]))
	var fc struct{ Features []json.RawMessage }
	if code != http.StatusOK || json.Unmarshal(body, &fc) != nil {
		t.Fatalf("%s: /v1/events = %d %s", r.name, code, body)
	}
	return len(fc.Features)
}

// allServe waits until every replica answers from version v and returns how long that took; it
// fails the test past within (0: they must already).
func allServe(t *testing.T, reps []*replica, v int64, within time.Duration) time.Duration {
	t.Helper()
	return until(t, within, fmt.Sprintf("every replica serves version %d", v), func() bool {
		for _, r := range reps {
			if r.version(t) != v {
				return false
			}
		}
		return true
	})
}

// eventOn waits until every replica shows (or no longer shows) one open event at p, in GeoJSON
// and in its events tile, and returns how long that took.
func eventOn(t *testing.T, reps []*replica, p orb.Point, tl maptile.Tile, open bool, within time.Duration) time.Duration {
	t.Helper()
	want, wantTile := 0, http.StatusNoContent
	if open {
		want, wantTile = 1, http.StatusOK
	}
	return until(t, within, fmt.Sprintf("%d open event(s) shown at %v on the other replicas", want, p), func() bool {
		for _, r := range reps {
			if r.openEvents(t, p) != want || r.tile(t, tl) != wantTile {
				return false
			}
		}
		return true
	})
}

// editOn marks component id lost through r (GET for its ETag, PUT with If-Match) and waits until
// every one of others serves it so by id and as an OGC API item; it returns how long that took
// after the PUT returned and fails past within.
func editOn(t *testing.T, r *replica, others []*replica, gis, id string, within time.Duration) time.Duration {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, r.base+"/v1/components/"+id, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var feat map[string]any
	err = json.NewDecoder(resp.Body).Decode(&feat)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: GET component %s = %d, %v", r.name, id, resp.StatusCode, err)
	}
	feat["properties"].(map[string]any)["status"] = "丢失"
	b, _ := json.Marshal(feat)
	req, _ = http.NewRequest(http.MethodPut, r.base+"/v1/components/"+id+"?reason=replica", bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+gis)
	req.Header.Set("If-Match", resp.Header.Get("ETag"))
	if code, body := r.do(t, req); code != http.StatusOK {
		t.Fatalf("%s: PUT component %s = %d %s", r.name, id, code, body)
	}
	lost := func(o *replica, path string) bool {
		code, body := o.get(t, path)
		var f struct{ Properties struct{ Status string } }
		return code == http.StatusOK && json.Unmarshal(body, &f) == nil && f.Properties.Status == "丢失"
	}
	return until(t, within, fmt.Sprintf("component %s edited on %s served lost by the others", id, r.name), func() bool {
		for _, o := range others {
			if !lost(o, "/v1/components/"+id) || !lost(o, "/ogc/collections/components/items/"+id+"?f=json") {
				return false
			}
		}
		return true
	})
}

// until polls cond every 10 ms and returns the time it took to hold; it fails past within.
func until(t *testing.T, within time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > within {
			t.Fatalf("not within %v: %s", within, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return time.Since(start)
}

// upload imports files through the replica's POST /v1/datasets and returns the new version.
func upload(t *testing.T, r *replica, token string, files []string) int64 {
	t.Helper()
	code, b := uploadTo(t, r, "/v1/datasets", token, files)
	var done struct {
		Version int64
		Served  bool
	}
	if code != http.StatusCreated || json.Unmarshal(b, &done) != nil || !done.Served {
		t.Fatalf("upload to %s: %d %s", r.name, code, b)
	}
	return done.Version
}

// uploadTo posts files as a dataset upload to path and returns the answer.
func uploadTo(t *testing.T, r *replica, path, token string, files []string) (int, []byte) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, f := range files {
		w, err := mw.CreateFormFile("file", filepath.Base(f))
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(b)
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, r.base+path, &body)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return r.do(t, req)
}

// positionOn waits until every replica shows device's latest position at the fix time at and
// returns how long it took.
func positionOn(t *testing.T, reps []*replica, token, device string, at time.Time, within time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	for _, r := range reps {
		for {
			req, _ := http.NewRequest(http.MethodGet, r.base+"/v1/positions", nil)
			req.Header.Set("Authorization", "Bearer "+token)
			code, b := r.do(t, req)
			var fc struct {
				Features []struct {
					Properties struct {
						Device string    `json:"device"`
						Time   time.Time `json:"time"`
					} `json:"properties"`
				} `json:"features"`
			}
			found := false
			if code == http.StatusOK && json.Unmarshal(b, &fc) == nil {
				for _, f := range fc.Features {
					found = found || (f.Properties.Device == device && f.Properties.Time.Equal(at))
				}
			}
			if found {
				break
			}
			if time.Since(start) > within {
				t.Fatalf("%s: no position of %s at %v after %v: %d %.300s", r.name, device, at, within, code, b)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	return time.Since(start)
}

// importDuty posts duty-list files to a replica's /v1/duty/import.
func importDuty(t *testing.T, r *replica, token string, files map[string]string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for name, content := range files {
		w, err := mw.CreateFormFile("file", name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(content))
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, r.base+"/v1/duty/import", &body)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if code, b := r.do(t, req); code != http.StatusOK || !bytes.Contains(b, []byte(`"saved":true`)) {
		t.Fatalf("duty import on %s: %d %s", r.name, code, b)
	}
}

// dutyOn waits until every replica names person as the 监督员 at p and returns how long it took.
func dutyOn(t *testing.T, reps []*replica, p orb.Point, person string, within time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	for _, r := range reps {
		for {
			code, b := r.get(t, fmt.Sprintf("/v1/duty?lng=%f&lat=%f&role=supervisor", p[0], p[1]))
			if code == http.StatusOK && bytes.Contains(b, []byte(`"id":"`+person+`"`)) {
				break
			}
			if time.Since(start) > within {
				t.Fatalf("%s: no %s on duty at %v %v after the import: %d %s", r.name, person, p, within, code, b)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	return time.Since(start)
}

func activeVersion(t *testing.T, db *pgx.Conn) int64 {
	t.Helper()
	var v int64
	if err := db.QueryRow(context.Background(), `SELECT version FROM active`).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// killImport starts `citygeo import` and SIGKILLs it in the middle of its transaction, once it
// has written (it has a transaction id: the version row is in) and is copying or attaching a
// layer's partition, then waits until the server has noticed and rolled it back.
func killImport(t *testing.T, ctx context.Context, db *pgx.Conn, dsn string, files []string) {
	t.Helper()
	u, _ := url.Parse(dsn)
	q := u.Query()
	app := "citygeo-killed-import"
	q.Set("application_name", app)
	u.RawQuery = q.Encode()
	cmd := citygeo("import", "-q", "--store", u.String()).args(files...).cmd()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	inTx := func() bool {
		var n int
		if err := db.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND backend_xid IS NOT NULL
			AND (query ILIKE 'copy%' OR query ILIKE 'alter table%')`, app).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n > 0
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	start := time.Now()
	for !inTx() {
		select {
		case err := <-exited:
			t.Fatalf("the import finished (%v) before it could be killed mid-transaction", err)
		default:
		}
		if time.Since(start) > 60*time.Second {
			cmd.Process.Kill()
			t.Fatal("the import never began its transaction")
		}
		time.Sleep(2 * time.Millisecond)
	}
	var query string
	db.QueryRow(ctx, `SELECT query FROM pg_stat_activity WHERE application_name = $1 AND backend_xid IS NOT NULL LIMIT 1`, app).Scan(&query)
	cmd.Process.Signal(syscall.SIGKILL)
	<-exited
	t.Logf("importer killed %v after its start, in its transaction at: %.60s", time.Since(start).Round(time.Millisecond), query)
	until(t, 10*time.Second, "the killed import's backend is gone", func() bool {
		var n int
		db.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE application_name = $1`, app).Scan(&n)
		return n == 0
	})
}

// assertConsistent checks the database holds exactly the versions want, with active the active
// one, each version's partitions and nothing else, and that active loads with ds's counts.
func assertConsistent(t *testing.T, ctx context.Context, dsn string, want []int64, active int64, ds *data.Dataset) {
	t.Helper()
	st, err := postgis.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	vs, err := st.Versions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	for _, v := range vs {
		got = append(got, v.Version)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("versions after the killed import = %v, want %v", got, want)
	}
	var parts []string
	rows, err := st.Pool().Query(ctx, `SELECT relname FROM pg_class WHERE relnamespace = current_schema()::regnamespace
		AND relkind = 'r' AND relname ~ '_v[0-9]+$' ORDER BY relname`)
	if err != nil {
		t.Fatal(err)
	}
	parts, err = pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range parts {
		ok := false
		for _, v := range want {
			ok = ok || strings.HasSuffix(p, fmt.Sprintf("_v%d", v))
		}
		if !ok {
			t.Errorf("table %s left behind by the killed import", p)
		}
	}
	if n := len(data.Layers) * len(want); len(parts) != n {
		t.Errorf("%d version partitions, want %d (%d layers × %d versions): %v", len(parts), n, len(data.Layers), len(want), parts)
	}
	if v, err := st.ActiveVersion(ctx); err != nil || v != active {
		t.Errorf("active version = %d, %v; want %d", v, err, active)
	}
	got1, err := st.Load(ctx, active)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range data.Layers {
		if got1.Count(l) != ds.Count(l) {
			t.Errorf("version %d %s: %d features, want %d", active, l, got1.Count(l), ds.Count(l))
		}
	}
}

// proxy forwards TCP connections from a loopback port to the database, and can be cut: its
// listener closed and every connection through it reset, as a server that died looks to a
// client.
type proxy struct {
	addr, target string
	mu           sync.Mutex
	ln           net.Listener
	conns        map[net.Conn]bool
}

func startProxy(t *testing.T, dsn string) *proxy {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	target := u.Host
	if u.Port() == "" {
		target += ":5432"
	}
	p := &proxy{target: target, conns: map[net.Conn]bool{}}
	p.listen(t, "127.0.0.1:0")
	t.Cleanup(p.cut)
	return p
}

// dsn is dsn with its host and port replaced by the proxy's.
func (p *proxy) dsn(t *testing.T, dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	u.Host = p.addr
	return u.String()
}

func (p *proxy) listen(t *testing.T, addr string) {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	p.mu.Lock()
	p.ln, p.addr = ln, ln.Addr().String()
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.forward(c)
		}
	}()
}

func (p *proxy) forward(c net.Conn) {
	d, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	if p.ln == nil { // cut meanwhile
		p.mu.Unlock()
		c.Close()
		d.Close()
		return
	}
	p.conns[c], p.conns[d] = true, true
	p.mu.Unlock()
	pipe := func(dst, src net.Conn) {
		io.Copy(dst, src)
		dst.Close()
		src.Close()
	}
	go pipe(d, c)
	pipe(c, d)
}

// cut closes the listener and resets every connection.
func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		if tc, ok := c.(*net.TCPConn); ok {
			tc.SetLinger(0) // RST, not FIN: the peer sees a reset connection
		}
		c.Close()
		delete(p.conns, c)
	}
}

// restore listens again on the same port.
func (p *proxy) restore(t *testing.T) { p.listen(t, p.addr) }
