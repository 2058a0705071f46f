#!/usr/bin/env bash
# `make run-cluster`: a whole cluster on loopback (docs/cluster.md): a PostgreSQL 15
# primary and a synchronous standby (unix sockets in DIR/pg, no TCP), three
# agreements-server nodes on 127.0.0.1:50061-50063 with their own data directories, the
# demo loaded through a replica (the client follows it to the writer), the sector views
# read from another replica, and which node writes. Ctrl-C stops everything. Each run
# starts a fresh cluster in DIR (default ./data-cluster).
set -euo pipefail

bin_dir=build/bin
dir=./data-cluster
demo_file="$(dirname "$0")/demo/state-visit-2009.jsonl"
while [ $# -gt 0 ]; do
  case "$1" in
    --bin_dir) bin_dir=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    *) echo "run-cluster: unknown argument $1" >&2; exit 1 ;;
  esac
done

pgbin=/usr/lib/postgresql/15/bin
if [ ! -x "$pgbin/initdb" ]; then
  echo "run-cluster: PostgreSQL 15 is not installed (make deps installs it)" >&2
  exit 1
fi
as_pg=()
if [ "$(id -u)" -eq 0 ]; then as_pg=(runuser -u postgres --); fi

rm -rf "$dir"
mkdir -p "$dir/pg"
dir=$(cd "$dir" && pwd)
chmod 755 "$dir" "$dir/pg"
if [ ${#as_pg[@]} -gt 0 ]; then chown postgres: "$dir/pg"; fi
pids=()

stop_all() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  for pg in pg2 pg1; do
    if [ -f "$dir/pg/$pg/data/postmaster.pid" ]; then
      (cd "$dir/pg" && "${as_pg[@]}" "$pgbin/pg_ctl" -D "$dir/pg/$pg/data" -m fast -w \
        stop >/dev/null 2>&1) || true
    fi
  done
}
trap 'stop_all; exit 0' INT TERM
trap 'status=$?; stop_all; exit $status' EXIT

cd "$dir/pg"
echo "== PostgreSQL: a primary (pg1) and a synchronous standby (pg2) in $dir/pg =="
"${as_pg[@]}" mkdir -p "$dir/pg/pg1" "$dir/pg/pg2"
"${as_pg[@]}" "$pgbin/initdb" -D "$dir/pg/pg1/data" -U postgres --auth=trust \
  --no-locale -E UTF8 >"$dir/pg/initdb.log" 2>&1
"${as_pg[@]}" tee -a "$dir/pg/pg1/data/postgresql.conf" >/dev/null <<CONF
listen_addresses = ''
unix_socket_directories = '$dir/pg/pg1'
synchronous_commit = on
synchronous_standby_names = 'pg2'
CONF
"${as_pg[@]}" "$pgbin/pg_ctl" -D "$dir/pg/pg1/data" -l "$dir/pg/pg1.log" -w start >/dev/null
"${as_pg[@]}" "$pgbin/pg_basebackup" -D "$dir/pg/pg2/data" -h "$dir/pg/pg1" -U postgres \
  -X stream -c fast
"${as_pg[@]}" tee -a "$dir/pg/pg2/data/postgresql.auto.conf" >/dev/null <<CONF
unix_socket_directories = '$dir/pg/pg2'
primary_conninfo = 'host=$dir/pg/pg1 user=postgres application_name=pg2'
CONF
"${as_pg[@]}" touch "$dir/pg/pg2/data/standby.signal"
"${as_pg[@]}" "$pgbin/pg_ctl" -D "$dir/pg/pg2/data" -l "$dir/pg/pg2.log" -w start >/dev/null
cd - >/dev/null

conninfo="host=$dir/pg/pg1,$dir/pg/pg2 port=5432,5432 dbname=postgres user=postgres target_session_attrs=read-write"
echo "== Three registry nodes (logs in $dir/nN.log) =="
for n in 1 2 3; do
  "$bin_dir/agreements-server" --listen="127.0.0.1:5006$n" --data_dir="$dir/n$n" \
    --metrics_listen="127.0.0.1:947$n" --http_listen="127.0.0.1:848$n" \
    --commit_log="$conninfo" --node_id="n$n" \
    --writer_lease=2s --log_format=text >"$dir/n$n.out" 2>"$dir/n$n.log" &
  pids+=($!)
  echo "  n$n: 127.0.0.1:5006$n (metrics 127.0.0.1:947$n, HTTP 127.0.0.1:848$n)"
done

writer=""
for _ in $(seq 1 100); do
  for n in 1 2 3; do
    if curl -s "http://127.0.0.1:947$n/metrics" 2>/dev/null |
      grep -q '^agreements_cluster_writer 1$'; then
      writer=$n
    fi
  done
  if [ -n "$writer" ]; then break; fi
  sleep 0.2
done
if [ -z "$writer" ]; then
  echo "run-cluster: no node became the writer in 20 s; see $dir/n*.log" >&2
  exit 1
fi
replica=$((writer % 3 + 1))
other=$((replica % 3 + 1))
if [ "$other" = "$writer" ]; then other=$((other % 3 + 1)); fi
echo
echo "== n$writer is the writer (term $(curl -s "http://127.0.0.1:947$writer/metrics" |
  awk '/^agreements_cluster_term /{print $2}')) =="
echo
echo "== Loading the demo through n$replica, a replica: the client follows it to the writer =="
"$bin_dir/agreements" --server "127.0.0.1:5006$replica" load "$demo_file"
for sector in energy transport; do
  echo
  echo "== Sector view read from n$other: $sector =="
  "$bin_dir/agreements" --server "127.0.0.1:5006$other" list --sector "$sector" --all
done
echo
echo "The cluster is running. Try:"
echo "  $bin_dir/agreements --server 127.0.0.1:5006$other sectors"
echo "  kill ${pids[$((writer - 1))]}   # stop the writer: another node takes over in about 2 s"
echo "  curl -s http://127.0.0.1:947$other/metrics | grep agreements_cluster_"
echo "Press Ctrl-C to stop the nodes and PostgreSQL."
wait "${pids[@]}" || true
