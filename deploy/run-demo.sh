#!/usr/bin/env bash
# `make run`: starts agreements-server in the foreground, waits until it is healthy, loads
# the demo data through the gRPC API from a second process, prints the sector views, and
# keeps serving until Ctrl-C (then shuts down cleanly and exits 0).
set -euo pipefail

listen=127.0.0.1:50051
http_listen=127.0.0.1:8480
data_dir=./data
bin_dir=build/bin
demo_file="$(dirname "$0")/demo/state-visit-2009.jsonl"
while [ $# -gt 0 ]; do
  case "$1" in
    --listen) listen=$2; shift 2 ;;
    --http_listen) http_listen=$2; shift 2 ;;
    --data_dir) data_dir=$2; shift 2 ;;
    --bin_dir) bin_dir=$2; shift 2 ;;
    *) echo "run-demo: unknown argument $1" >&2; exit 1 ;;
  esac
done

cli=("$bin_dir/agreements" --server "$listen")
# Human-readable log lines on the terminal (production keeps the JSON default).
# --migrate: a data directory left by an older build is migrated at start.
web_dir="$(cd "$(dirname "$0")/.." && pwd)/web"
"$bin_dir/agreements-server" --listen="$listen" --data_dir="$data_dir" --log_format=text \
  --http_listen="$http_listen" --http_explorer_dir="$web_dir" --migrate &
server_pid=$!

# Ctrl-C / SIGTERM: the server (which gets the signal too) shuts down cleanly; wait for it.
stop() {
  trap - EXIT
  kill -TERM "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null
  exit 0
}
# Any other exit (a failing step): never leave the server running with the data dir locked.
cleanup() {
  status=$?
  kill -TERM "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  exit "$status"
}
trap stop INT TERM
trap cleanup EXIT

healthy=0
for _ in $(seq 1 100); do
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "run-demo: agreements-server exited; is $listen or $http_listen already in use?" >&2
    exit 1
  fi
  if "${cli[@]}" health >/dev/null 2>&1; then healthy=1; break; fi
  sleep 0.2
done
if [ "$healthy" -ne 1 ]; then
  echo "run-demo: agreements-server did not become healthy in 20 s" >&2
  exit 1
fi

echo
echo "== Loading the demo data (2009 state visit) through the gRPC API =="
"${cli[@]}" load "$demo_file"
for sector in energy transport telecom construction; do
  echo
  echo "== Sector view: $sector =="
  "${cli[@]}" list --sector "$sector" --all
  "${cli[@]}" summary "$sector"
done
echo
echo "agreements-server is serving on $listen (data in $data_dir)."
echo "Web explorer: http://$http_listen/   (HTTP/JSON API: http://$http_listen/v1; docs/http.md)"
echo "Try:"
echo "  $bin_dir/agreements --server $listen sectors"
echo "  $bin_dir/agreements --server $listen get <agreement-id>"
echo "  curl -s http://127.0.0.1:9464/metrics   (Prometheus metrics; docs/operations.md)"
echo "Press Ctrl-C to stop."
if [ -t 0 ]; then
  # Read Ctrl-C as a key instead of letting the terminal signal the whole process group
  # (make would then report an interrupt): the server is stopped with SIGTERM and
  # `make run` exits with the server's own clean status. dd, not bash's read, which turns
  # signal keys back on while it waits.
  saved_tty=$(stty -g)
  trap 'stty "$saved_tty"; cleanup' EXIT
  stty -isig -icanon -echo min 0 time 10
  while kill -0 "$server_pid" 2>/dev/null; do
    key=$(dd bs=1 count=1 2>/dev/null | od -An -tx1 | tr -d ' \n')
    if [ "$key" = "03" ]; then break; fi
  done
  stty "$saved_tty"
  trap cleanup EXIT
  kill -TERM "$server_pid" 2>/dev/null || true
fi
wait "$server_pid"
