package fieldsim_test

import (
	"sync"
	"testing"

	"citygeo/data"
	"citygeo/data/sample"
	"citygeo/field"
	"citygeo/field/fieldsim"
)

var network = sync.OnceValues(func() (*field.Network, error) {
	ds, err := sample.Generate(sample.Options{})
	if err != nil {
		return nil, err
	}
	return field.NewNetwork(ds.Roads), nil
})

func TestNetworkOfTheSample(t *testing.T) {
	net, err := network()
	if err != nil {
		t.Fatal(err)
	}
	var short, total float64
	for _, s := range net.Segments {
		total += s.Length
		if s.Length < 2*field.DefaultTolerance {
			short++
		}
	}
	t.Logf("%d segments, %d nodes, mean %.0f m, %.0f%% shorter than %v m", len(net.Segments), len(net.Nodes),
		total/float64(len(net.Segments)), 100*short/float64(len(net.Segments)), 2*field.DefaultTolerance)
}

// TestCoverageAgreesWithTruth: coverage from a generated day's tracks (noise, gaps, breaks)
// agrees with what the walkers really did on at least 95 % of (patroller, segment) pairs.
func TestCoverageAgreesWithTruth(t *testing.T) {
	net, err := network()
	if err != nil {
		t.Fatal(err)
	}
	day, err := fieldsim.Generate(net, fieldsim.Options{Patrollers: 30, Hours: 3, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	computed := map[string]map[int]int{}
	for _, d := range day.Devices {
		if d.Kind == data.DevicePerson {
			computed[d.ID] = net.Passes(day.Tracks[d.ID], field.CoverageOptions{})
		}
	}
	agree, pairs := fieldsim.Agreement(day.Truth, computed)
	t.Logf("%d fixes; coverage agrees with the truth on %d of %d (patroller, segment) pairs (%.1f%%)", day.Fixes(), agree, pairs, 100*float64(agree)/float64(pairs))
	if float64(agree) < 0.95*float64(pairs) {
		t.Errorf("agreement %.1f%%, want ≥ 95%%", 100*float64(agree)/float64(pairs))
	}
}
