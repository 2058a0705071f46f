#!/usr/bin/env bash
# Baseline: RocksDB's own db_bench (Debian rocksdb-tools, same RocksDB 7.8 as the server links)
# writing sequential keys in synced WriteBatches, the raw cost of what the committer does:
#   fillseq --sync=1 --batch_size=100 --value_size=1024 --key_size=16 --disable_wal=0 --threads=1
# on a temp db dir under ${TMPDIR:-/tmp}, deleted at the end (also on error or Ctrl-C).
# Runs for --seconds (fillseq ignores db_bench's own --duration, so the run is stopped then and
# db_bench's cumulative interval report is used), or writes exactly --num keys.
#
# Compression: snappy by default, because the server opens RocksDB with the library default
# (rocksdb::Options::compression = kSnappyCompression); db_bench's values are generated to
# compress to --compression_ratio 0.5. Only SST files are compressed, never the WAL.
#
# Prints a human table, then ONE JSON line on stdout:
#   {"baseline":"db_bench","mb_per_s":...,"ops_per_s":...,"batch_size":100,"value_size":1024,"sync":true,"version":"..."}
#
# Usage: dbbench-baseline.sh [--seconds N] [--num N] [--batch_size N] [--value_size N]
#                            [--compression snappy|none|lz4|zstd] [--dir PARENT] [--out FILE]
set -euo pipefail

seconds=20
num=0
batch_size=100
value_size=1024
key_size=16
compression=snappy
parent="${TMPDIR:-/tmp}"
out=""

usage() { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --seconds=*) seconds="${1#*=}"; shift ;;
    --num) num="$2"; shift 2 ;;
    --num=*) num="${1#*=}"; shift ;;
    --batch_size) batch_size="$2"; shift 2 ;;
    --batch_size=*) batch_size="${1#*=}"; shift ;;
    --value_size) value_size="$2"; shift 2 ;;
    --value_size=*) value_size="${1#*=}"; shift ;;
    --compression) compression="$2"; shift 2 ;;
    --compression=*) compression="${1#*=}"; shift ;;
    --dir) parent="$2"; shift 2 ;;
    --dir=*) parent="${1#*=}"; shift ;;
    --out) out="$2"; shift 2 ;;
    --out=*) out="${1#*=}"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "dbbench-baseline: unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done
for v in seconds num batch_size value_size; do
  if ! [[ "${!v}" =~ ^[0-9]+$ ]]; then
    echo "dbbench-baseline: --$v must be a non-negative integer" >&2
    exit 2
  fi
done
if [ "$batch_size" -lt 1 ] || [ "$value_size" -lt 1 ] || { [ "$num" -eq 0 ] && [ "$seconds" -lt 1 ]; }; then
  echo "dbbench-baseline: need --batch_size >= 1, --value_size >= 1, and --seconds >= 1 or --num >= 1" >&2
  exit 2
fi
if [ -n "$out" ] && [[ "$out" != /* ]]; then out="$PWD/$out"; fi

# --- install what is missing (no apt-get at all when rocksdb-tools is there) -------------
if ! dpkg-query -W -f='${Status}' rocksdb-tools 2>/dev/null | grep -q 'install ok installed'; then
  echo "dbbench-baseline: installing rocksdb-tools" >&2
  sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends rocksdb-tools >&2
fi
db_bench=""
for c in /usr/bin/db_bench /usr/bin/rocksdb_db_bench; do
  if [ -x "$c" ]; then db_bench="$c"; break; fi
done
if [ -z "$db_bench" ]; then
  echo "dbbench-baseline: db_bench not found (dpkg -L rocksdb-tools)" >&2
  exit 1
fi
version="$("$db_bench" --version 2>&1 | sed -n 's/.*version \([0-9][0-9.]*\).*/\1/p' | head -n 1)"

mkdir -p "$parent"
tmp="$(mktemp -d "$parent/dbbench-baseline.XXXXXX")"
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  rm -rf "$tmp"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
fstype="$(stat -f -c %T "$tmp")"
if [ "$fstype" = tmpfs ]; then
  echo "dbbench-baseline: WARNING: $tmp is on tmpfs: fsync costs nothing there" >&2
fi

# "fillseq      :       6.245 micros/op 160062 ops/sec 0.125 seconds 20000 operations;  158.8 MB/s"
# (ops are keys, i.e. Puts; a synced Write carries --batch_size of them).
final="$tmp/run.log"
limit=()
bounded=""
if [ "$num" -eq 0 ]; then
  # Time-bounded: db_bench's fillseq ignores --duration (only random writes honour it), and a
  # calibrated --num is unreliable on disks that burst then throttle. So: a --num larger than
  # can finish (capped at a third of the free space), stopped after --seconds; the figures are
  # db_bench's own cumulative interval report (--stats_interval_seconds=1) at that moment.
  avail="$(df -P -B1 "$tmp" | awk 'NR == 2 { print $4 }')"
  num="$(awk -v a="$avail" -v e="$((key_size + value_size))" -v b="$batch_size" \
    'BEGIN { n = int(a / 3 / e / b) * b; if (n > 1000000000) n = 1000000000; if (n < b) n = b; printf "%d", n }')"
  limit=(timeout -s INT -k 30 "$((seconds + 1))")
  bounded=" for ${seconds} s"
fi

echo "dbbench-baseline: db_bench $version fillseq --sync=1 --batch_size=$batch_size --value_size=$value_size --num=$num$bounded ..." >&2
set +e
# db_bench writes its interval reports (and progress) to stderr, the rest to stdout: line-buffer
# stdout so that its header survives the stop.
"${limit[@]}" stdbuf -oL "$db_bench" --benchmarks=fillseq --db="$tmp/db" --use_existing_db=0 \
  --sync=1 --disable_wal=0 --batch_size="$batch_size" --value_size="$value_size" \
  --key_size="$key_size" --num="$num" --threads=1 --compression_type="$compression" \
  --histogram=0 --stats_interval_seconds=1 >"$final" 2>"$tmp/run.err"
rc=$?
set -e
rm -rf "$tmp/db"
line="$(grep -E '^fillseq +:' "$final" | tail -n 1 || true)"
if [ $rc -eq 0 ] && [ -n "$line" ]; then
  measured="final"  # ran to completion: db_bench's own result line
  micros="$(echo "$line" | sed -n -E 's|.* ([0-9.]+) micros/op.*|\1|p')"
  ops="$(echo "$line" | sed -n -E 's|.* ([0-9.]+) ops/sec.*|\1|p')"
  secs="$(echo "$line" | sed -n -E 's|.* ([0-9.]+) seconds.*|\1|p')"
  done_ops="$(echo "$line" | sed -n -E 's|.* ([0-9]+) operations;.*|\1|p')"
  mbs="$(echo "$line" | sed -n -E 's|.* ([0-9.]+) MB/s.*|\1|p')"
elif [ ${#limit[@]} -gt 0 ] && [ $rc -eq 124 ]; then
  measured="interval"  # stopped at --seconds: the last cumulative interval report
  # "... thread 0: (28000,205000) ops and (27999.9,50493.3) ops/second in (1.000003,4.059945) seconds"
  iv="$(grep -E 'thread 0: \([0-9]+,[0-9]+\) ops and' "$tmp/run.err" | tail -n 1 |
    sed -n -E 's|.*\(([0-9]+),([0-9]+)\) ops and \(([0-9.]+),([0-9.]+)\) ops/second in \(([0-9.]+),([0-9.]+)\) seconds.*|\2 \4 \6|p')"
  read -r done_ops ops secs <<<"$iv" || true
  if [ -n "${secs:-}" ]; then
    # Same units as db_bench's own MB/s: (key + value) bytes per op, MiB.
    mbs="$(awk -v o="$ops" -v e="$((key_size + value_size))" 'BEGIN { printf "%.1f", o * e / 1048576 }')"
    micros="$(awk -v o="$ops" 'BEGIN { printf "%.3f", (o > 0 ? 1000000 / o : 0) }')"
    ops="$(awk -v o="$ops" 'BEGIN { printf "%d", o + 0.5 }')"
  fi
else
  echo "dbbench-baseline: db_bench failed (exit $rc):" >&2
  tail -n 20 "$final" >&2
  tr '\r' '\n' <"$tmp/run.err" | tail -n 20 >&2
  exit 1
fi
if [ -z "${ops:-}" ] || [ -z "${mbs:-}" ] || [ -z "${secs:-}" ]; then
  echo "dbbench-baseline: could not parse db_bench output:" >&2
  cat "$final" >&2
  exit 1
fi
comp_line="$(sed -n 's/^Compression: *//p' "$final" | head -n 1)"
values_line="$(sed -n 's/^Values: *//p' "$final" | head -n 1)"
batches="$(awk -v o="$ops" -v b="$batch_size" 'BEGIN { printf "%.1f", o / b }')"
assertions="no"
if grep -q 'Assertions are enabled' "$final"; then assertions="yes"; fi

echo
echo "RocksDB db_bench baseline (fillseq, synced WAL, one WriteBatch of $batch_size per sync)"
printf '  %-24s %s\n' \
  "db_bench" "$db_bench, RocksDB $version (assertions enabled: $assertions)" \
  "flags" "--sync=1 --disable_wal=0 --batch_size=$batch_size --threads=1 --key_size=$key_size --value_size=$value_size" \
  "compression" "$compression ($comp_line; values: $values_line)" \
  "db dir" "$tmp/db ($fstype)" \
  "keys written" "$done_ops (of --num=$num; result: $measured)" \
  "seconds" "$secs" \
  "ops/s (keys)" "$ops" \
  "synced batches/s" "$batches" \
  "micros/op" "$micros" \
  "MB/s" "$mbs"
echo

json="{\"baseline\":\"db_bench\",\"mb_per_s\":$mbs,\"ops_per_s\":$ops,\"batch_size\":$batch_size,\"value_size\":$value_size,\"sync\":true,\"version\":\"$version\",\"key_size\":$key_size,\"keys\":$done_ops,\"seconds\":$secs,\"compression\":\"$compression\",\"threads\":1,\"result\":\"$measured\"}"
echo "$json"
if [ -n "$out" ]; then
  mkdir -p "$(dirname "$out")"
  echo "$json" >"$out"
fi
