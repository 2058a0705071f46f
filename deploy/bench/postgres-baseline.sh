#!/usr/bin/env bash
# Baseline: PostgreSQL 15 as an "event store in a table", driven by pgbench with the same
# single-event append as the agreements-bench `append` scenario: one INSERT of one new event
# (a new stream per insert, version 1, ~1000-byte payload) per transaction, autocommit,
# synchronous_commit=on, fsync=on.
#
# Starts its own throw-away server (initdb in a temp dir, unix socket in that dir, no TCP),
# as the `postgres` OS user when run as root; stops it and deletes the dir on exit, also on
# error or Ctrl-C. Installs postgresql-15 (Debian 12; pgbench ships in it) if missing.
#
# Prints a human table, then ONE JSON line on stdout:
#   {"baseline":"postgresql","events_per_s":...,"clients":64,"latency_ms_avg":...,"seconds":...,"version":"15.x",...}
#
# Usage: postgres-baseline.sh [--clients N] [--threads N] [--duration SECONDS | --transactions N]
#                             [--payload_bytes N] [--shared_buffers SIZE] [--dir PARENT] [--out FILE]
#   --transactions N   transactions per client (pgbench -t) instead of a duration
#   --dir PARENT       where the temp dir goes (default ${TMPDIR:-/tmp}); must be a real disk
set -euo pipefail

clients=64
threads=2
duration=20
transactions=0
payload_bytes=1000
shared_buffers=256MB
parent="${TMPDIR:-/tmp}"
out=""

usage() { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --clients) clients="$2"; shift 2 ;;
    --clients=*) clients="${1#*=}"; shift ;;
    --threads) threads="$2"; shift 2 ;;
    --threads=*) threads="${1#*=}"; shift ;;
    --duration) duration="$2"; shift 2 ;;
    --duration=*) duration="${1#*=}"; shift ;;
    --transactions) transactions="$2"; shift 2 ;;
    --transactions=*) transactions="${1#*=}"; shift ;;
    --payload_bytes) payload_bytes="$2"; shift 2 ;;
    --payload_bytes=*) payload_bytes="${1#*=}"; shift ;;
    --shared_buffers) shared_buffers="$2"; shift 2 ;;
    --shared_buffers=*) shared_buffers="${1#*=}"; shift ;;
    --dir) parent="$2"; shift 2 ;;
    --dir=*) parent="${1#*=}"; shift ;;
    --out) out="$2"; shift 2 ;;
    --out=*) out="${1#*=}"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "postgres-baseline: unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done
for v in clients threads duration transactions payload_bytes; do
  if ! [[ "${!v}" =~ ^[0-9]+$ ]]; then
    echo "postgres-baseline: --$v must be a non-negative integer" >&2
    exit 2
  fi
done
if [ "$clients" -lt 1 ] || [ "$threads" -lt 1 ] || [ "$payload_bytes" -lt 200 ]; then
  echo "postgres-baseline: need --clients >= 1, --threads >= 1, --payload_bytes >= 200" >&2
  exit 2
fi
if [ "$transactions" -eq 0 ] && [ "$duration" -lt 1 ]; then
  echo "postgres-baseline: need --duration >= 1 or --transactions >= 1" >&2
  exit 2
fi
if [ "$threads" -gt "$clients" ]; then threads="$clients"; fi
if [ -n "$out" ] && [[ "$out" != /* ]]; then out="$PWD/$out"; fi

# --- install what is missing (no apt-get at all when postgresql-15 is there) -------------
if ! dpkg-query -W -f='${Status}' postgresql-15 2>/dev/null | grep -q 'install ok installed'; then
  echo "postgres-baseline: installing postgresql-15" >&2
  sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends postgresql-15 >&2
fi
pgbin=/usr/lib/postgresql/15/bin
for b in initdb pg_ctl postgres psql pgbench; do
  if [ ! -x "$pgbin/$b" ]; then
    echo "postgres-baseline: $pgbin/$b not found" >&2
    exit 1
  fi
done

# As root, the server (and, for simplicity, every client tool) runs as `postgres`.
as_pg=()
if [ "$(id -u)" -eq 0 ]; then
  if ! id postgres >/dev/null 2>&1; then
    echo "postgres-baseline: running as root but there is no 'postgres' user" >&2
    exit 1
  fi
  as_pg=(runuser -u postgres --)
fi

# --- throw-away cluster ------------------------------------------------------------------
mkdir -p "$parent"
tmp="$(mktemp -d "$parent/pg-baseline.XXXXXX")"
data="$tmp/data"
started=0
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ "$started" -eq 1 ]; then
    if ! "${as_pg[@]}" "$pgbin/pg_ctl" -D "$data" -m fast -w -t 60 stop >/dev/null 2>&1; then
      # Only the postmaster we started (its pid file is in our temp dir).
      if [ -f "$data/postmaster.pid" ]; then
        kill -9 "$(head -n 1 "$data/postmaster.pid")" 2>/dev/null || true
        sleep 1
      fi
    fi
  fi
  rm -rf "$tmp"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ "$(stat -f -c %T "$tmp")" = tmpfs ]; then
  echo "postgres-baseline: WARNING: $tmp is on tmpfs: fsync costs nothing there" >&2
fi
if [ ${#as_pg[@]} -gt 0 ]; then chown postgres: "$tmp"; fi
chmod 700 "$tmp"
cd "$tmp"  # the postgres user must be able to stat its working directory

"${as_pg[@]}" "$pgbin/initdb" -D "$data" -U postgres --auth=trust --no-locale -E UTF8 \
  --no-sync >"$tmp/initdb.log" 2>&1 || { cat "$tmp/initdb.log" >&2; exit 1; }

max_connections=$((clients + 20 > 200 ? clients + 20 : 200))
cat >>"$data/postgresql.conf" <<CONF

# --- postgres-baseline.sh ---
listen_addresses = ''
unix_socket_directories = '$tmp'
port = 5432
max_connections = $max_connections
shared_buffers = $shared_buffers
fsync = on
synchronous_commit = on
full_page_writes = on
CONF

started=1
if ! "${as_pg[@]}" "$pgbin/pg_ctl" -D "$data" -l "$tmp/server.log" -w -t 60 start >/dev/null; then
  cat "$tmp/server.log" >&2
  exit 1
fi

psql_cmd=("${as_pg[@]}" "$pgbin/psql" -X -q -v ON_ERROR_STOP=1 -h "$tmp" -U postgres -d postgres)
"${psql_cmd[@]}" <<'SQL'
CREATE TABLE events (
  global_position bigserial PRIMARY KEY,
  stream_id       text        NOT NULL,
  version         bigint      NOT NULL,
  event_type      text        NOT NULL,
  payload         jsonb       NOT NULL,
  recorded_at     timestamptz NOT NULL DEFAULT now(),
  UNIQUE (stream_id, version)
);
SQL

# A ~payload_bytes JSON document shaped like an agreement_recorded event, sent by the client
# as a bind parameter (prepared statement), like the bench sends ~1 KiB per command.
payload_head='{"agreement_id":"bench","designation":"Agreement","kind":"agreement","nature":"binding_international","arity":"bilateral","sector":"energy","parties":["kz","kr"],"request_id":"00000000-0000-0000-0000-000000000000","title":{"en":"'
payload_tail='"}}'
pad=$((payload_bytes - ${#payload_head} - ${#payload_tail}))
filler=""
while [ ${#filler} -lt "$pad" ]; do filler+="Agreement on cooperation in the field of energy and transport. "; done
payload="$payload_head${filler:0:$pad}$payload_tail"

# \set n persists per client across transactions: stream ids agreement-<client>-<n> are new.
cat >"$tmp/append.sql" <<'SQL'
\set n :n + 1
INSERT INTO events (stream_id, version, event_type, payload) VALUES ('agreement-' || :client_id::text || '-' || :n::text, 1, 'agreement_recorded', :payload);
SQL
chmod 644 "$tmp/append.sql"

limit=(-T "$duration")
if [ "$transactions" -gt 0 ]; then limit=(-t "$transactions"); fi
version="$("$pgbin/postgres" --version | sed -n 's/.*(PostgreSQL) \([0-9][0-9.]*\).*/\1/p')"

echo "postgres-baseline: PostgreSQL $version, pgbench -c $clients -j $threads ${limit[*]}, one ${#payload}-byte event per transaction ..." >&2
set +e
"${as_pg[@]}" "$pgbin/pgbench" -h "$tmp" -U postgres -n -M prepared -c "$clients" -j "$threads" \
  "${limit[@]}" -D n=0 -D "payload=$payload" -f "$tmp/append.sql" postgres >"$tmp/pgbench.out" 2>"$tmp/pgbench.err"
rc=$?
set -e
if [ $rc -ne 0 ]; then
  echo "postgres-baseline: pgbench failed (exit $rc)" >&2
  cat "$tmp/pgbench.out" "$tmp/pgbench.err" >&2
  tail -n 20 "$tmp/server.log" >&2 || true
  exit 1
fi

field() { sed -n "s/^$1/p" "$tmp/pgbench.out" | head -n 1; }
# PG 14+: "tps = N (without initial connection time)"; older: "(excluding connections establishing)".
tps="$(sed -n -E 's/^tps = ([0-9.]+) \((without initial connection time|excluding connections establishing)\).*/\1/p' "$tmp/pgbench.out" | head -n 1)"
lat="$(field 'latency average = \([0-9.]*\) ms.*/\1')"
processed="$(field 'number of transactions actually processed: \([0-9]*\).*/\1')"
failed="$(field 'number of failed transactions: \([0-9]*\).*/\1')"
failed="${failed:-0}"
if [ -z "$tps" ] || [ -z "$lat" ] || [ -z "$processed" ]; then
  echo "postgres-baseline: could not parse pgbench output:" >&2
  cat "$tmp/pgbench.out" >&2
  exit 1
fi
rows="$("${psql_cmd[@]}" -A -t -c 'SELECT count(*) FROM events')"
table_size="$("${psql_cmd[@]}" -A -t -c "SELECT pg_size_pretty(pg_total_relation_size('events'))")"
# Measured seconds: transactions / tps (pgbench's own clock, connections excluded).
seconds="$(awk -v n="$processed" -v t="$tps" 'BEGIN { printf "%.2f", (t > 0 ? n / t : 0) }')"
tps="$(awk -v t="$tps" 'BEGIN { printf "%.1f", t }')"
pgbench_version="$("$pgbin/pgbench" --version | sed -n 's/.*(PostgreSQL) \([0-9][0-9.]*\).*/\1/p')"

{
  echo
  echo "PostgreSQL baseline (single-event append, one INSERT per autocommit transaction)"
  printf '  %-24s %s\n' \
    "server" "PostgreSQL $version (pgbench $pgbench_version), unix socket, no TCP" \
    "settings" "fsync=on synchronous_commit=on shared_buffers=$shared_buffers max_connections=$max_connections" \
    "data dir" "$data ($(stat -f -c %T "$tmp"))" \
    "clients / threads" "$clients / $threads (pgbench -M prepared)" \
    "payload" "jsonb, ${#payload} bytes, new stream per event, version 1" \
    "transactions" "$processed ($failed failed), $rows rows in events, $table_size" \
    "seconds" "$seconds" \
    "events/s" "$tps" \
    "latency avg (ms)" "$lat"
  echo
}

json="{\"baseline\":\"postgresql\",\"events_per_s\":$tps,\"clients\":$clients,\"latency_ms_avg\":$lat,\"seconds\":$seconds,\"version\":\"$version\",\"transactions\":$processed,\"failed\":$failed,\"payload_bytes\":${#payload},\"threads\":$threads}"
echo "$json"
if [ -n "$out" ]; then
  mkdir -p "$(dirname "$out")"
  echo "$json" >"$out"
fi
