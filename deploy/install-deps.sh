#!/usr/bin/env bash
# Installs the Debian 12 packages needed to build, test and run the registry.
# Idempotent: when every package is already installed it does nothing (no apt-get at all).
set -euo pipefail

packages=(
  build-essential
  cmake
  ccache
  clang-format
  clang-14
  libclang-rt-14-dev
  libabsl-dev
  libgrpc++-dev
  libprotobuf-dev
  protobuf-compiler
  protobuf-compiler-grpc
  librocksdb-dev
  libgtest-dev
  libssl-dev
  libjemalloc-dev
  libspdlog-dev
  libcpp-httplib-dev
  pkg-config
  prometheus
  yamllint
  python3-yaml
  curl
  openssl
  systemd
  libpq-dev
  postgresql-15
  procps
  chromium
  chromium-driver
  python3-selenium
  python3-grpcio
  python3-protobuf
  fonts-dejavu-core
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

# Node.js and npm run the Node client's tests (clients/node). Debian's packages are used
# only where the machine has no Node.js of its own.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
