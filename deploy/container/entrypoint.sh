#!/usr/bin/env bash
# Entrypoint of the agreements container image: turns environment variables into an
# agreements-server command line and execs it (so SIGTERM and SIGHUP reach the server
# itself, which runs as PID 1 of the container).
#
# Usage:
#   entrypoint.sh [serve] [SERVER_FLAG ...]   start the server; extra flags are appended
#   entrypoint.sh print-command [SERVER_FLAG ...]
#                                             print the server command, one argument per
#                                             line, and exit 0 (nothing is started)
#   entrypoint.sh health                      ask the local server's gRPC health service;
#                                             exit 0 when it is SERVING
#   entrypoint.sh generate-signing-key FILE [--checkpoint_origin=NAME]
#                                             create a new checkpoint signing key in FILE
#                                             (starts the server once on a scratch data
#                                             directory, then stops it)
#   entrypoint.sh help                        this text
#   entrypoint.sh COMMAND [ARGS]              run any other command (e.g. agreements ...)
#
# Environment (defaults in brackets):
#   AGREEMENTS_BIN_DIR            directory of the binaries [/usr/local/bin]
#   AGREEMENTS_DATA_DIR           RocksDB data directory [/var/lib/agreements]
#   AGREEMENTS_LISTEN             gRPC address [0.0.0.0:50051]
#   AGREEMENTS_METRICS_LISTEN     Prometheus /metrics address [0.0.0.0:9464]; set it
#                                 to the empty string for no metrics listener
#   AGREEMENTS_METRICS_TOKEN_FILE file holding the bearer token scrapers must present
#                                 (or pass the token itself in AGREEMENTS_METRICS_TOKEN,
#                                 which the server reads directly)
#   AGREEMENTS_TLS_DIR            directory holding tls.crt (certificate chain) and
#                                 tls.key (its private key), as in a Kubernetes TLS
#                                 secret, and optionally ca.crt; unset: no TLS
#   AGREEMENTS_TLS_CLIENT_AUTH    off | optional | require [off]: mutual TLS with the
#                                 client CA bundle AGREEMENTS_TLS_CLIENT_CA
#                                 [$AGREEMENTS_TLS_DIR/ca.crt]
#   AGREEMENTS_TOKENS_FILE        token file (docs/security.md); unset: none
#   AGREEMENTS_POLICY_FILE        policy file (docs/security.md); unset: none
#   AGREEMENTS_SIGNING_KEY        checkpoint signing key, kept outside the data volume
#                                 [/etc/agreements/keys/checkpoint.key]. It must exist,
#                                 unless AGREEMENTS_CREATE_SIGNING_KEY=1 lets the server
#                                 create it (then back it up!)
#   AGREEMENTS_LOG_LEVEL          debug | info | warning | error [info]
#   AGREEMENTS_LOG_FORMAT         json | text [json]
#   AGREEMENTS_EXTRA_FLAGS        more server flags, separated by spaces (values cannot
#                                 contain spaces), e.g. "--rate_limit=500 --max_streams=2000"
#   AGREEMENTS_INSECURE           1: allow a non-loopback address without TLS or without
#                                 access control (--insecure). Never in production
# For `health` only:
#   AGREEMENTS_TLS_CA             CA bundle that verifies the server's certificate
#                                 [$AGREEMENTS_TLS_DIR/ca.crt when present, else the
#                                 system roots]
#   AGREEMENTS_TLS_SERVER_NAME    name to verify in the server's certificate [the address
#                                 connected to, 127.0.0.1 for a wildcard listen address]
#   AGREEMENTS_HEALTH_TLS_CERT, AGREEMENTS_HEALTH_TLS_KEY
#                                 client certificate for AGREEMENTS_TLS_CLIENT_AUTH=require
#                                 [the server's own tls.crt and tls.key]
#   AGREEMENTS_HEALTH_TIMEOUT     how long to wait for SERVING [5s]
#
# A configuration the server would refuse, or one that would silently lose data, is
# refused here first with a message and exit status 2.
set -euo pipefail

prog=agreements-entrypoint

bin_dir=${AGREEMENTS_BIN_DIR:-/usr/local/bin}
data_dir=${AGREEMENTS_DATA_DIR:-/var/lib/agreements}
listen=${AGREEMENTS_LISTEN:-0.0.0.0:50051}
# No colon: an empty value means "no metrics listener", unset means the default.
metrics_listen=${AGREEMENTS_METRICS_LISTEN-0.0.0.0:9464}
metrics_token_file=${AGREEMENTS_METRICS_TOKEN_FILE:-}
tls_dir=${AGREEMENTS_TLS_DIR:-}
client_auth=${AGREEMENTS_TLS_CLIENT_AUTH:-off}
client_ca=${AGREEMENTS_TLS_CLIENT_CA:-${tls_dir:+$tls_dir/ca.crt}}
tokens_file=${AGREEMENTS_TOKENS_FILE:-}
policy_file=${AGREEMENTS_POLICY_FILE:-}
signing_key=${AGREEMENTS_SIGNING_KEY:-/etc/agreements/keys/checkpoint.key}
create_signing_key=${AGREEMENTS_CREATE_SIGNING_KEY:-0}
log_level=${AGREEMENTS_LOG_LEVEL:-info}
log_format=${AGREEMENTS_LOG_FORMAT:-json}
extra_flags=${AGREEMENTS_EXTRA_FLAGS:-}
insecure=${AGREEMENTS_INSECURE:-0}

server_bin=$bin_dir/agreements-server
cli_bin=$bin_dir/agreements

refuse() {
  echo "$prog: $*" >&2
  exit 2
}

warn() {
  echo "$prog: WARNING: $*" >&2
}

# host_of HOST:PORT -> HOST without brackets ("[::1]:1" -> "::1").
host_of() {
  local address=$1
  if [[ $address == \[* ]]; then
    address=${address#\[}
    printf '%s\n' "${address%%\]*}"
  else
    printf '%s\n' "${address%:*}"
  fi
}

port_of() {
  printf '%s\n' "${1##*:}"
}

# The server's own rule: localhost, a literal 127.0.0.0/8 address, or ::1.
is_loopback() {
  local host
  host=$(host_of "$1")
  [[ $host == localhost || $host == ::1 || $host =~ ^127\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}$ ]]
}

check_address() {
  local name=$1 address=$2
  local pattern='^(\[[0-9A-Fa-f:.]+\]|[^]:[]*):[0-9]+$'
  if [[ ! $address =~ $pattern ]]; then
    refuse "$name=\"$address\" is not HOST:PORT (IPv6 in brackets: [::]:50051)"
  fi
}

need_file() {
  local what=$1 file=$2
  [[ -f $file ]] || refuse "$what: $file does not exist (is the secret mounted?)"
  [[ -r $file ]] || refuse "$what: $file is not readable by uid $(id -u) (file mode or owner of the mounted secret)"
}

is_true() {
  [[ $1 == 1 || $1 == true || $1 == yes ]]
}

# Fills the array `cmd` with the server command line, after checking the configuration.
# Arguments: extra flags to append.
build_command() {
  check_address AGREEMENTS_LISTEN "$listen"
  [[ -z $metrics_listen ]] || check_address AGREEMENTS_METRICS_LISTEN "$metrics_listen"
  [[ -x $server_bin ]] || refuse "$server_bin is not an executable (AGREEMENTS_BIN_DIR=$bin_dir)"

  cmd=("$server_bin"
       "--listen=$listen"
       "--data_dir=$data_dir"
       "--signing_key=$signing_key"
       "--metrics_listen=$metrics_listen"
       "--log_format=$log_format"
       "--log_level=$log_level")

  # Data directory: must be writable by this user (a volume owned by root is the usual
  # mistake); the server creates it when it is missing.
  if [[ -e $data_dir ]]; then
    [[ -d $data_dir && -w $data_dir ]] ||
      refuse "data directory $data_dir is not a directory writable by uid $(id -u) (owner of the volume? Kubernetes: fsGroup)"
  fi

  # Signing key: a new key created inside a container's writable layer would be lost
  # with the container, and the next start (with yet another key) refused.
  if [[ ! -e $signing_key ]]; then
    if ! is_true "$create_signing_key"; then
      refuse "signing key $signing_key does not exist: mount the secret that holds it, create one with '$0 generate-signing-key FILE', or set AGREEMENTS_CREATE_SIGNING_KEY=1 to let the server create it there (then back it up)"
    fi
    [[ -w $(dirname "$signing_key") ]] ||
      refuse "AGREEMENTS_CREATE_SIGNING_KEY=1 but $(dirname "$signing_key") is not writable by uid $(id -u)"
  else
    need_file AGREEMENTS_SIGNING_KEY "$signing_key"
  fi

  local tls=0
  if [[ -n $tls_dir ]]; then
    need_file "AGREEMENTS_TLS_DIR (certificate)" "$tls_dir/tls.crt"
    need_file "AGREEMENTS_TLS_DIR (private key)" "$tls_dir/tls.key"
    cmd+=("--tls_cert=$tls_dir/tls.crt" "--tls_key=$tls_dir/tls.key")
    tls=1
  fi
  local access_control=0
  case $client_auth in
    off) ;;
    optional | require)
      [[ $tls == 1 ]] || refuse "AGREEMENTS_TLS_CLIENT_AUTH=$client_auth needs AGREEMENTS_TLS_DIR"
      need_file "AGREEMENTS_TLS_CLIENT_CA (client CA bundle)" "$client_ca"
      cmd+=("--tls_client_ca=$client_ca" "--tls_client_auth=$client_auth")
      access_control=1
      ;;
    *) refuse "AGREEMENTS_TLS_CLIENT_AUTH must be off, optional or require (got \"$client_auth\")" ;;
  esac
  if [[ -n $tokens_file ]]; then
    need_file AGREEMENTS_TOKENS_FILE "$tokens_file"
    cmd+=("--tokens=$tokens_file")
    access_control=1
  fi
  if [[ -n $policy_file ]]; then
    need_file AGREEMENTS_POLICY_FILE "$policy_file"
    cmd+=("--policy=$policy_file")
    access_control=1
  fi
  if [[ -n $metrics_token_file ]]; then
    need_file AGREEMENTS_METRICS_TOKEN_FILE "$metrics_token_file"
    cmd+=("--metrics_token_file=$metrics_token_file")
  fi

  # The server's own rules for addresses off loopback, checked here with a clearer
  # message (and before anything is started).
  if is_true "$insecure"; then
    cmd+=("--insecure")
    warn "AGREEMENTS_INSECURE is set: the server may serve without TLS or access control (never in production)"
  else
    if ! is_loopback "$listen"; then
      [[ $tls == 1 ]] ||
        refuse "AGREEMENTS_LISTEN=$listen is not a loopback address and AGREEMENTS_TLS_DIR is not set: mount tls.crt and tls.key and set AGREEMENTS_TLS_DIR (or AGREEMENTS_INSECURE=1 for a throw-away test)"
      [[ $access_control == 1 ]] ||
        refuse "AGREEMENTS_LISTEN=$listen is not a loopback address and no access control is configured: set AGREEMENTS_TOKENS_FILE, AGREEMENTS_POLICY_FILE or AGREEMENTS_TLS_CLIENT_AUTH"
    fi
    if [[ -n $metrics_listen ]] && ! is_loopback "$metrics_listen"; then
      [[ $tls == 1 ]] ||
        refuse "AGREEMENTS_METRICS_LISTEN=$metrics_listen is not a loopback address and AGREEMENTS_TLS_DIR is not set (the metrics endpoint uses the same certificate)"
      [[ -n $metrics_token_file || -n ${AGREEMENTS_METRICS_TOKEN:-} ]] ||
        refuse "AGREEMENTS_METRICS_LISTEN=$metrics_listen is not a loopback address: set AGREEMENTS_METRICS_TOKEN_FILE (or AGREEMENTS_METRICS_TOKEN) to the scrapers' bearer token"
    fi
  fi

  local flag extra=()
  read -r -a extra <<<"$extra_flags"
  for flag in "${extra[@]}" "$@"; do
    [[ $flag == --?* ]] || refuse "extra server argument \"$flag\" does not start with two dashes (a server flag)"
    cmd+=("$flag")
  done
}

# The address `health` connects to: the listen address, with a wildcard host replaced
# by loopback.
health_target() {
  local host port
  host=$(host_of "$listen")
  port=$(port_of "$listen")
  case $host in
    "" | 0.0.0.0) host=127.0.0.1 ;;
    :: | ::0) host=::1 ;;
  esac
  if [[ $host == *:* ]]; then
    printf '[%s]:%s\n' "$host" "$port"
  else
    printf '%s:%s\n' "$host" "$port"
  fi
}

health() {
  [[ -x $cli_bin ]] || refuse "$cli_bin is not an executable (AGREEMENTS_BIN_DIR=$bin_dir)"
  local args=(--server "$(health_target)" --timeout "${AGREEMENTS_HEALTH_TIMEOUT:-5s}")
  if [[ -n $tls_dir ]]; then
    local ca=${AGREEMENTS_TLS_CA:-}
    if [[ -z $ca && -f $tls_dir/ca.crt ]]; then
      ca=$tls_dir/ca.crt
    fi
    args+=(--tls)
    [[ -z $ca ]] || args+=(--tls-ca "$ca")
    [[ -z ${AGREEMENTS_TLS_SERVER_NAME:-} ]] || args+=(--tls-server-name "$AGREEMENTS_TLS_SERVER_NAME")
    if [[ $client_auth == require ]]; then
      args+=(--tls-cert "${AGREEMENTS_HEALTH_TLS_CERT:-$tls_dir/tls.crt}"
             --tls-key "${AGREEMENTS_HEALTH_TLS_KEY:-$tls_dir/tls.key}")
    fi
  fi
  # The health service needs no credentials. Only the flags above count: the CLI's own
  # variables (AGREEMENTS_SERVER, AGREEMENTS_TLS_*, AGREEMENTS_TOKEN*) are cleared.
  exec env -u AGREEMENTS_SERVER -u AGREEMENTS_TLS_CA -u AGREEMENTS_TLS_CERT \
    -u AGREEMENTS_TLS_KEY -u AGREEMENTS_TLS_SERVER_NAME -u AGREEMENTS_TOKEN \
    -u AGREEMENTS_TOKEN_FILE "$cli_bin" "${args[@]}" health
}

# Starts the server once with a scratch data directory so that it writes a new signing
# key to FILE, then stops it. The key never enters the data directory.
generate_signing_key() {
  [[ $# -ge 1 ]] || refuse "usage: $0 generate-signing-key FILE [--checkpoint_origin=NAME]"
  local key=$1
  shift
  [[ ! -e $key ]] || refuse "$key already exists; not overwriting a signing key"
  [[ -x $server_bin ]] || refuse "$server_bin is not an executable (AGREEMENTS_BIN_DIR=$bin_dir)"
  local flag
  for flag in "$@"; do
    [[ $flag == --checkpoint_origin=* ]] || refuse "generate-signing-key takes only --checkpoint_origin=NAME (got \"$flag\")"
  done
  local scratch
  scratch=$(mktemp -d)
  umask 077
  "$server_bin" --listen=127.0.0.1:0 --metrics_listen= --http_listen= --data_dir="$scratch/data" \
    --signing_key="$key" --log_level=error "$@" >"$scratch/out" 2>"$scratch/err" &
  local pid=$! started=0 i
  for ((i = 0; i < 200; i++)); do
    if grep -q "listening on" "$scratch/out" 2>/dev/null; then
      started=1
      break
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -TERM "$pid" 2>/dev/null || true
  local status=0
  wait "$pid" || status=$?
  if [[ $started != 1 || $status != 0 || ! -s $key ]]; then
    cat "$scratch/err" >&2
    rm -rf "$scratch"
    echo "$prog: could not create the signing key $key" >&2
    exit 1
  fi
  rm -rf "$scratch"
  echo "$prog: wrote a new checkpoint signing key to $key (mode 0600); back it up now, away from the data volume"
}

usage() {
  sed -n '2,/^set -euo pipefail/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
}

command=${1:-serve}
case $command in
  serve)
    [[ $# -eq 0 ]] || shift
    build_command "$@"
    umask 077
    exec "${cmd[@]}"
    ;;
  --help | --help=* | --helpfull | --version)
    exec "$server_bin" "$@"
    ;;
  -*)
    build_command "$@"
    umask 077
    exec "${cmd[@]}"
    ;;
  print-command)
    shift
    build_command "$@"
    printf '%s\n' "${cmd[@]}"
    ;;
  health)
    health
    ;;
  generate-signing-key)
    shift
    generate_signing_key "$@"
    ;;
  help)
    usage
    ;;
  *)
    exec "$@"
    ;;
esac
