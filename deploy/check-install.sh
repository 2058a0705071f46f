#!/usr/bin/env bash
# Checks the install rules: `cmake --install BUILD_DIR` into a scratch prefix puts every
# file in place, and the installed binaries run (--version).
set -euo pipefail
build_dir=${1:?usage: check-install.sh BUILD_DIR}
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build_dir" --prefix "$prefix" >/dev/null
status=0
for f in bin/agreements-server bin/agreements bin/agreements-admin \
         lib/systemd/system/agreements.service \
         share/agreements/examples/server.flags \
         share/agreements/prometheus/prometheus.yml share/agreements/prometheus/alerts.yml \
         share/agreements/grafana/agreements-dashboard.json; do
  if [ ! -f "$prefix/$f" ]; then echo "check-install: missing $f"; status=1; fi
done
for b in agreements-server agreements-admin agreements; do
  if ! "$prefix/bin/$b" --version | grep -q "^$b "; then
    echo "check-install: $prefix/bin/$b --version failed"; status=1
  fi
done
[ $status -eq 0 ] && echo "check-install: every file installed; the binaries run"
exit $status
