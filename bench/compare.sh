#!/usr/bin/env bash
# compare.sh BASE_REV [ROUNDS [HEAD_REV]] — the closing-note benchmarks (locate, nearest, geocode,
# tile, dispatch, 1M import) on BASE_REV and HEAD_REV (default HEAD), each in a detached worktree
# of its own so that work going on in this checkout does not change what is measured,
# interleaved round by round so both see the same machine load, then benchstat's table of the
# two. Ratios from one run of this are the ones to quote.
#   bench/compare.sh e59f4c4 3
# Needs benchstat (go install golang.org/x/perf/cmd/benchstat@latest). CITYGEO_BENCH_QUICK=1
# drops the 1M import and the 1M-address geocoder (minutes each) for a short check.
set -euo pipefail
base_rev=${1:?usage: bench/compare.sh BASE_REV [ROUNDS]}
rounds=${2:-3}
head_rev=${3:-HEAD}
repo=$(cd "$(dirname "$0")/.." && pwd)
out=${CITYGEO_BENCH_OUT:-$(mktemp -d)}
base="$out/base-tree"
head="$out/head-tree"
[ -d "$base" ] || git -C "$repo" worktree add -q --detach "$base" "$base_rev"
[ -d "$head" ] || git -C "$repo" worktree add -q --detach "$head" "$(git -C "$repo" rev-parse "$head_rev")"
benches=(
  "./geo/ -bench ^(BenchmarkLocate|BenchmarkNearestClass|BenchmarkNearestAny5)$ -benchtime 2s"
  "./tiles/ -bench ^BenchmarkGridsZ15$ -benchtime 500x"
  "./dispatch/ -bench ^(BenchmarkResolve|BenchmarkDuplicates)$ -benchtime 100000x"
)
if [ -z "${CITYGEO_BENCH_QUICK:-}" ]; then
  benches+=("./gazetteer/ -bench ^(BenchmarkGeocode|BenchmarkReverse)$ -benchtime 50000x")
  benches+=("./cmd/citygeo -bench ^BenchmarkImport1M$ -benchtime 1x")
fi
for r in $(seq "$rounds"); do
  for side in base head; do
    dir=$head; [ "$side" = base ] && dir=$base
    for b in "${benches[@]}"; do
      # shellcheck disable=SC2086
      (cd "$dir" && go test -run '^$' $b -benchmem -count 1) >> "$out/$side.txt" 2>&1 || { echo "failed: $side $b" >&2; tail -20 "$out/$side.txt" >&2; exit 1; }
    done
    echo "round $r $side done ($(uptime | sed 's/.*load average/load/'))" >&2
  done
done
benchstat "$out/base.txt" "$out/head.txt" | tee "$out/compare.txt"
echo "raw results in $out" >&2
