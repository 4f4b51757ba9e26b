#!/usr/bin/env bash
# Start to ready: seconds from exec of `citygeo serve --store STORE` to the first 200 from
# /readyz, and the server's RSS then. Run it on an idle machine, interleaving the binaries
# compared (a busy machine stretches loading several times).
#
#   bench/ready.sh ./citygeo /tmp/big.db
#   bench/ready.sh ./citygeo 'postgres://…?search_path=perf_big,public'
set -euo pipefail
bin=$1 store=$2 addr=${ADDR:-127.0.0.1:18080}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
start=$(date +%s%N)
"$bin" serve --store "$store" --addr "$addr" --log-level warn >"$log" 2>&1 &
pid=$!
until curl -sf -o /dev/null "http://$addr/readyz"; do
  sleep 0.1
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "citygeo serve exited before it was ready:" >&2
    tail -5 "$log" >&2
    exit 1
  fi
done
end=$(date +%s%N)
rss=$(awk '/VmRSS/ { print $2 }' "/proc/$pid/status")
kill "$pid"
wait "$pid" 2>/dev/null || true
printf '%s ready in %d.%d s, RSS %d MB\n' "$(basename "$bin")" $(((end - start) / 1000000000)) $(((end - start) / 100000000 % 10)) $((rss / 1024))
