package api_test

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"citygeo/city"
	"citygeo/cmd/citygeo/internal/api"
	"citygeo/geo"
	"citygeo/tiles/basemap"
	"citygeo/tiles/basemap/basemaptest"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// basemapServer serves the sample city with a base map written by write over its bounds (padded
// by pad degrees), zooms 8 to 12, and the map page's files from webDir ("" for the embedded ones).
func basemapServer(t *testing.T, format basemap.Format, write func(testing.TB, string, basemaptest.Options), pad float64, webDir string) (*httptest.Server, basemaptest.Options) {
	t.Helper()
	ds, err := sampleOnce()
	if err != nil {
		t.Fatal(err)
	}
	o := basemaptest.Options{Format: format, Bound: ds.Bound().Pad(pad), MinZoom: 8, MaxZoom: 12}
	path := filepath.Join(t.TempDir(), "base")
	write(t, path, o)
	m, err := basemap.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	snap, err := city.Build(ds, city.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := api.New(api.Options{Logger: quietLog, Basemap: m, WebDir: webDir})
	srv.Swap(snap)
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return ts, o
}

// decodePNG reads a PNG file.
func decodePNG(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func getURL(t *testing.T, url string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func TestBasemapRoutes(t *testing.T) {
	srv, _ := newSampleServer(t)
	for _, path := range []string{"/basemap.json", "/basemap/8/1/1", "/wmts/1.0.0/WMTSCapabilities.xml"} {
		if code, body := do(t, srv.Handler(), "GET", path, nil); code != http.StatusNotFound || !strings.Contains(body["error"].(map[string]any)["message"].(string), "--basemap") {
			t.Errorf("%s without a base map: %d %v", path, code, body)
		}
	}
	code, st := do(t, srv.Handler(), "GET", "/styles/wall.json", nil)
	if _, has := st["sources"].(map[string]any)["basemap"]; code != 200 || has {
		t.Errorf("wall style without a base map: %d, basemap source %v", code, has)
	}

	for _, format := range []basemap.Format{basemap.PNG, basemap.PBF} {
		t.Run(string(format), func(t *testing.T) {
			ts, o := basemapServer(t, format, basemaptest.MBTiles, 0, "")
			resp, b := getURL(t, ts.URL+"/basemap.json")
			if resp.StatusCode != 200 || !bytes.Contains(b, []byte(`"tiles":["`+ts.URL+`/basemap/{z}/{x}/{y}"]`)) {
				t.Fatalf("tilejson %d %s", resp.StatusCode, b)
			}
			tl := o.Tiles()[len(o.Tiles())-1]
			resp, b = getURL(t, ts.URL+"/basemap/"+basemapTile(tl))
			want := basemaptest.Tile(t, format, tl)
			if format == basemap.PBF {
				// net/http undoes the Content-Encoding it asked for.
				if resp.Header.Get("Content-Type") != "application/vnd.mapbox-vector-tile" || !resp.Uncompressed {
					t.Errorf("vector tile headers %v", resp.Header)
				}
			} else if !bytes.Equal(b, want) || resp.Header.Get("Content-Type") != "image/png" {
				t.Errorf("tile %v: %d %s, %d bytes", tl, resp.StatusCode, resp.Header.Get("Content-Type"), len(b))
			}
			for path, status := range map[string]int{"/basemap/3/1/1": 404, "/basemap/12/0/0": 404, "/basemap/12/x/0": 400, "/basemap/" + basemapTile(tl) + ".png": 200} {
				if resp, _ := getURL(t, ts.URL+path); resp.StatusCode != status {
					t.Errorf("%s: %d, want %d", path, resp.StatusCode, status)
				}
			}
			for _, variant := range []string{"wall", "desk"} {
				resp, b = getURL(t, ts.URL+"/styles/"+variant+".json")
				if resp.StatusCode != 200 || !bytes.Contains(b, []byte(`"basemap":{`)) || !bytes.Contains(b, []byte(ts.URL+"/basemap.json")) {
					t.Errorf("%s style: %d %.300s", variant, resp.StatusCode, b)
				}
			}
		})
	}
}

func basemapTile(t maptile.Tile) string { return fmt.Sprintf("%d/%d/%d", t.Z, t.X, t.Y) }

// TestWMTSInGDAL: GDAL's WMTS driver opens the capabilities document the server writes and
// reads base map pixels through it.
func TestWMTSInGDAL(t *testing.T) {
	for _, tool := range []string{"gdalinfo", "gdal_translate"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed (apt-get install gdal-bin)", tool)
		}
	}
	ts, o := basemapServer(t, basemap.PNG, basemaptest.MBTiles, 0, "")
	src := "WMTS:" + ts.URL + "/wmts/1.0.0/WMTSCapabilities.xml"
	// GDAL's WMS/WMTS drivers cache tiles in ./gdalwmscache unless told not to.
	noCache := []string{"--config", "GDAL_ENABLE_WMS_CACHE", "NO"}
	info := gdal(t, "gdalinfo", append(noCache, src)...)
	// GDAL clips the layer to its WGS84BoundingBox, at the deepest zoom (12): some 235 × 172 pixels.
	if !strings.Contains(info, "Driver: WMTS") || !strings.Contains(info, "Pseudo-Mercator") || !strings.Contains(info, "ColorInterp=Alpha") {
		t.Fatalf("gdalinfo: %s", info)
	}
	// A window inside the base map's bounds, read at the archive's deepest zoom.
	c := o.Bound.Center()
	lo := geo.FromCGCS2000(orb.Point{c[0] - 0.01, c[1] - 0.01}, geo.WebMercator)
	hi := geo.FromCGCS2000(orb.Point{c[0] + 0.01, c[1] + 0.01}, geo.WebMercator)
	out := filepath.Join(t.TempDir(), "window.png")
	gdal(t, "gdal_translate", append(noCache, "-q", "-of", "PNG", "-projwin", fmt.Sprint(lo[0]), fmt.Sprint(hi[1]), fmt.Sprint(hi[0]), fmt.Sprint(lo[1]), src, out)...)
	img := decodePNG(t, out)
	b := img.Bounds()
	r, g, bl, _ := img.At(b.Dx()/2+3, b.Dy()/2+3).RGBA()
	if want := basemaptest.Color; uint8(r>>8) != want.R || uint8(g>>8) != want.G || uint8(bl>>8) != want.B {
		t.Errorf("pixel read through WMTS = %d,%d,%d; want the base map's %v", r>>8, g>>8, bl>>8, want)
	}
}
