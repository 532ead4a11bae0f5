#!/bin/sh
# Benchmarks claimdb against PostgreSQL's own ceiling: sh bench/run.sh CLAIMDB_BIN [N]
# (`make bench [N=…]` builds an -O3 binary and calls this). The work is done by
# bench/bench.py; settings (BENCH_DURATION, BENCH_WARMUP, BENCH_ONLY, …) are
# described there and in bench/README.md.
set -eu
[ $# -ge 1 ] || { echo "usage: sh bench/run.sh CLAIMDB_BIN [N]" >&2; exit 2; }
here=$(dirname "$0")
for tool in wrk curl taskset psql; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing (sh scripts/deps.sh bench)" >&2; exit 1; }
done
exec /usr/bin/python3 "$here/bench.py" "$@"
