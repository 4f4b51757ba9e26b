# citygeo — the two commands a fresh clone needs are `make run` and `make test`.
GO ?= go

.PHONY: run test vet web build

run: ## serve the built-in sample city on http://127.0.0.1:8080
	$(GO) run ./cmd/citygeo serve

build:
	$(GO) build -o citygeo ./cmd/citygeo

web: ## build the wall-screen page assets (needs node/npm; the API works without them)
	@if [ -f web/package.json ] && command -v npm >/dev/null 2>&1; then cd web && npm ci --no-audit --no-fund && npm run build; \
	else echo "web: npm or web/package.json absent; skipping the page assets"; fi

vet:
	$(GO) vet ./...

test: web vet ## everything CI runs
	$(GO) test -count=1 ./...
