package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"citygeo/data/sample"
)

// TestDutyCommand: `citygeo duty` checks lists against the sample city, prints the coverage
// and writes the lists it accepted; a double claim exits 1 naming the row.
func TestDutyCommand(t *testing.T) {
	dir := t.TempDir()
	ds, err := sample.Generate(sample.Options{})
	if err != nil {
		t.Fatal(err)
	}
	lists := filepath.Join(dir, "roster.json")
	if err := saveDuty(lists, sample.Roster(ds, sample.RosterOptions{})); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "checked.json")
	got, err := run(t, "duty", "--out", out, lists)
	if err != nil || !strings.Contains(got, `"roads_without_segment": []`) {
		t.Fatalf("citygeo duty: %v\n%.500s", err, got)
	}
	saved, err := loadSavedDuty(out)
	if err != nil || len(saved.Segments) == 0 {
		t.Fatalf("written lists: %v", err)
	}
	grid := ds.Grids[0].Code
	csv := filepath.Join(dir, "assignments.csv")
	os.WriteFile(filepath.Join(dir, "people.csv"), []byte("id,name\nP1,甲\nP2,乙\n"), 0o644)
	os.WriteFile(csv, []byte("id,post,area,person\nA1,supervisor,"+grid+",P1\nA2,supervisor,"+grid+",P2\n"), 0o644)
	got, err = run(t, "duty", filepath.Join(dir, "people.csv"), csv)
	if exitCode(err) != 1 || !strings.Contains(got, "assignments.csv row 3 (A2): post") {
		t.Errorf("double claim: exit %d, printed\n%s", exitCode(err), got)
	}
}
