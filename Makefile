# Wraps CMake. `make run` and `make test` install what is missing first.
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
LISTEN ?= 127.0.0.1:50051
DATA_DIR ?= ./data

.PHONY: deps configure build run run-cluster test test-cluster cluster-soak bench-cluster format clean bench bench-full install proto-lint fuzz soak

deps:
	./deploy/install-deps.sh

configure:
	@test -f $(BUILD_DIR)/CMakeCache.txt || cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: deps
	$(MAKE) build
	./deploy/run-demo.sh --listen $(LISTEN) --data_dir $(DATA_DIR) --bin_dir $(BUILD_DIR)/bin

# A local cluster on loopback: PostgreSQL primary + synchronous standby, three nodes
# (docs/cluster.md).
run-cluster: deps
	$(MAKE) build
	./deploy/run-cluster.sh --bin_dir $(BUILD_DIR)/bin

# The cluster tests alone (they also run in `make test`).
test-cluster: deps
	$(MAKE) build
	cd $(BUILD_DIR) && ctest --output-on-failure -L cluster --timeout 600

# Writer kills and PostgreSQL failovers under load (docs/cluster.md, "Soak"):
# CLUSTER_SOAK_KILLS (50) and CLUSTER_SOAK_FAILOVERS (10).
CLUSTER_SOAK_KILLS ?= 50
CLUSTER_SOAK_FAILOVERS ?= 10
cluster-soak: deps
	$(MAKE) build
	AGREEMENTS_SOAK_WRITER_KILLS=$(CLUSTER_SOAK_KILLS) \
	  AGREEMENTS_SOAK_PG_FAILOVERS=$(CLUSTER_SOAK_FAILOVERS) $(BUILD_DIR)/bin/cluster_soak_test

# Cluster appends against the embedded log, replica lag (docs/performance.md).
BENCH_SECONDS ?= 10
bench-cluster: deps
	$(MAKE) build
	AGREEMENTS_BENCH_SECONDS=$(BENCH_SECONDS) $(BUILD_DIR)/bin/cluster_bench

test: deps
	$(MAKE) build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) --timeout 600

# Baselines (PostgreSQL via pgbench, RocksDB db_bench) measured in the same run, then
# agreements-bench, which measures the stack baseline (agreements-stack-baseline) first;
# JSON lines in $(BUILD_DIR)/bench/results-<suite>.jsonl.
# Extra agreements-bench flags: make bench BENCH_ARGS="--work_dir /mnt/x".
bench: deps
	$(MAKE) build
	./deploy/bench/run-suite.sh reduced --build_dir $(BUILD_DIR) $(BENCH_ARGS)

bench-full: deps
	$(MAKE) build
	./deploy/bench/run-suite.sh full --build_dir $(BUILD_DIR) $(BENCH_ARGS)

# Installs the binaries, the systemd unit and the example configuration under
# PREFIX (default /usr/local; docs/operations.md).
PREFIX ?= /usr/local
install: build
	cmake --install $(BUILD_DIR) --prefix $(PREFIX)

# The libFuzzer targets (docs/fuzzing.md), built with clang-14 and ASan/UBSan in
# build-fuzz, each run for FUZZ_SECONDS; fails on any crash, leak, timeout or violated
# property and prints the reproducer. `make test` replays the committed corpora.
FUZZ_SECONDS ?= 180
fuzz: deps
	./tools/fuzz/run-fuzz.sh --seconds $(FUZZ_SECONDS) --build_dir build-fuzz

# The soak test (tests/soak/README.md, docs/operations.md "Soak test"): a real server for
# SOAK_SECONDS (600) under writers, readers, 200 feed subscribers (40 never reading),
# SIGHUP reloads and a checkpoint monitor; fails on unbounded RSS/fd/thread growth, a
# missed or repeated event, or verify/rebuild disagreeing. JSON summary in
# $(BUILD_DIR)/soak/report.json. More flags: make soak SOAK_ARGS="--keep --work-dir /tmp/s".
SOAK_SECONDS ?= 600
soak: deps
	$(MAKE) build
	/usr/bin/python3 tests/soak/soak.py --seconds $(SOAK_SECONDS) \
	  --bin-dir $(BUILD_DIR)/bin --gen-dir $(BUILD_DIR)/clients/python \
	  --report $(BUILD_DIR)/soak/report.json $(SOAK_ARGS)

# The public protos: buf lint (STANDARD and COMMENTS) and buf breaking (wire and JSON
# compatibility) against the last release, v0.16.0 (its commit, so that a clone without
# tags works too). buf comes from the npm registry (tools/buf/package-lock.json).
PROTO_BASELINE ?= ca659255fa28344bb1efb6c53639748a83a2a04c
proto-lint:
	cd tools/buf && npm ci --no-audit --no-fund --loglevel=error
	cd proto && ../tools/buf/node_modules/.bin/buf lint
	cd proto && ../tools/buf/node_modules/.bin/buf breaking \
	  --against '../.git#ref=$(PROTO_BASELINE),subdir=proto'

format:
	find common domain store cluster gateway services clients tests tools -name '*.cc' -o -name '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR)
