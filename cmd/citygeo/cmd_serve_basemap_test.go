package main

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"citygeo/tiles/basemap"
	"citygeo/tiles/basemap/basemaptest"

	"github.com/paulmach/orb"
)

// TestServeBasemap starts the binary with --basemap (and once with CITYGEO_BASEMAP) and reads
// the base map's TileJSON and WMTS capabilities from it; a file that is no archive stops serve
// with an error naming it.
func TestServeBasemap(t *testing.T) {
	if testing.Short() {
		t.Skip("process test; skipped in -short")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "base.mbtiles")
	basemaptest.MBTiles(t, path, basemaptest.Options{Format: basemap.PNG, Bound: orb.Bound{Min: orb.Point{114, 22.5}, Max: orb.Point{114.2, 22.6}}, MaxZoom: 6})
	for name, how := range map[string]func(*exec.Cmd){
		"flag": func(c *exec.Cmd) { c.Args = append(c.Args, "--basemap", path) },
		"env":  func(c *exec.Cmd) { c.Env = append(c.Env, "CITYGEO_BASEMAP="+path) },
	} {
		t.Run(name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "serve", "--addr", "127.0.0.1:0", "--log-format", "json")
			cmd.Env = append(os.Environ(), "CITYGEO_MAIN=1")
			how(cmd)
			stderr, err := cmd.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer func() { cmd.Process.Kill(); cmd.Wait() }()
			sc := bufio.NewScanner(stderr)
			addr := ""
			var logs []string
			for addr == "" && sc.Scan() {
				logs = append(logs, sc.Text())
				var l struct{ Msg, Addr string }
				if json.Unmarshal(sc.Bytes(), &l) == nil && l.Msg == "citygeo serving" {
					addr = l.Addr
				}
			}
			if addr == "" || !strings.Contains(strings.Join(logs, "\n"), `"msg":"base map"`) {
				t.Fatalf("serve did not start with a base map:\n%s", strings.Join(logs, "\n"))
			}
			go io.Copy(io.Discard, stderr)
			for _, u := range []string{"/basemap.json", "/wmts/1.0.0/WMTSCapabilities.xml"} {
				resp, err := http.Get(addr + u)
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 || !strings.Contains(string(b), "test basemap png") {
					t.Errorf("%s: %d %.200s", u, resp.StatusCode, b)
				}
			}
		})
	}
	junk := filepath.Join(dir, "junk.mbtiles")
	os.WriteFile(junk, []byte("no archive"), 0o644)
	out, err := citygeo("serve", "--addr", "127.0.0.1:0", "--basemap", junk).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "basemap") || !strings.Contains(string(out), "junk.mbtiles") {
		t.Errorf("serve with a junk base map: %v\n%s", err, out)
	}
}

// TestValidateCRSFileAndRepair: the CLI reads --crs local:FILE (and refuses a misspelt key in
// it), and --repair reports a repaired grid with its id and areas.
func TestValidateCRSFileAndRepair(t *testing.T) {
	dir := t.TempDir()
	crsFile := filepath.Join(dir, "city.yaml")
	os.WriteFile(crsFile, []byte("name: 测试\nbase: EPSG:4547\nplane: {de: 400000, dn: 2490000}\n"), 0o644)
	// Two components 1 km apart in the city grid (the plane moves EPSG:4547 by 400 km / 2490 km).
	csv := filepath.Join(dir, "components.csv")
	os.WriteFile(csv, []byte("X,Y,OBJID,OBJNAME\n112000,4200,4403030101000001,上水井盖\n113000,4200,4403030118000002,路灯\n"), 0o644)
	out, err := run(t, "validate", "-q", "--crs", "local:"+crsFile, csv)
	if err != nil && !strings.Contains(out, "local:测试") {
		t.Fatalf("validate --crs local: %v\n%s", err, out)
	}
	if !strings.Contains(out, "local:测试") || strings.Contains(out, "crs.area_of_use") || strings.Contains(out, "geometry.range") {
		t.Errorf("validate --crs local:FILE:\n%s", out)
	}
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("name: x\nbase: EPSG:4547\nplane: {de: 1, rotaton: 2}\n"), 0o644)
	if out, err := run(t, "validate", "-q", "--crs", "local:"+bad, csv); err == nil || !strings.Contains(out+err.Error(), "rotaton") {
		t.Errorf("a misspelt key is accepted: %v\n%s", err, out)
	}
	// A grid whose north-east corner has its two vertices swapped: an error, repaired on request.
	grids := filepath.Join(dir, "grids.geojson")
	os.WriteFile(grids, []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"BGID":"440303001001001"},
	  "geometry":{"type":"Polygon","coordinates":[[[114.1,22.55],[114.101,22.55],[114.10098,22.5509],[114.101,22.55088],[114.1,22.5509],[114.1,22.55]]]}}]}`), 0o644)
	if out, _ := run(t, "validate", "-q", grids); !strings.Contains(out, "geometry.invalid") || strings.Contains(out, "geometry.repaired") {
		t.Errorf("validate without --repair:\n%s", out)
	}
	if out, _ := run(t, "validate", "-q", "--repair", grids); !strings.Contains(out, "geometry.repaired") || strings.Contains(out, "geometry.invalid") ||
		!strings.Contains(out, "440303001001001") || !strings.Contains(out, "m² before") {
		t.Errorf("validate --repair:\n%s", out)
	}
}
