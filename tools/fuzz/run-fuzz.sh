#!/usr/bin/env bash
# make fuzz: builds the libFuzzer targets with clang-14 and the sanitizers in BUILD_DIR
# (default build-fuzz), then runs each for SECONDS (default 180) on its committed corpus
# plus a working corpus, and fails on any crash, leak, timeout or violated property,
# printing the reproducer. Prints the executions per target and in all. ASAN_OPTIONS from
# the environment are added to the script's own (detect_leaks=1:abort_on_error=1).
#   tools/fuzz/run-fuzz.sh [--seconds N] [--build_dir DIR] [--only NAME] [--jobs N]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=180
build_dir=build-fuzz
only=""
jobs=$(nproc)
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --build_dir) build_dir="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    --jobs) jobs="$2"; shift 2 ;;
    *) echo "run-fuzz: unknown argument $1" >&2; exit 2 ;;
  esac
done

if [ ! -f "$build_dir/CMakeCache.txt" ]; then
  cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER=clang++-14 -DAGREEMENTS_FUZZ=ON >/dev/null
fi
cmake --build "$build_dir" -j "$jobs" --target fuzz_targets

work="$build_dir/fuzz-work"
mkdir -p "$work"
total=0
failed=()
printf '%-28s %14s %10s %s\n' target executions exec/s result
while read -r name corpus flags; do
  [ -z "$name" ] && continue
  [ -n "$only" ] && [ "$name" != "$only" ] && continue
  mkdir -p "$work/$name/corpus" "$work/$name/artifacts"
  log="$work/$name/log.txt"
  set +e
  ASAN_OPTIONS="detect_leaks=1:abort_on_error=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}" \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$build_dir/bin/$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    ${flags:-} -print_final_stats=1 -artifact_prefix="$work/$name/artifacts/" \
    "$work/$name/corpus" "$corpus" >"$log" 2>&1
  rc=$?
  set -e
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || echo 0)
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || echo 0)
  total=$((total + runs))
  if [ "$rc" -eq 0 ]; then
    printf '%-28s %14s %10s %s\n' "$name" "$runs" "$rate" ok
  else
    printf '%-28s %14s %10s %s\n' "$name" "$runs" "$rate" "FAILED (exit $rc)"
    failed+=("$name")
    grep -E 'ERROR|SUMMARY|violat|Test unit written' "$log" | head -20 || true
    for artifact in "$work/$name/artifacts"/*; do
      [ -f "$artifact" ] || continue
      echo "reproducer: $artifact (replay: $build_dir/bin/$name $artifact)"
      echo "  base64: $(base64 -w0 "$artifact" | cut -c1-400)"
    done
  fi
done <"$build_dir/fuzz-targets.txt"
echo "total executions: $total"
if [ ${#failed[@]} -gt 0 ]; then
  echo "run-fuzz: failed: ${failed[*]} (logs in $work/<target>/log.txt)" >&2
  exit 1
fi
