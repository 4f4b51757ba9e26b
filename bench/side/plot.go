package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// writePlots draws throughput and latency against the connection count, one panel per
// measure, and the memory of each system, as PNGs in dir, and returns their file names.
func writePlots(dir string, r *Results) ([]string, error) {
	var names []string
	for _, measured := range measureOrder {
		for _, m := range r.Measures {
			if m.Name == measured {
				names = append(names, measured)
				break
			}
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("nothing measured")
	}
	var conns []int
	for _, m := range r.Measures {
		if m.Name == names[0] && m.System == sysCitygeo {
			conns = append(conns, m.Conns)
		}
	}
	thr := func(m Measure) float64 { return m.Rate() }
	files := []string{"throughput.png", "latency.png", "memory.png"}
	if err := panels(filepath.Join(dir, files[0]), names, conns, r, "answers/s", false, map[string]func(Measure) float64{"": thr}); err != nil {
		return nil, err
	}
	ms := func(d time.Duration) float64 { return max(float64(d)/float64(time.Millisecond), 1e-3) }
	if err := panels(filepath.Join(dir, files[1]), names, conns, r, "latency, ms (log)", true, map[string]func(Measure) float64{
		" p50": func(m Measure) float64 { return ms(m.P50) },
		" p99": func(m Measure) float64 { return ms(m.P99) },
	}); err != nil {
		return nil, err
	}
	if err := memoryPlot(filepath.Join(dir, files[2]), r); err != nil {
		return nil, err
	}
	return files, nil
}

// panels draws one panel per measure, a line per system (and per series of values), the
// connection counts evenly spaced on x.
func panels(path string, names []string, conns []int, r *Results, ylabel string, logY bool, series map[string]func(Measure) float64) error {
	const cols = 3
	rows := (len(names) + cols - 1) / cols
	grid := make([][]*plot.Plot, rows)
	for i := range grid {
		grid[i] = make([]*plot.Plot, cols)
	}
	ticks := make([]plot.Tick, len(conns))
	for i, n := range conns {
		ticks[i] = plot.Tick{Value: float64(i), Label: strconv.Itoa(n)}
	}
	for i, name := range names {
		p := plot.New()
		p.Title.Text = name
		p.Title.TextStyle.Font.Size = vg.Points(9)
		p.X.Label.Text = "connections"
		p.Y.Label.Text = ylabel
		p.X.Tick.Marker = plot.ConstantTicks(ticks)
		p.X.Min, p.X.Max = -0.2, float64(len(conns)-1)+0.2
		if logY {
			p.Y.Scale = plot.LogScale{}
			p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
		} else {
			p.Y.Min = 0
		}
		p.Legend.Top = true
		p.Legend.TextStyle.Font.Size = vg.Points(7)
		for si, sys := range []string{sysCitygeo, sysEmpty, sysPostGIS, sysTile38} {
			for _, suffix := range []string{"", " p50", " p99"} {
				value, ok := series[suffix]
				if !ok {
					continue
				}
				var pts plotter.XYs
				for ci, n := range conns {
					if m, ok := r.find(name, sys, n); ok {
						pts = append(pts, plotter.XY{X: float64(ci), Y: value(m)})
					}
				}
				if len(pts) == 0 {
					continue
				}
				l, s, err := plotter.NewLinePoints(pts)
				if err != nil {
					return err
				}
				l.Color, s.Color = plotutil.Color(si), plotutil.Color(si)
				if suffix == " p99" {
					l.Dashes = []vg.Length{vg.Points(4), vg.Points(2)}
					s.Shape = draw.TriangleGlyph{}
				}
				p.Add(l, s)
				p.Legend.Add(sys+suffix, l, s)
			}
		}
		grid[i/cols][i%cols] = p
	}
	img := vgimg.New(vg.Length(cols)*10*vg.Centimeter, vg.Length(rows)*8*vg.Centimeter)
	canvases := plot.Align(grid, draw.Tiles{Rows: rows, Cols: cols, PadX: vg.Centimeter, PadY: vg.Centimeter,
		PadTop: vg.Millimeter * 3, PadBottom: vg.Millimeter * 3, PadLeft: vg.Millimeter * 3, PadRight: vg.Millimeter * 3}, draw.New(img))
	for j := range grid {
		for i, p := range grid[j] {
			if p != nil {
				p.Draw(canvases[j][i])
			}
		}
	}
	return savePNG(path, img)
}

// memoryPlot draws each system's memory: citygeo's import peak, RSS when ready and after the
// runs; Tile38's RSS; PostgreSQL's tables on disk (its memory is its shared buffers, not
// this city's).
func memoryPlot(path string, r *Results) error {
	var labels []string
	var values plotter.Values
	add := func(label string, b int64) {
		labels = append(labels, label)
		values = append(values, float64(b)/(1<<20))
	}
	add("citygeo import peak", r.Citygeo.LoadPeakRSS)
	add("citygeo ready", r.Citygeo.RSSReady)
	add("citygeo after runs", r.Citygeo.RSSAfter)
	if r.Tile38.Ran {
		add("Tile38 ready", r.Tile38.RSSReady)
		add("Tile38 after runs", r.Tile38.RSSAfter)
	}
	if r.PostGIS.Ran {
		add("PostGIS on disk", r.PostGIS.DiskBytes)
	}
	p := plot.New()
	p.Title.Text = fmt.Sprintf("memory, %d grids and %d components", r.City.Grids, r.City.Components)
	p.Y.Label.Text = "MB"
	bars, err := plotter.NewBarChart(values, vg.Centimeter)
	if err != nil {
		return err
	}
	bars.Color = plotutil.Color(0)
	p.Add(bars)
	p.NominalX(labels...)
	p.X.Tick.Label.Font.Size = vg.Points(7)
	img := vgimg.New(vg.Length(len(labels))*3*vg.Centimeter, 9*vg.Centimeter)
	p.Draw(draw.New(img))
	return savePNG(path, img)
}

func savePNG(path string, img *vgimg.Canvas) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
