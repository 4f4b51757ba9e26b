#!/usr/bin/env bash
# Cached vector-tile throughput over HTTP: citygeo serve pinned to core 0, the load generator
# (wrk if installed, else bench/load) pinned to core 1. Prints the machine, then req/s for a
# cached tile with gzip, and for revalidation (If-None-Match → 304).
#   bench/tiles/run.sh [seconds]
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-10}
addr=127.0.0.1:18097
go build -o /tmp/citygeo-bench ./cmd/citygeo
go build -o /tmp/citygeo-load ./bench/load
taskset -c 0 /tmp/citygeo-bench serve --addr "$addr" >/tmp/citygeo-bench.log 2>&1 &
pid=$!
trap 'kill $pid' EXIT
for _ in $(seq 50); do curl -sf "http://$addr/readyz" >/dev/null && break; sleep 0.2; done
# The middle z17 tile of the sample city.
url=$(curl -sf "http://$addr/tiles/city.json" | python3 -c '
import json, math, sys
tj = json.load(sys.stdin); lon, lat = tj["center"][0], tj["center"][1]; z = 17; n = 2 ** z
x = int((lon + 180) / 360 * n)
y = int((1 - math.log(math.tan(math.radians(lat)) + 1 / math.cos(math.radians(lat))) / math.pi) / 2 * n)
print(tj["tiles"][0].replace("{z}", str(z)).replace("{x}", str(x)).replace("{y}", str(y)))')
curl -sf -o /dev/null -H 'Accept-Encoding: gzip' "$url"
etag=$(curl -sf -D - -o /dev/null -H 'Accept-Encoding: gzip' "$url" | tr -d '\r' | awk 'tolower($1)=="etag:"{print $2}')
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "tile: $url"
# cpu prints the server's CPU seconds so far (utime+stime), to tell a saturated server from a
# saturated load generator on a shared machine.
cpu() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14+$15)/hz}' "/proc/$pid/stat"; }
run() {
  local name=$1; shift
  local c0 c1
  c0=$(cpu)
  if command -v wrk >/dev/null; then
    taskset -c 1 wrk -t1 -c64 -d"${secs}s" -H 'Accept-Encoding: gzip' "$@" "$url" | grep -E 'Requests/sec|Latency'
  else
    taskset -c 1 /tmp/citygeo-load -c 64 -d "${secs}s" -H 'Accept-Encoding: gzip' "$url"
  fi
  c1=$(cpu)
  echo "$name: server used $(echo "$c1 - $c0" | bc) CPU s of ${secs} s on core 0"
}
run "cached tile, 200 gzip"
if command -v wrk >/dev/null; then run "revalidation, 304" -H "If-None-Match: $etag"; fi
