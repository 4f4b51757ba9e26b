package api_test

import (
	"encoding/json"
	"image"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"citygeo/tiles/basemap"
	"citygeo/tiles/basemap/basemaptest"
	"citygeo/web/webtest"
)

// TestBasemapInChromium loads the wall page of a server with a base map in real Chromium with
// the network off (web/test/basemap.mjs) and checks the base map is drawn: a raster MBTiles
// base map's tiles come from the server and its colour fills the screen where hiding the layer
// removes it; a vector PMTiles base map renders features. Nothing is requested elsewhere.
func TestBasemapInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("headless Chromium: run without -short")
	}
	webtest.Need(t, "playwright-core")
	chromium := os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := os.Stat(chromium); err != nil {
		t.Skip("chromium not installed (apt-get install -y chromium)")
	}
	dist := filepath.Join(webtest.Root(t), "web", "dist")
	if _, err := os.Stat(filepath.Join(dist, "vendor", "maplibre-gl", "maplibre-gl.mjs")); err != nil {
		t.Skip("web assets not built (cd web && npm ci && npm run build)")
	}
	tests := []struct {
		name   string
		write  func(testing.TB, string, basemaptest.Options)
		format basemap.Format
	}{
		{"raster.mbtiles", basemaptest.MBTiles, basemap.PNG},
		{"vector.pmtiles", basemaptest.PMTiles, basemap.PBF},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ts, _ := basemapServer(t, tc.format, tc.write, 0.05, dist)
			shotDir := os.Getenv("CITYGEO_SCREENSHOT_DIR")
			if shotDir == "" {
				shotDir = t.TempDir()
			}
			var got struct {
				Layers        []string
				Tiles         map[string]int
				Rendered      int
				Blocked       []string
				Errors        []string
				Shown, Hidden string
			}
			out := webtest.Node(t, 3*time.Minute, "basemap.mjs", ts.URL, filepath.Join(shotDir, "basemap-"+strings.TrimSuffix(tc.name, filepath.Ext(tc.name))+".png"))
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			if len(got.Errors) > 0 || len(got.Blocked) > 0 {
				t.Errorf("page errors %v; requests that would have left the server %v", got.Errors, got.Blocked)
			}
			served := 0
			for u, status := range got.Tiles {
				if status == 200 && strings.HasPrefix(u, "/basemap/") {
					served++
				}
			}
			if len(got.Layers) == 0 || served == 0 {
				t.Fatalf("base map layers %v, %d tiles served: %v", got.Layers, served, got.Tiles)
			}
			if tc.format == basemap.PBF {
				if got.Rendered == 0 {
					t.Errorf("the vector base map rendered no features (layers %v)", got.Layers)
				}
				t.Logf("%d base map tiles served, %d features rendered", served, got.Rendered)
				return
			}
			shown, hidden := magentaShare(t, got.Shown), magentaShare(t, got.Hidden)
			t.Logf("%d base map tiles served; base map colour in %.0f%% of the map, %.1f%% with the layer hidden (%s)", served, 100*shown, 100*hidden, got.Shown)
			if shown < 0.5 || hidden > 0.05 {
				t.Errorf("base map colour covers %.2f of the map shown, %.2f hidden; want most and almost none", shown, hidden)
			}
		})
	}
}

// magentaShare is the share of a screenshot's pixels in the base map's colour (magenta, as
// blended under the wall's translucent city fills).
func magentaShare(t *testing.T, path string) float64 {
	t.Helper()
	img := decodePNG(t, path)
	b := img.Bounds()
	n := 0
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			if isMagenta(img, x, y) {
				n++
			}
		}
	}
	return float64(n) / float64((b.Dx()/2)*(b.Dy()/2))
}

func isMagenta(img image.Image, x, y int) bool {
	r, g, b, _ := img.At(x, y).RGBA()
	r, g, b = r>>8, g>>8, b>>8
	return r > 70 && b > 70 && 2*g < r && 2*g < b
}
