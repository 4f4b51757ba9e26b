package mvtcheck_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"citygeo/tiles/mvtcheck"
)

// fixturesDir finds the npm @mapbox/mvt-fixtures suite: $MVT_FIXTURES, or web/node_modules
// under the module root (installed by `cd web && npm ci`).
func fixturesDir(t *testing.T) string {
	if d := os.Getenv("MVT_FIXTURES"); d != "" {
		return d
	}
	dir, _ := os.Getwd()
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("module root not found")
		}
		dir = parent
	}
	d := filepath.Join(dir, "web", "node_modules", "@mapbox", "mvt-fixtures", "fixtures")
	if _, err := os.Stat(d); err != nil {
		t.Skip("mvt-fixtures not installed (cd web && npm ci)")
	}
	return d
}

// knownContradictions lists fixtures whose verdict contradicts another fixture with the same
// bytes where it matters. 057 ("valid") and 051 ("fatal") carry the same MoveTo with count
// 2^29-1 followed by a single pair: we side with 051, a count the stream cannot satisfy is fatal.
// 016 ("valid", type UNKNOWN) is byte-identical to 003 ("recoverable", type missing), because
// proto2 does not write a default 0: we side with 003 and report a missing type.
var knownContradictions = map[string]string{
	"057": "same command stream as fatal fixture 051",
	"016": "byte-identical to recoverable fixture 003",
}

func TestFixtures(t *testing.T) {
	dir := fixturesDir(t)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		name := e.Name()
		t.Run(name, func(t *testing.T) {
			var info struct {
				Description string
				Validity    struct {
					V2    bool   `json:"v2"`
					Error string `json:"error"`
				}
			}
			raw, err := os.ReadFile(filepath.Join(dir, name, "info.json"))
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(raw, &info); err != nil {
				t.Fatal(err)
			}
			tile, err := os.ReadFile(filepath.Join(dir, name, "tile.mvt"))
			if err != nil {
				t.Fatal(err)
			}
			_, probs := mvtcheck.Check(tile, mvtcheck.Spec)
			if why, ok := knownContradictions[name]; ok {
				// Hold the contradiction to account: we must give the partner's verdict.
				if !mvtcheck.Fatal(probs) && name == "057" || len(probs) == 0 {
					t.Errorf("fixture %s (%s): want the partner's verdict, got %v", name, why, probs)
				}
				return
			}
			n++
			switch {
			case info.Validity.V2 && len(probs) > 0:
				t.Errorf("valid fixture (%s) rejected: %v", info.Description, probs)
			case !info.Validity.V2 && len(probs) == 0:
				t.Errorf("invalid fixture (%s) accepted", info.Description)
			case !info.Validity.V2 && info.Validity.Error == "fatal" && !mvtcheck.Fatal(probs):
				t.Errorf("fatal fixture (%s) only got recoverable problems: %v", info.Description, probs)
			}
		})
	}
	if n < 60 {
		t.Errorf("checked only %d fixtures", n)
	}
}
