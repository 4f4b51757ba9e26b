package city_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDomainKnowsNoHTTP: no domain package may depend on gin or on net/http (DESIGN: the HTTP
// layer only binds, calls and renders). It asks the go tool for each package's dependencies.
func TestDomainKnowsNoHTTP(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool on PATH")
	}
	domain := []string{"citygeo/city", "citygeo/data", "citygeo/data/sqlite", "citygeo/data/sample", "citygeo/geo",
		"citygeo/gazetteer", "citygeo/tiles", "citygeo/tiles/pmtiles", "citygeo/import", "citygeo/dispatch", "citygeo/ogc",
		"citygeo/schema", "citygeo/export", "citygeo/data/postgis", "citygeo/field", "citygeo/jt808", "citygeo/duty", "citygeo/diff"}
	for _, pkg := range domain {
		out, err := exec.Command(goTool, "list", "-deps", pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %s: %v\n%s", pkg, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			if dep == "net/http" || strings.HasPrefix(dep, "github.com/gin-gonic/") {
				t.Errorf("%s depends on %s", pkg, dep)
			}
		}
	}
}

// TestImportsPointOneWay: cmd → domain packages → geo → data. data knows no other citygeo
// package and geo knows only data, so a change in a domain package never reaches the model.
func TestImportsPointOneWay(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool on PATH")
	}
	for pkg, allowed := range map[string][]string{
		"citygeo/data":        {"citygeo/data"},
		"citygeo/data/sqlite": {"citygeo/data", "citygeo/internal/"},
		"citygeo/geo":         {"citygeo/geo", "citygeo/data"},
	} {
		out, err := exec.Command(goTool, "list", "-deps", pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %s: %v\n%s", pkg, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			if !strings.HasPrefix(dep, "citygeo/") || dep == pkg {
				continue
			}
			ok := false
			for _, a := range allowed {
				ok = ok || dep == a || (strings.HasSuffix(a, "/") && strings.HasPrefix(dep, a))
			}
			if !ok {
				t.Errorf("%s imports %s", pkg, dep)
			}
		}
	}
}
