# citygeo — the two commands a fresh clone needs are `make run` and `make test`.
GO ?= go
VENDOR := web/dist/vendor/maplibre-gl/VERSION
# The build's commit and time for `citygeo version` and /v1/info, from git when there is one
# (-ldflags, because a GOFLAGS=-buildvcs=false environment drops the toolchain's own record).
BUILDINFO := citygeo/cmd/citygeo/internal/buildinfo
LDFLAGS := -X $(BUILDINFO).Commit=$(shell git rev-parse HEAD 2>/dev/null) -X $(BUILDINFO).Date=$(shell git log -1 --format=%cI 2>/dev/null)

OPENAPI_LINT := tools/openapi/node_modules/.bin/redocly
# Flags for `make run`: make run ARGS='--addr 0.0.0.0:8080 --auth tokens.json --store city.db'
ARGS ?=

.PHONY: run test vet web build openapi-lint soak fuzz bench

run: web ## serve the built-in sample city on http://127.0.0.1:8080 (the page at / needs npm once)
	@echo "citygeo: compiling and starting (the first run downloads Go modules and compiles for a few minutes; later runs start in seconds)"
	$(GO) run ./cmd/citygeo serve $(ARGS)

build: web
	$(GO) build -ldflags '$(LDFLAGS)' -o citygeo ./cmd/citygeo

# The page assets (MapLibre GL from npm) are embedded into the binary at compile time. Without
# npm the server still builds and serves the API, and the page says how to build them.
web: $(VENDOR)

$(VENDOR): web/package.json web/package-lock.json web/build.mjs
	@if command -v npm >/dev/null 2>&1; then \
	  (cd web && npm ci --no-audit --no-fund && npm run build) || echo "web: npm failed; the API works, the wall page will ask for its assets"; \
	else echo "web: npm not found; the API works, the wall page will ask for its assets (see web/dist/README.md)"; fi

# Redocly's OpenAPI linter, for TestOpenAPILint; without npm that test is skipped (outside CI).
openapi-lint: $(OPENAPI_LINT)

$(OPENAPI_LINT): tools/openapi/package.json tools/openapi/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  (cd tools/openapi && npm ci --no-audit --no-fund) || echo "openapi-lint: npm failed; TestOpenAPILint will be skipped"; \
	else echo "openapi-lint: npm not found; TestOpenAPILint will be skipped"; fi

# staticcheck at a pinned version, fetched through the Go module proxy like every dependency.
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

vet:
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

# The long soak (CI runs it for one minute): 80 % of the measured maximum on loopback, zero
# errors, RSS flat within 10 %. SOAK=30m for longer.
SOAK ?= 10m
soak:
	CITYGEO_SOAK=$(SOAK) $(GO) test -count=1 -run TestSoak -v -timeout 0 ./cmd/citygeo

# The side-by-side harness of issue 18 in full: the 100,000-grid city against PostGIS (and Tile38
# with BENCH_ARGS='-tile38 PATH'); report and plots in $TMPDIR/citygeo-side-100000/report.
CITYGEO_TEST_POSTGRES ?= postgres://citygeo:citygeo@127.0.0.1:5432/citygeo_test?sslmode=disable
BENCH_ARGS ?=
bench:
	$(GO) run ./bench/side -postgres '$(CITYGEO_TEST_POSTGRES)' $(BENCH_ARGS)

# The fuzz campaign: every Fuzz target of the module in turn for FUZZTIME each, shrinking capped at
# FUZZMINIMIZE so slow readers get real coverage; prints executions per target (tools/fuzz).
FUZZTIME ?= 5m
FUZZMINIMIZE ?= 5s
fuzz:
	tools/fuzz $(FUZZTIME) $(FUZZMINIMIZE)

test: web openapi-lint vet ## everything CI runs
	@echo "citygeo: vet and tests (the first run downloads Go modules and compiles for a few minutes)"
	$(GO) test -count=1 ./...
	@echo "citygeo: the data package under the race detector (its registries and arenas are shared by loads)"
	$(GO) test -race -count=1 ./data/
