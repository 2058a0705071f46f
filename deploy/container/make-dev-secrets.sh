#!/usr/bin/env bash
# Makes a throw-away set of secrets for deploy/compose.yaml (and for the tests of
# deploy/check-deploy.sh): a CA, a server certificate for the names the containers and
# the host use, a token file with one admin token, a policy, the metrics token and a
# checkpoint signing key. FOR DEVELOPMENT ONLY: production certificates come from your
# CA, and the signing key is made once and backed up (docs/security.md, docs/audit.md).
#
# Usage: make-dev-secrets.sh [OUT_DIR] [EXTRA_DNS_NAME ...]
#   OUT_DIR  default: deploy/container/secrets (ignored by git)
# Environment: AGREEMENTS_BIN_DIR, directory of agreements-server, used to create the
#   signing key (default: build/bin of this repository). Without a server binary the
#   key is not made, and the command that makes it with the image is printed instead.
#
# Files (compose.yaml mounts them as secrets):
#   ca.crt ca.key        the development CA (ca.key never goes into a container)
#   tls.crt tls.key      server certificate (DNS agreements, localhost, IP 127.0.0.1, ::1)
#   tokens policy        token file (principal "ops", role admin) and policy (* reader)
#   ops.token            the "ops" token itself, for clients: --token-file ops.token
#   metrics.token        bearer token of the Prometheus scrapes
#   checkpoint.key       checkpoint signing key
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
out=${1:-$here/secrets}
[[ $# -eq 0 ]] || shift
bin_dir=${AGREEMENTS_BIN_DIR:-$repo/build/bin}
uid=10001

command -v openssl >/dev/null || { echo "make-dev-secrets: openssl is needed (Debian package openssl)" >&2; exit 1; }
mkdir -p "$out"
cd "$out"
for f in ca.key tls.key tokens checkpoint.key; do
  if [[ -e $f ]]; then
    echo "make-dev-secrets: $out/$f exists; remove the old secrets first" >&2
    exit 1
  fi
done
umask 077

san="DNS:agreements,DNS:localhost,IP:127.0.0.1,IP:::1"
for name in "$@"; do
  san="$san,DNS:$name"
done

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
  -keyout ca.key -out ca.crt -subj "/CN=agreements development CA" 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out tls.key 2>/dev/null
# serverAuth and clientAuth: the container's health check may present the server's own
# certificate when mutual TLS is required (AGREEMENTS_TLS_CLIENT_AUTH=require).
openssl req -new -key tls.key -out tls.csr -subj "/CN=agreements" \
  -addext "subjectAltName=$san" -addext "extendedKeyUsage=serverAuth,clientAuth" 2>/dev/null
openssl x509 -req -in tls.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 30 \
  -copy_extensions copy -out tls.crt 2>/dev/null
rm -f tls.csr ca.srl

token=$(openssl rand -hex 32)
printf %s "$token" >ops.token
printf '# development token file: sha256 of the token, principal, grants\nsha256:%s ops admin\n' \
  "$(printf %s "$token" | sha256sum | cut -d' ' -f1)" >tokens
printf '# development policy: every authenticated caller may read\n*  reader\n' >policy
openssl rand -hex 32 >metrics.token

if [[ -x $bin_dir/agreements-server ]]; then
  AGREEMENTS_BIN_DIR=$bin_dir "$here/entrypoint.sh" generate-signing-key "$out/checkpoint.key" >/dev/null
else
  echo "make-dev-secrets: no $bin_dir/agreements-server; make the signing key with the image:" >&2
  echo "  docker run --rm --user \"\$(id -u)\" -v \"$out:/out\" agreements:dev generate-signing-key /out/checkpoint.key" >&2
fi

# Readable inside the containers: the server runs as uid 10001, Prometheus as nobody.
# Docker Compose mounts file secrets with their host owner and mode.
chmod 0644 ca.crt tls.crt metrics.token
if [[ $(id -u) -eq 0 ]]; then
  chown "$uid:$uid" tls.key tokens policy
  [[ ! -e checkpoint.key ]] || chown "$uid:$uid" checkpoint.key
  chmod 0600 tls.key tokens policy
else
  # Without root the files cannot be given to uid 10001: make them readable by all.
  # Acceptable for throw-away development secrets only.
  chmod 0644 tls.key tokens policy
  [[ ! -e checkpoint.key ]] || chmod 0644 checkpoint.key
  echo "make-dev-secrets: not root, so tls.key, tokens, policy and checkpoint.key are world-readable (development only)" >&2
fi
echo "make-dev-secrets: development secrets in $out"
