#!/usr/bin/env bash
# Runs the benchmark suite: the two external baselines measured on this machine in the same
# run (PostgreSQL event-store append via pgbench, RocksDB's db_bench synced fillseq), then
# agreements-bench with their figures, and collects every JSON line into one results file.
# agreements-bench measures the third baseline itself, as its first scenario: the stack
# baseline (agreements-stack-baseline, the registry's gRPC and RocksDB doing nothing but
# durable appends), right before the registry's own appends.
#
# Usage: run-suite.sh reduced|full [--build_dir DIR] [--results FILE] [--baseline_seconds N]
#                                  [--pg_clients N] [--] [agreements-bench args ...]
#   --build_dir DIR        where bin/agreements-bench is (default: build)
#   --results FILE         default: DIR/bench/results-<suite>.jsonl (overwritten)
#   --baseline_seconds N   length of each baseline (default: 20 reduced, 60 full)
#   --pg_clients N         pgbench clients (default: 64)
# Any other argument (or everything after --) is passed to agreements-bench unchanged.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"

if [ $# -lt 1 ]; then
  sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
suite="$1"
shift
case "$suite" in
  reduced) baseline_seconds=20 ;;
  full) baseline_seconds=60 ;;
  -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "run-suite: the suite must be 'reduced' or 'full', not '$suite'" >&2; exit 2 ;;
esac

build_dir=build
results=""
pg_clients=64
bench_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --build_dir) build_dir="$2"; shift 2 ;;
    --build_dir=*) build_dir="${1#*=}"; shift ;;
    --results) results="$2"; shift 2 ;;
    --results=*) results="${1#*=}"; shift ;;
    --baseline_seconds) baseline_seconds="$2"; shift 2 ;;
    --baseline_seconds=*) baseline_seconds="${1#*=}"; shift ;;
    --pg_clients) pg_clients="$2"; shift 2 ;;
    --pg_clients=*) pg_clients="${1#*=}"; shift ;;
    --) shift; bench_args+=("$@"); break ;;
    *) bench_args+=("$1"); shift ;;
  esac
done
results="${results:-$build_dir/bench/results-$suite.jsonl}"
bench="$build_dir/bin/agreements-bench"
for binary in "$bench" "$build_dir/bin/agreements-stack-baseline"; do
  if [ ! -x "$binary" ]; then
    echo "run-suite: $binary not found: run 'make build' first" >&2
    exit 1
  fi
done

mkdir -p "$(dirname "$results")"
: >"$results"
work="$(mktemp -d "$(dirname "$results")/.run-suite.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# json_number FILE KEY: the number after "KEY": in the one-line JSON in FILE.
json_number() {
  sed -n -E "s/.*\"$2\":(-?[0-9][0-9.eE+-]*).*/\\1/p" "$1" | head -n 1
}

start=$SECONDS
echo "=== [1/3] PostgreSQL baseline (${baseline_seconds} s, ${pg_clients} clients)"
"$here/postgres-baseline.sh" --duration "$baseline_seconds" --clients "$pg_clients" --out "$work/pg.json"
cat "$work/pg.json" >>"$results"
pg_events_per_s="$(json_number "$work/pg.json" events_per_s)"

echo "=== [2/3] RocksDB db_bench baseline (${baseline_seconds} s)"
"$here/dbbench-baseline.sh" --seconds "$baseline_seconds" --out "$work/dbbench.json"
cat "$work/dbbench.json" >>"$results"
dbbench_mb_per_s="$(json_number "$work/dbbench.json" mb_per_s)"

if [ -z "$pg_events_per_s" ] || [ -z "$dbbench_mb_per_s" ]; then
  echo "run-suite: could not read the baseline figures from $results" >&2
  exit 1
fi

echo "=== [3/3] agreements-bench --suite=$suite, the stack baseline first (baselines: postgresql $pg_events_per_s events/s, db_bench $dbbench_mb_per_s MB/s)"
"$bench" --suite="$suite" --pg_events_per_s="$pg_events_per_s" \
  --dbbench_mb_per_s="$dbbench_mb_per_s" --json_out="$work/bench.jsonl" "${bench_args[@]}"
if [ -s "$work/bench.jsonl" ]; then
  cat "$work/bench.jsonl" >>"$results"
  # Make sure the file ends with a newline, whatever the bench wrote.
  if [ -n "$(tail -c 1 "$results")" ]; then echo >>"$results"; fi
else
  echo "run-suite: WARNING: agreements-bench wrote nothing to --json_out" >&2
fi

echo "=== suite $suite done in $((SECONDS - start)) s: $(wc -l <"$results") JSON lines in $results"
