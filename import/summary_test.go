package importer_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	importer "citygeo/import"
)

// writeComponentsCSV writes n street lamps (class 0118) with the given MAJOR and MINOR column
// values and no status, the way a spreadsheet that read the class columns as numbers saves them.
func writeComponentsCSV(t *testing.T, n int, major, minor string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("X,Y,OBJID,OBJNAME,MAJOR,MINOR\n")
	for i := range n {
		fmt.Fprintf(&b, "%.7f,22.5501234,\"4403030118%06d\",路灯,%s,%s\n", 114.12+float64(i)*1e-5, i+1, major, minor)
	}
	path := filepath.Join(t.TempDir(), "components.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestClassColumnsWithoutZeros checks that class columns a spreadsheet turned into numbers
// (1 and 18, or 118 in one column, for 0118) read as the class the id says with a warning,
// while a class that really differs from the id's is still an error on every row.
func TestClassColumnsWithoutZeros(t *testing.T) {
	tests := map[string]struct {
		major, minor string
		wantErrors   int
		wantCheck    string
	}{
		"as written":          {"01", "18", 0, ""},
		"both lost zeros":     {"1", "18", 0, "component.class_zeros"},
		"one column":          {"", "118", 0, "component.class_zeros"},
		"another class":       {"2", "18", 5, "component.class_mismatch"},
		"another minor class": {"01", "8", 5, "component.class_mismatch"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			ds, rep, err := importer.Check(context.Background(), []string{writeComponentsCSV(t, 5, tc.major, tc.minor)}, smallCity(t), importer.Options{})
			if err != nil && tc.wantErrors == 0 {
				t.Fatalf("check: %v", err)
			}
			if rep.Errors != tc.wantErrors {
				t.Fatalf("%d errors (%v), want %d", rep.Errors, rep.Checks(), tc.wantErrors)
			}
			if tc.wantCheck != "" && !strings.Contains(strings.Join(rep.Checks(), " "), tc.wantCheck) {
				t.Errorf("checks %v, want %s", rep.Checks(), tc.wantCheck)
			}
			if tc.wantErrors == 0 {
				for _, c := range ds.Components[len(ds.Components)-5:] {
					if c.Major != "01" || c.Minor != "18" {
						t.Errorf("component %s: class %s%s, want 0118", c.ID, c.Major, c.Minor)
					}
				}
			}
		})
	}
}

// TestWarningsSummarised checks that a warning firing on every feature is listed
// MaxWarningsListed times and counted, in the report and in its summary.
func TestWarningsSummarised(t *testing.T) {
	n := importer.MaxWarningsListed + 15
	_, rep, err := importer.Check(context.Background(), []string{writeComponentsCSV(t, n, "1", "18")}, smallCity(t), importer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	listed := 0
	for _, f := range rep.Findings {
		if f.Check == "component.class_zeros" {
			listed++
		}
	}
	if listed != importer.MaxWarningsListed || rep.Omitted["component.class_zeros"] != 15 {
		t.Errorf("class_zeros: %d listed, %d omitted; want %d and 15", listed, rep.Omitted["component.class_zeros"], importer.MaxWarningsListed)
	}
	if rep.Warnings < n {
		t.Errorf("%d warnings counted, want at least %d", rep.Warnings, n)
	}
	var b strings.Builder
	if err := rep.WriteSummary(&b, 3); err != nil {
		t.Fatal(err)
	}
	counted := false
	for _, line := range strings.Split(b.String(), "\n") {
		if f := strings.Fields(line); len(f) == 3 && f[1] == "component.class_zeros" && f[2] == fmt.Sprint(n) {
			counted = true
		}
	}
	if !counted || !strings.Contains(b.String(), fmt.Sprintf("… %d more", n-3)) {
		t.Errorf("summary does not count every class_zeros warning:\n%s", b.String())
	}
}
