#!/usr/bin/env bash
# Checks the deployment files against each other and against the built binaries:
#
#   yaml      yamllint on compose.yaml, k8s/*.yaml, the compose scrape file and the
#             Patroni files of cluster/
#   systemd   systemd-analyze verify (a copy of the unit pointing at the built binary),
#             its hardening settings, and its offline security exposure
#   flags     every --flag named in the files is one the server (or, where the CLI is
#             called, the CLI) accepts
#   manifests ports (50051, 9464) agree between the entrypoint's defaults, the flag file,
#             the Dockerfile, compose.yaml and the Kubernetes manifests; names, secrets
#             and selectors of the manifests fit together; promtool accepts the compose
#             scrape configuration
#   packages  the image's build packages match deploy/install-deps.sh, and its runtime
#             packages (with their dependencies) provide every library the binaries load
#   command   entrypoint.sh print-command: a TLS and an insecure configuration, and the
#             refusals (exit 2) of unsafe ones
#   serve     the server started through entrypoint.sh on loopback: health, metrics, the
#             CLI, SIGHUP, SIGTERM and exit 0
#   tls       the same with TLS, tokens, policy and the metrics token (development
#             secrets from container/make-dev-secrets.sh)
#   flagfile  the server started with config/server.flags (its paths and addresses
#             moved to a scratch directory and loopback)
#   cluster   cluster/: the Patroni nodes keep synchronous replication strict, and the
#             node flag file's connection string lists exactly them
#
# Usage: deploy/check-deploy.sh [BIN_DIR]   (BIN_DIR holds agreements-server and
#        agreements; default: build/bin of this repository). Works from any directory.
# Needs: yamllint (Debian yamllint), systemd-analyze (systemd), python3 with PyYAML
# (python3-yaml), promtool (prometheus), openssl, curl, dpkg.
# Prints PASS or FAIL per check and "N passed, N failed"; exits 1 when a check failed.
set -euo pipefail

deploy=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$deploy/.." && pwd)
bin_dir=${1:-$repo/build/bin}
if [[ ! -d $bin_dir ]]; then
  echo "check-deploy: $bin_dir is not a directory (build first, or pass the binaries' directory)" >&2
  exit 1
fi
bin_dir=$(cd "$bin_dir" && pwd)
server=$bin_dir/agreements-server
cli=$bin_dir/agreements
entrypoint=$deploy/container/entrypoint.sh
for b in "$server" "$cli"; do
  if [[ ! -x $b ]]; then
    echo "check-deploy: $b is missing or not executable" >&2
    exit 1
  fi
done

work=$(mktemp -d)
cleanup() {
  local pid
  if [[ -f $work/pids ]]; then
    while read -r pid; do
      pkill -KILL -P "$pid" 2>/dev/null || true
      kill -KILL "$pid" 2>/dev/null || true
    done <"$work/pids"
  fi
  rm -rf "$work"
}
trap cleanup EXIT

passed=0
failed=0
failed_names=()

# run_check NAME FUNCTION: runs FUNCTION in a subshell with errexit (any failing command
# or `fail` ends it) and records the outcome.
run_check() {
  local name=$1 fn=$2 status=0 start=$SECONDS
  echo "== $name"
  set +e
  (
    set -euo pipefail
    server_pid=
    # A check that fails with its server still running stops it here.
    # (and its children: a server not exec'd by the entrypoint runs below it).
    trap '[[ -z $server_pid ]] || { pkill -KILL -P "$server_pid"; kill -KILL "$server_pid"; } 2>/dev/null || true' EXIT
    "$fn"
  )
  status=$?
  set -e
  if [[ $status -eq 0 ]]; then
    echo "PASS $name ($((SECONDS - start)) s)"
    passed=$((passed + 1))
  else
    echo "FAIL $name ($((SECONDS - start)) s)"
    failed=$((failed + 1))
    failed_names+=("$name")
  fi
}

fail() {
  echo "  error: $*" >&2
  exit 1
}

# A clean environment for entrypoint runs: nothing of the caller's AGREEMENTS_*.
clean_env=(env -i "PATH=$PATH" "HOME=${HOME:-/root}" "AGREEMENTS_BIN_DIR=$bin_dir")

# ---------------------------------------------------------------------------------------
check_yaml() {
  command -v yamllint >/dev/null ||
    fail "yamllint is not installed: apt-get install yamllint (deploy/install-deps.sh)"
  yamllint -s -c "$deploy/config/yamllint.yaml" \
    "$deploy/compose.yaml" "$deploy"/k8s/*.yaml "$deploy/config/prometheus-compose.yml" \
    "$deploy/config/yamllint.yaml" "$deploy"/cluster/patroni/*.yml
  echo "  yamllint: compose.yaml, k8s/*.yaml, config/*.y*ml, cluster/patroni/*.yml clean"
}

# ---------------------------------------------------------------------------------------
check_systemd() {
  command -v systemd-analyze >/dev/null ||
    fail "systemd-analyze is not installed (Debian package systemd)"
  local unit=$deploy/systemd/agreements.service
  local setting
  # shellcheck disable=SC2016 # $MAINPID is the unit's text, not a shell variable
  for setting in Type=simple User=agreements Group=agreements NoNewPrivileges=yes \
    ProtectSystem=strict ReadWritePaths=/var/lib/agreements PrivateTmp=yes ProtectHome=yes \
    PrivateDevices=yes ProtectKernelTunables=yes ProtectKernelModules=yes \
    ProtectKernelLogs=yes ProtectControlGroups=yes \
    "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX" RestrictNamespaces=yes \
    LockPersonality=yes MemoryDenyWriteExecute=yes SystemCallArchitectures=native \
    CapabilityBoundingSet= UMask=0077 LimitNOFILE=65536 KillSignal=SIGTERM \
    TimeoutStopSec=30 'ExecReload=/bin/kill -HUP $MAINPID' Restart=on-failure \
    StateDirectory=agreements \
    "ExecStart=/usr/local/bin/agreements-server --flagfile=/etc/agreements/server.flags"; do
    grep -qxF -- "$setting" "$unit" || fail "$unit lacks the line $setting"
  done
  # The unit names /usr/local/bin/agreements-server, absent here: verify a copy that
  # runs the built binary (and this machine's kill).
  local kill_bin copy=$work/systemd/agreements.service
  kill_bin=$(type -P kill || echo /bin/kill)
  mkdir -p "$work/systemd"
  sed -e "s#^ExecStart=/usr/local/bin/agreements-server#ExecStart=$server#" \
    -e "s#^ExecReload=/bin/kill#ExecReload=$kill_bin#" "$unit" >"$copy"
  local out status=0
  out=$(systemd-analyze verify "$copy" 2>&1) || status=$?
  [[ -z $out ]] || printf '  systemd-analyze: %s\n' "$out"
  [[ $status -eq 0 ]] || fail "systemd-analyze verify exited $status"
  # Exit 0 with warnings (an unknown key, a bad value: systemd ignores them) is a
  # failure too; only notes about the user, which exists on the target host only, pass.
  local rest
  rest=$(printf '%s\n' "$out" | grep -v -i -E '(user|group).*agreements|^$' || true)
  [[ -z $rest ]] || fail "systemd-analyze verify warned about the unit"
  echo "  systemd-analyze verify: clean"
  # Exposure score (0 = fully confined, 10 = unconfined); 1.6 when written.
  local score
  out=$(systemd-analyze security --offline=yes --no-pager "$copy" 2>&1) ||
    fail "systemd-analyze security failed: $out"
  score=$(printf '%s\n' "$out" | grep -o 'Overall exposure level for [^:]*: [0-9.]*' |
    grep -o '[0-9.]*$')
  [[ -n $score ]] || fail "no exposure level in the output of systemd-analyze security"
  echo "  systemd-analyze security: exposure $score"
  awk -v s="$score" 'BEGIN { exit !(s <= 2.5) }' ||
    fail "exposure level $score is above 2.5: a hardening setting was lost"
}

# ---------------------------------------------------------------------------------------
# The cluster example (docs/cluster.md): three Patroni nodes with synchronous replication
# that cannot be switched off silently, etcd on the same machines, and a registry node's
# flag file whose connection string lists exactly the PostgreSQL nodes.
check_cluster() {
  python3 - "$deploy" <<'PY'
import re, sys, yaml
deploy = sys.argv[1]
errors = []
listens = []
for n in (1, 2, 3):
    with open(f"{deploy}/cluster/patroni/pg{n}.yml") as f:
        conf = yaml.safe_load(f)
    dcs = conf["bootstrap"]["dcs"]
    if conf["name"] != f"pg{n}":
        errors.append(f"pg{n}.yml: name is {conf['name']}")
    if not (dcs.get("synchronous_mode") and dcs.get("synchronous_mode_strict")):
        errors.append(f"pg{n}.yml: synchronous_mode and synchronous_mode_strict must be on")
    if dcs["postgresql"]["parameters"].get("synchronous_commit") != "on":
        errors.append(f"pg{n}.yml: synchronous_commit must be on")
    if conf["scope"] != "agreements-log":
        errors.append(f"pg{n}.yml: scope")
    listens.append(conf["postgresql"]["listen"].split(":")[0])
    if len(conf["etcd3"]["hosts"]) != 3:
        errors.append(f"pg{n}.yml: three etcd hosts")
flags = open(f"{deploy}/cluster/node.flags").read()
m = re.search(r"^--commit_log=(.*)$", flags, re.M)
if not m:
    errors.append("node.flags: no --commit_log")
else:
    hosts = re.search(r"host=(\S+)", m.group(1)).group(1).split(",")
    if hosts != listens:
        errors.append(f"node.flags: hosts {hosts} are not the Patroni nodes {listens}")
    if "target_session_attrs=read-write" not in m.group(1):
        errors.append("node.flags: target_session_attrs=read-write missing")
    if "password=" in m.group(1):
        errors.append("node.flags: a password in the flag file")
env = open(f"{deploy}/cluster/etcd.env").read()
if "ETCD_INITIAL_CLUSTER=" not in env:
    errors.append("etcd.env: ETCD_INITIAL_CLUSTER missing")
for e in errors:
    print("  " + e, file=sys.stderr)
if errors:
    sys.exit(1)
print("  patroni pg1-3, etcd.env and node.flags agree")
PY
}

# ---------------------------------------------------------------------------------------
flags_in() {
  grep -o -- '--[a-zA-Z][a-zA-Z0-9_-]*' "$1" | sort -u || true
}

check_flags() {
  local server_flags cli_flags
  server_flags=$({ "$server" --helpfull 2>&1 || true; } | grep -o -- '--[a-z][a-z0-9_]*' | sort -u)
  [[ $server_flags == *--listen* ]] || fail "agreements-server --helpfull lists no --listen"
  if "$server" --version >/dev/null 2>&1; then
    server_flags=$(printf '%s\n--version\n' "$server_flags" | sort -u)
  fi
  cli_flags=$({ "$cli" --help 2>&1 || true; "$cli" help health 2>&1 || true; } |
    grep -o -- '--[a-z][a-z0-9-]*' | sort -u)
  [[ $cli_flags == *--tls-ca* ]] || fail "agreements --help lists no --tls-ca"

  # Options of other tools that these files use (apt-get, cmake, strip, Dockerfile
  # instructions, docker compose).
  local -A foreign=(
    [container/Dockerfile]="--no-install-recommends --build --target --mount --from --strip-debug --interval --timeout --start-period --retries"
    [compose.yaml]="--build"
  )
  local bad=0 file rel flag
  for file in "$deploy/config/server.flags" "$deploy/cluster/node.flags" \
    "$deploy/systemd/agreements.service" "$entrypoint" "$deploy/container/Dockerfile" "$deploy/compose.yaml" "$deploy"/k8s/*.yaml; do
    rel=${file#"$deploy"/}
    local names=()
    while read -r flag; do
      [[ -n $flag ]] || continue
      if grep -qxF -- "$flag" <<<"$server_flags"; then
        names+=("$flag")
        continue
      fi
      case $rel in
        config/server.flags | cluster/node.flags | systemd/agreements.service)
          echo "  $rel: $flag is not an agreements-server flag" >&2
          bad=1
          continue
          ;;
      esac
      if grep -qxF -- "$flag" <<<"$cli_flags"; then
        names+=("$flag(cli)")
      elif [[ " ${foreign[$rel]:-} " == *" $flag "* ]]; then
        names+=("$flag(other tool)")
      else
        echo "  $rel: $flag is neither an agreements-server nor an agreements flag" >&2
        bad=1
      fi
    done < <(flags_in "$file")
    echo "  $rel: ${names[*]:-no flags}"
  done
  [[ $bad -eq 0 ]] || fail "unknown flags (above)"
}

# ---------------------------------------------------------------------------------------
check_manifests() {
  python3 -c 'import yaml' 2>/dev/null ||
    fail "python3 cannot import yaml (Debian package python3-yaml)"
  python3 - "$deploy" <<'PY'
import os, re, sys
import yaml

deploy = sys.argv[1]
errors = []

def check(cond, message):
    if not cond:
        errors.append(message)

def read(rel):
    with open(os.path.join(deploy, rel)) as f:
        return f.read()

def port(address):
    return int(address.rsplit(":", 1)[1])

# The entrypoint's defaults are the reference.
entry = read("container/entrypoint.sh")
m = re.search(r"AGREEMENTS_LISTEN:-([^}]+)\}", entry)
grpc = port(m.group(1)) if m else None
m = re.search(r"AGREEMENTS_METRICS_LISTEN-([^}]+)\}", entry)
metrics = port(m.group(1)) if m else None
check(grpc == 50051, f"entrypoint.sh: default gRPC port {grpc}, expected 50051")
check(metrics == 9464, f"entrypoint.sh: default metrics port {metrics}, expected 9464")
m = re.search(r"AGREEMENTS_SIGNING_KEY:-([^}]+)\}", entry)
entry_key_dir = os.path.dirname(m.group(1)) if m else None
print(f"  entrypoint defaults: gRPC {grpc}, metrics {metrics}, signing key in {entry_key_dir}")

# Flag file.
flags = dict(re.findall(r"^--([a-z_]+)=(.*)$", read("config/server.flags"), re.M))
check(port(flags.get("listen", ":0")) == grpc, "server.flags: --listen port differs")
check(port(flags.get("metrics_listen", ":0")) == metrics,
      "server.flags: --metrics_listen port differs")
check(flags.get("data_dir") == "/var/lib/agreements", "server.flags: --data_dir")
check(flags.get("signing_key") == "/etc/agreements/checkpoint.key",
      "server.flags: --signing_key must be /etc/agreements/checkpoint.key")
check(not flags.get("signing_key", "").startswith(flags.get("data_dir", "-")),
      "server.flags: the signing key must not be in the data directory")
check(flags.get("log_format") == "json", "server.flags: --log_format=json")
for needed in ("tls_cert", "tls_key", "tokens", "policy", "metrics_token_file"):
    check(needed in flags, f"server.flags: --{needed} missing")
check("insecure" not in flags and not re.search(r"^--insecure", read("config/server.flags"), re.M),
      "server.flags: --insecure in a production flag file")

# Dockerfile.
docker = read("container/Dockerfile")
stages = re.split(r"^FROM ", docker, flags=re.M)
runtime = stages[-1]
expose = {int(p) for line in re.findall(r"^EXPOSE (.*)$", runtime, re.M) for p in line.split()}
check(expose == {grpc, metrics}, f"Dockerfile: EXPOSE {sorted(expose)}, expected {[grpc, metrics]}")
check(runtime.startswith("debian:12"), "Dockerfile: the runtime stage is not debian:12")
check(stages[1].startswith("debian:12"), "Dockerfile: the build stage is not debian:12")
m = re.search(r"^USER (\d+)(?::(\d+))?$", runtime, re.M)
uid = int(m.group(1)) if m else None
check(uid == 10001, "Dockerfile: runtime USER must be the numeric uid 10001")
check(re.search(r"useradd .*-u 10001", runtime) is not None, "Dockerfile: useradd -u 10001")
check(re.search(r'^ENTRYPOINT \["/usr/local/bin/entrypoint.sh"\]', runtime, re.M) is not None,
      "Dockerfile: ENTRYPOINT is not the entrypoint script")
check(re.search(r'HEALTHCHECK[^\n]*(\\\n[^\n]*)*entrypoint.sh", "health"', runtime) is not None,
      "Dockerfile: HEALTHCHECK does not run entrypoint.sh health")
check("VOLUME /var/lib/agreements" in runtime, "Dockerfile: VOLUME /var/lib/agreements")
for src in re.findall(r"^COPY (?!--from)(\S+)", runtime, re.M):
    check(os.path.exists(os.path.join(deploy, "..", src)), f"Dockerfile: COPY {src}: no such file")
print(f"  Dockerfile: EXPOSE {sorted(expose)}, USER {uid}")

# compose.yaml.
compose = yaml.safe_load(read("compose.yaml"))
svc = compose["services"]["agreements"]
build = svc["build"]
context = os.path.normpath(os.path.join(deploy, build["context"]))
check(context == os.path.normpath(os.path.join(deploy, "..")),
      "compose.yaml: build context is not the repository root")
check(os.path.exists(os.path.join(context, build["dockerfile"])),
      f"compose.yaml: {build['dockerfile']} does not exist")
env = svc.get("environment", {})
check(port(env.get("AGREEMENTS_LISTEN", f":{grpc}")) == grpc, "compose.yaml: AGREEMENTS_LISTEN port")
check(port(env.get("AGREEMENTS_METRICS_LISTEN", f":{metrics}")) == metrics,
      "compose.yaml: AGREEMENTS_METRICS_LISTEN port")
check("AGREEMENTS_INSECURE" not in env, "compose.yaml: AGREEMENTS_INSECURE set")
published = {int(str(p).rsplit(":", 1)[1]) for p in svc.get("ports", [])}
check(published == {grpc, metrics}, f"compose.yaml: container ports {sorted(published)}")
check(svc.get("healthcheck", {}).get("test", [])[-2:] == ["/usr/local/bin/entrypoint.sh", "health"],
      "compose.yaml: healthcheck does not run entrypoint.sh health")
grace = str(svc.get("stop_grace_period", "10s"))
check(grace.endswith("s") and int(grace[:-1]) > 10, "compose.yaml: stop_grace_period must exceed 10s")
defined = set(compose.get("secrets", {}))
for name, service in compose["services"].items():
    for s in service.get("secrets", []):
        src = s if isinstance(s, str) else s["source"]
        check(src in defined, f"compose.yaml: service {name} uses undefined secret {src}")
    for v in service.get("volumes", []):
        host = v.split(":")[0]
        if host.startswith("."):
            check(os.path.exists(os.path.join(deploy, host)), f"compose.yaml: {host} does not exist")
mounted = {s if isinstance(s, str) else s["source"]: s for s in svc.get("secrets", [])}
targets = {(s.get("target") if isinstance(s, dict) else None) or "/run/secrets/" + k
           for k, s in mounted.items()}
for var in ("AGREEMENTS_TOKENS_FILE", "AGREEMENTS_POLICY_FILE", "AGREEMENTS_METRICS_TOKEN_FILE",
            "AGREEMENTS_SIGNING_KEY"):
    check(env.get(var) in targets, f"compose.yaml: {var}={env.get(var)} is no mounted secret")
for f in ("tls.crt", "tls.key"):
    check(f"{env.get('AGREEMENTS_TLS_DIR')}/{f}" in targets, f"compose.yaml: no secret at TLS_DIR/{f}")
prom = read("config/prometheus-compose.yml")
check(f"agreements:{metrics}" in prom, f"prometheus-compose.yml: target is not agreements:{metrics}")
print(f"  compose.yaml: ports {sorted(published)}, secrets {sorted(defined)}")

# Kubernetes.
kust = yaml.safe_load(read("k8s/kustomization.yaml"))
docs = []
for res in kust["resources"]:
    check(os.path.exists(os.path.join(deploy, "k8s", res)), f"kustomization.yaml: {res} missing")
    docs += [d for d in yaml.safe_load_all(read("k8s/" + res)) if d]
listed = set(kust["resources"])
for f in os.listdir(os.path.join(deploy, "k8s")):
    if f.endswith(".yaml") and f != "kustomization.yaml":
        check(f in listed, f"kustomization.yaml does not list {f}")
for d in docs:
    check("namespace" not in d.get("metadata", {}), f"{d['kind']} {d['metadata']['name']}: names a namespace")
by_kind = {}
for d in docs:
    by_kind.setdefault(d["kind"], []).append(d)
(sts,) = by_kind["StatefulSet"]
spec = sts["spec"]
pod = spec["template"]["spec"]
labels = spec["template"]["metadata"]["labels"]
sel = spec["selector"]["matchLabels"]
check(all(labels.get(k) == v for k, v in sel.items()), "StatefulSet: selector does not match the pod labels")
check(spec["replicas"] == 1, "StatefulSet: replicas must be 1 (single writer)")
check(pod.get("terminationGracePeriodSeconds", 30) > 10, "StatefulSet: terminationGracePeriodSeconds <= 10")
psc = pod.get("securityContext", {})
check(psc.get("runAsNonRoot") is True and psc.get("runAsUser") == uid and psc.get("fsGroup") == uid,
      f"StatefulSet: securityContext must run as {uid} with fsGroup {uid}")
claims = {c["metadata"]["name"]: c for c in spec.get("volumeClaimTemplates", [])}
check(claims.get("data", {}).get("spec", {}).get("resources", {}).get("requests", {}).get("storage") == "20Gi",
      "StatefulSet: claim template data of 20Gi")
headless = [s for s in by_kind["Service"] if s["spec"].get("clusterIP") == "None"]
check([s["metadata"]["name"] for s in headless] == [spec["serviceName"]],
      "StatefulSet: serviceName is not the headless Service")
volumes = {v["name"]: v for v in pod.get("volumes", [])}
secrets = {v["secret"]["secretName"] for v in volumes.values() if "secret" in v}
check(secrets == {"agreements-tls", "agreements-access", "agreements-signing-key",
                  "agreements-metrics-token"}, f"StatefulSet: secrets {sorted(secrets)}")
(container,) = pod["containers"]
csc = container.get("securityContext", {})
check(csc.get("readOnlyRootFilesystem") is True, "StatefulSet: readOnlyRootFilesystem")
check(csc.get("allowPrivilegeEscalation") is False, "StatefulSet: allowPrivilegeEscalation")
mounts = {m["mountPath"]: m["name"] for m in container.get("volumeMounts", [])}
for m in container.get("volumeMounts", []):
    check(m["name"] in volumes or m["name"] in claims, f"StatefulSet: mount {m['name']} has no volume")
cenv = {e["name"]: e.get("value") for e in container.get("env", [])}
check("AGREEMENTS_INSECURE" not in cenv, "StatefulSet: AGREEMENTS_INSECURE set")
check(port(cenv["AGREEMENTS_LISTEN"]) == grpc, "StatefulSet: AGREEMENTS_LISTEN port")
check(port(cenv["AGREEMENTS_METRICS_LISTEN"]) == metrics, "StatefulSet: AGREEMENTS_METRICS_LISTEN port")
check(mounts.get(cenv["AGREEMENTS_DATA_DIR"]) == "data", "StatefulSet: the data dir is not the claim")
for var in ("AGREEMENTS_TOKENS_FILE", "AGREEMENTS_POLICY_FILE", "AGREEMENTS_SIGNING_KEY",
            "AGREEMENTS_METRICS_TOKEN_FILE"):
    check(mounts.get(os.path.dirname(cenv[var])) in volumes, f"StatefulSet: {var} is not in a mounted secret")
check(mounts.get(cenv["AGREEMENTS_TLS_DIR"]) == "tls", "StatefulSet: AGREEMENTS_TLS_DIR is not the TLS secret")
cports = {p["name"]: p["containerPort"] for p in container["ports"]}
check(cports == {"grpc": grpc, "metrics": metrics}, f"StatefulSet: container ports {cports}")
for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
    p = container.get(probe)
    check(p is not None, f"StatefulSet: no {probe}")
    if not p:
        continue
    if "grpc" in p:
        check(p["grpc"]["port"] == grpc, f"StatefulSet: {probe} port")
    else:
        check(p.get("exec", {}).get("command") == ["/usr/local/bin/entrypoint.sh", "health"],
              f"StatefulSet: {probe} is neither grpc nor entrypoint.sh health")
    check(p.get("timeoutSeconds", 1) > 5, f"StatefulSet: {probe} timeout must exceed the health wait (5s)")
for s in by_kind["Service"]:
    for p in s["spec"]["ports"]:
        target = p.get("targetPort", p["port"])
        target = cports.get(target, target)
        check(p["port"] == target and target in (grpc, metrics),
              f"Service {s['metadata']['name']}: port {p['name']} {p['port']} -> {target}")
    check(all(labels.get(k) == v for k, v in s["spec"]["selector"].items()),
          f"Service {s['metadata']['name']}: selector does not match the pod")
(pdb,) = by_kind["PodDisruptionBudget"]
check(pdb["spec"].get("maxUnavailable") == 0 or pdb["spec"].get("minAvailable") == 1,
      "PodDisruptionBudget: maxUnavailable 0 or minAvailable 1")
check(all(labels.get(k) == v for k, v in pdb["spec"]["selector"]["matchLabels"].items()),
      "PodDisruptionBudget: selector does not match the pod")
print(f"  k8s: {len(docs)} objects, ports {cports}, secrets {sorted(secrets)}")

for e in errors:
    print(f"  error: {e}", file=sys.stderr)
sys.exit(1 if errors else 0)
PY
  # The compose scrape configuration, as Prometheus would load it (the secrets it names
  # replaced by scratch files).
  command -v promtool >/dev/null || fail "promtool is not installed (Debian package prometheus)"
  local dir=$work/prometheus
  mkdir -p "$dir/secrets"
  echo "scratch-token" >"$dir/secrets/agreements_metrics_token"
  : >"$dir/secrets/agreements_ca"
  sed "s#/run/secrets/#$dir/secrets/#" "$deploy/config/prometheus-compose.yml" >"$dir/prometheus.yml"
  cp "$deploy/prometheus/alerts.yml" "$dir/alerts.yml"
  promtool check config "$dir/prometheus.yml" >"$dir/out" 2>&1 ||
    { cat "$dir/out" >&2; fail "promtool check config (compose scrape file)"; }
  echo "  promtool: config/prometheus-compose.yml with deploy/prometheus/alerts.yml valid"
}

# ---------------------------------------------------------------------------------------
# The package lists of the Dockerfile's stages (the lines of its apt-get install).
stage_packages() {
  local stage=$1
  awk -v stage="$stage" '
    /^FROM / { current = $NF }
    current == stage && /apt-get install/ { inlist = 1; next }
    current == stage && inlist {
      if ($1 == "&&") { inlist = 0; next }
      gsub(/\\/, ""); if ($1 != "") print $1
    }' "$deploy/container/Dockerfile"
}

check_packages() {
  local build runtime deps
  build=$(stage_packages build | sort -u)
  runtime=$(stage_packages runtime | sort -u)
  [[ -n $build && -n $runtime ]] || fail "no apt-get install lists found in the Dockerfile"
  deps=$(sed -n '/^packages=(/,/^)/p' "$deploy/install-deps.sh" | sed '1d;$d' | awk '{print $1}' | sort -u)
  [[ -n $deps ]] || fail "no packages=( ... ) list in deploy/install-deps.sh"
  local p bad=0
  # Every build package of the image is one the project installs (git: the commit in
  # --version), and every library package the project installs is in the image, but for
  # clang's sanitizer and libFuzzer runtime, which only `make fuzz` uses.
  for p in $build; do
    [[ $p == git ]] || grep -qxF "$p" <<<"$deps" ||
      { echo "  Dockerfile build stage: $p is not in deploy/install-deps.sh" >&2; bad=1; }
  done
  for p in $(grep -E '^lib.*-dev$|^protobuf-compiler|^cmake$|^pkg-config$|^build-essential$' <<<"$deps" |
    grep -v '^libclang-rt-' || true); do
    grep -qxF "$p" <<<"$build" ||
      { echo "  deploy/install-deps.sh: $p is missing from the Dockerfile build stage" >&2; bad=1; }
  done
  echo "  build stage: $(tr '\n' ' ' <<<"$build")"
  # Runtime: the libraries the binaries load, by Debian package, must be among the
  # runtime packages and their dependencies (as installed here, where the binaries run).
  command -v dpkg-query >/dev/null || fail "dpkg-query is needed for the runtime package check"
  local closure
  local runtime_list
  mapfile -t runtime_list <<<"$runtime"
  closure=$(python3 - "${runtime_list[@]}" <<'PY'
import subprocess, sys
# Every installed package with its dependencies, in one dpkg-query call.
out = subprocess.run(["dpkg-query", "-W", "-f=${Package}\t${db:Status-Abbrev}\t${Depends}, ${Pre-Depends}\t${Provides}\n"],
                     capture_output=True, text=True, check=True).stdout
installed, provides = {}, {}
for line in out.splitlines():
    name, status, deps, prov = (line.split("\t") + ["", "", ""])[:4]
    if not status.startswith("ii"):
        continue
    installed[name] = deps
    for p in prov.split(","):
        if p.strip():
            provides.setdefault(p.strip().split(" ")[0], name)
def depends(pkg):
    if pkg not in installed:
        return None
    names = []
    for alt in installed[pkg].split(","):
        # "a (>= 1) | b": the first alternative that is installed (or provided).
        for choice in alt.split("|"):
            name = choice.strip().split(" ")[0].split(":")[0]
            if not name:
                continue
            if name in installed:
                names.append(name)
                break
            if name in provides:
                names.append(provides[name])
                break
    return names
seen, todo = set(), list(sys.argv[1:])
while todo:
    pkg = todo.pop()
    if pkg in seen:
        continue
    seen.add(pkg)
    deps = depends(pkg)
    if deps is None:
        print(f"MISSING {pkg}")
        continue
    todo += deps
print("\n".join(sorted(seen)))
PY
)
  if grep -q '^MISSING ' <<<"$closure"; then
    grep '^MISSING ' <<<"$closure" | sed 's/^MISSING /  not installed here (cannot check): /' >&2
    fail "runtime packages of the Dockerfile are not installed on this machine"
  fi
  # One dpkg-query -S for every library (by its path and by its resolved path).
  local libs=() lib pkg owners
  mapfile -t libs < <(ldd "$server" "$cli" "$bin_dir/agreements-admin" 2>/dev/null |
    awk '$2 == "=>" && $3 ~ /^\// { print $3 }' | sort -u)
  [[ ${#libs[@]} -gt 0 ]] || fail "ldd found no libraries"
  owners=$(for lib in "${libs[@]}"; do echo "$lib"; readlink -f "$lib"; done | sort -u |
    xargs dpkg-query -S 2>/dev/null || true)
  for lib in "${libs[@]}"; do
    pkg=$(awk -v a="$lib" -v b="$(readlink -f "$lib")" -F': ' '$2 == a || $2 == b { sub(/:.*/, "", $1); print $1; exit }' <<<"$owners")
    if [[ -z $pkg ]]; then
      echo "  $lib: no Debian package provides it" >&2
      bad=1
    elif ! grep -qxF "$pkg" <<<"$closure"; then
      echo "  $lib ($pkg) is loaded by the binaries but not installed by the runtime stage" >&2
      bad=1
    fi
  done
  echo "  runtime stage: $(tr '\n' ' ' <<<"$runtime")(+ $(($(wc -l <<<"$closure") - ${#runtime_list[@]})) dependencies) covers every library of the binaries"
  [[ $bad -eq 0 ]] || fail "package lists (above)"
}

# ---------------------------------------------------------------------------------------
check_command() {
  local dir=$work/command
  mkdir -p "$dir/tls" "$dir/keys" "$dir/access" "$dir/data"
  : >"$dir/tls/tls.crt"
  : >"$dir/tls/tls.key"
  : >"$dir/tls/ca.crt"
  : >"$dir/keys/checkpoint.key"
  : >"$dir/access/tokens"
  : >"$dir/access/policy"
  : >"$dir/access/metrics.token"
  local base=("${clean_env[@]}" "AGREEMENTS_DATA_DIR=$dir/data"
    "AGREEMENTS_SIGNING_KEY=$dir/keys/checkpoint.key")

  # TLS, mutual TLS optional, tokens, policy, metrics token, extra flags.
  local got want
  got=$("${base[@]}" "AGREEMENTS_TLS_DIR=$dir/tls" AGREEMENTS_TLS_CLIENT_AUTH=optional \
    "AGREEMENTS_TOKENS_FILE=$dir/access/tokens" "AGREEMENTS_POLICY_FILE=$dir/access/policy" \
    "AGREEMENTS_METRICS_TOKEN_FILE=$dir/access/metrics.token" AGREEMENTS_LOG_LEVEL=warning \
    "AGREEMENTS_EXTRA_FLAGS=--rate_limit=500  --max_streams=2000" \
    "$entrypoint" print-command --slow_request=2s) || fail "print-command (TLS) exited $?"
  want=$(printf '%s\n' "$server" --listen=0.0.0.0:50051 "--data_dir=$dir/data" \
    "--signing_key=$dir/keys/checkpoint.key" --metrics_listen=0.0.0.0:9464 \
    --log_format=json --log_level=warning "--tls_cert=$dir/tls/tls.crt" \
    "--tls_key=$dir/tls/tls.key" "--tls_client_ca=$dir/tls/ca.crt" \
    --tls_client_auth=optional "--tokens=$dir/access/tokens" \
    "--policy=$dir/access/policy" "--metrics_token_file=$dir/access/metrics.token" \
    --rate_limit=500 --max_streams=2000 --slow_request=2s)
  if [[ $got != "$want" ]]; then
    diff <(echo "$want") <(echo "$got") >&2 || true
    fail "print-command (TLS): unexpected command (diff: expected, got)"
  fi
  echo "  TLS configuration: $(wc -l <<<"$got") arguments as expected"

  # Insecure, off loopback, no metrics listener.
  got=$("${base[@]}" AGREEMENTS_INSECURE=1 AGREEMENTS_METRICS_LISTEN= \
    "$entrypoint" print-command 2>"$dir/insecure.err") || fail "print-command (insecure) exited $?"
  want=$(printf '%s\n' "$server" --listen=0.0.0.0:50051 "--data_dir=$dir/data" \
    "--signing_key=$dir/keys/checkpoint.key" --metrics_listen= --log_format=json \
    --log_level=info --insecure)
  [[ $got == "$want" ]] || { diff <(echo "$want") <(echo "$got") >&2 || true; fail "print-command (insecure): unexpected command"; }
  grep -q WARNING "$dir/insecure.err" || fail "print-command (insecure): no warning on stderr"
  echo "  insecure configuration: --insecure, warning on stderr"

  # Refusals: exit 2 and a message naming what to set.
  refused() {
    local what=$1 expect=$2 status=0
    shift 2
    "${base[@]}" "$@" "$entrypoint" print-command >"$dir/out" 2>"$dir/err" || status=$?
    [[ $status -eq 2 ]] || fail "$what: exit status $status, expected 2"
    grep -q -- "$expect" "$dir/err" || fail "$what: message lacks \"$expect\": $(cat "$dir/err")"
    [[ ! -s $dir/out ]] || fail "$what: printed a command"
    echo "  refused (2): $what"
  }
  refused "off loopback without TLS" AGREEMENTS_TLS_DIR
  refused "off loopback without access control" "no access control" "AGREEMENTS_TLS_DIR=$dir/tls" \
    "AGREEMENTS_METRICS_TOKEN_FILE=$dir/access/metrics.token"
  refused "metrics off loopback without a token" AGREEMENTS_METRICS_TOKEN_FILE \
    "AGREEMENTS_TLS_DIR=$dir/tls" "AGREEMENTS_TOKENS_FILE=$dir/access/tokens"
  refused "metrics off loopback without TLS" AGREEMENTS_METRICS_LISTEN \
    AGREEMENTS_LISTEN=127.0.0.1:50051
  refused "missing signing key" "generate-signing-key" AGREEMENTS_LISTEN=127.0.0.1:50051 \
    AGREEMENTS_METRICS_LISTEN=127.0.0.1:9464 "AGREEMENTS_SIGNING_KEY=$dir/keys/absent.key"
  mkdir -p "$dir/half-tls"
  : >"$dir/half-tls/tls.crt"
  refused "missing TLS key" tls.key "AGREEMENTS_TLS_DIR=$dir/half-tls" AGREEMENTS_LISTEN=127.0.0.1:50051 \
    AGREEMENTS_METRICS_LISTEN=127.0.0.1:9464
  # `health`: the CLI's arguments, seen through a stand-in CLI that prints them (and
  # whether the caller's CLI variables reached it).
  mkdir -p "$dir/stub"
  ln -s "$server" "$dir/stub/agreements-server"
  # shellcheck disable=SC2016 # the stand-in's own script text
  printf '#!/usr/bin/env bash\necho "$* token=${AGREEMENTS_TOKEN:-unset}"\n' >"$dir/stub/agreements"
  chmod +x "$dir/stub/agreements"
  health_args() {
    "${clean_env[@]}" "AGREEMENTS_BIN_DIR=$dir/stub" AGREEMENTS_TOKEN=leak "$@" "$entrypoint" health
  }
  got=$(health_args) || fail "health (defaults) exited $?"
  [[ $got == "--server 127.0.0.1:50051 --timeout 5s health token=unset" ]] ||
    fail "health (defaults): $got"
  got=$(health_args "AGREEMENTS_LISTEN=[::]:6000") || fail "health (IPv6) exited $?"
  [[ $got == "--server [::1]:6000 --timeout 5s health token=unset" ]] || fail "health (IPv6): $got"
  got=$(health_args "AGREEMENTS_TLS_DIR=$dir/tls" AGREEMENTS_TLS_CLIENT_AUTH=require \
    AGREEMENTS_TLS_SERVER_NAME=registry.example.org AGREEMENTS_LISTEN=10.1.2.3:7000) ||
    fail "health (mutual TLS) exited $?"
  want="--server 10.1.2.3:7000 --timeout 5s --tls --tls-ca $dir/tls/ca.crt"
  want+=" --tls-server-name registry.example.org --tls-cert $dir/tls/tls.crt"
  want+=" --tls-key $dir/tls/tls.key health token=unset"
  [[ $got == "$want" ]] || fail "health (mutual TLS): $got"
  echo "  health: loopback for wildcard addresses, TLS and client certificate flags, CLI variables cleared"

  refused "bad listen address" HOST:PORT AGREEMENTS_LISTEN=50051
  refused "extra argument that is not a flag" "two dashes" AGREEMENTS_LISTEN=127.0.0.1:50051 \
    AGREEMENTS_METRICS_LISTEN= "AGREEMENTS_EXTRA_FLAGS=rate_limit=5"
}

# ---------------------------------------------------------------------------------------
# start_server DIR CMD...: starts CMD in the background with stdout and stderr in DIR,
# waits (20 s at most) for "listening on", and sets server_pid, grpc_port, metrics_port.
start_server() {
  local dir=$1
  shift
  "$@" >"$dir/stdout" 2>"$dir/stderr" &
  server_pid=$!
  echo "$server_pid" >>"$work/pids"
  local i
  for ((i = 0; i < 200; i++)); do
    grep -q "listening on" "$dir/stdout" 2>/dev/null && break
    if ! kill -0 "$server_pid" 2>/dev/null; then
      cat "$dir/stderr" >&2
      fail "the server exited before listening"
    fi
    sleep 0.1
  done
  grep -q "listening on" "$dir/stdout" || { cat "$dir/stderr" >&2; fail "no \"listening on\" within 20 s"; }
  grpc_port=$(sed -n 's/^agreements-server listening on [^ ]*:\([0-9]*\) .*/\1/p' "$dir/stdout")
  metrics_port=$(sed -n 's/^agreements-server metrics on [^ ]*:\([0-9]*\)$/\1/p' "$dir/stdout")
  [[ -n $grpc_port ]] || fail "no port in: $(cat "$dir/stdout")"
  echo "  started (pid $server_pid): $(head -1 "$dir/stdout")"
}

# stop_server DIR: SIGTERM, waits (20 s at most), expects exit 0 and "stopped cleanly".
stop_server() {
  local dir=$1 i status=0
  kill -TERM "$server_pid"
  for ((i = 0; i < 200; i++)); do
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$server_pid" 2>/dev/null; then
    kill -KILL "$server_pid" 2>/dev/null || true
    fail "the server did not stop within 20 s of SIGTERM"
  fi
  wait "$server_pid" || status=$?
  [[ $status -eq 0 ]] || { tail -5 "$dir/stderr" >&2; fail "the server exited $status after SIGTERM"; }
  grep -q '"stopped cleanly"' "$dir/stderr" || fail "no \"stopped cleanly\" record"
  echo "  SIGTERM: exit 0, stopped cleanly"
}

# The process started is the server itself (the entrypoint exec'd it).
expect_exec() {
  local exe
  exe=$(readlink -f "/proc/$server_pid/exe")
  [[ $exe == "$(readlink -f "$server")" ]] || fail "pid $server_pid runs $exe, not the server: the entrypoint did not exec"
  echo "  entrypoint exec'd the server (pid $server_pid is agreements-server)"
}

# SIGHUP is answered by a reload record, and the server keeps serving.
expect_reload() {
  local dir=$1 i
  kill -HUP "$server_pid"
  for ((i = 0; i < 100; i++)); do
    grep -q '"SIGHUP: ' "$dir/stderr" && break
    sleep 0.1
  done
  grep -q '"SIGHUP: security files reloaded"' "$dir/stderr" ||
    fail "SIGHUP: no successful reload record: $(grep SIGHUP "$dir/stderr")"
  echo "  SIGHUP: security files reloaded"
}

expect_json_logs() {
  local dir=$1
  python3 - "$dir/stderr" <<'PY' || fail "stderr has lines that are not JSON log records"
import json, re, sys
# gRPC core logs on its own, in its own format (e.g. a failed TLS handshake):
# "E1205 01:13:04.861858701    3873 file.cc:1501] ...". Counted, not failed.
grpc_core = re.compile(r"^[DIWE]\d{4} \d\d:\d\d:\d\d\.\d+ +\d+ \S+:\d+\]")
records = core = 0
for n, line in enumerate(open(sys.argv[1]), 1):
    if grpc_core.match(line):
        core += 1
        continue
    try:
        record = json.loads(line)
        assert "level" in record and "msg" in record
        records += 1
    except Exception:
        print(f"  stderr line {n} is not a JSON record: {line.rstrip()}", file=sys.stderr)
        sys.exit(1)
note = f" (and {core} line(s) of gRPC core's own log format)" if core else ""
print(f"  stderr: {records} JSON log records{note}")
PY
}

check_serve() {
  local dir=$work/serve
  mkdir -p "$dir/keys"
  # The key is made the way an operator makes it, outside the data directory.
  "${clean_env[@]}" "$entrypoint" generate-signing-key "$dir/keys/checkpoint.key" >/dev/null ||
    fail "entrypoint.sh generate-signing-key failed"
  grep -q '^PRIVATE+KEY+agreements-registry+' "$dir/keys/checkpoint.key" ||
    fail "generate-signing-key wrote no key"
  [[ $(stat -c %a "$dir/keys/checkpoint.key") == 600 ]] || fail "the new key is not mode 0600"
  echo "  generate-signing-key: key written, mode 0600"
  local envs=("${clean_env[@]}" "AGREEMENTS_DATA_DIR=$dir/data"
    "AGREEMENTS_SIGNING_KEY=$dir/keys/checkpoint.key" AGREEMENTS_LISTEN=127.0.0.1:0
    AGREEMENTS_METRICS_LISTEN=127.0.0.1:0)
  start_server "$dir" "${envs[@]}" "$entrypoint"
  expect_exec
  # health against the port the server picked.
  "${envs[@]}" "AGREEMENTS_LISTEN=127.0.0.1:$grpc_port" "$entrypoint" health >"$dir/health" 2>&1 ||
    fail "entrypoint.sh health: $(cat "$dir/health")"
  echo "  entrypoint.sh health: $(cat "$dir/health")"
  [[ -n $metrics_port ]] || fail "no metrics listener"
  curl -sf --max-time 5 "http://127.0.0.1:$metrics_port/metrics" >"$dir/metrics" ||
    fail "GET /metrics failed"
  grep -q '^agreements_serving 1' "$dir/metrics" || fail "/metrics does not say agreements_serving 1"
  echo "  GET /metrics: agreements_serving 1"
  "$cli" --server "127.0.0.1:$grpc_port" --timeout 5s sectors >/dev/null ||
    fail "agreements sectors failed"
  echo "  agreements sectors: ok"
  expect_reload "$dir"
  "${envs[@]}" "AGREEMENTS_LISTEN=127.0.0.1:$grpc_port" "$entrypoint" health >/dev/null 2>&1 ||
    fail "not healthy after SIGHUP"
  stop_server "$dir"
  expect_json_logs "$dir"
  [[ ! -e $dir/data/checkpoint.key ]] || fail "a signing key appeared in the data directory"
}

check_tls() {
  local dir=$work/tls
  mkdir -p "$dir"
  AGREEMENTS_BIN_DIR=$bin_dir "$deploy/container/make-dev-secrets.sh" "$dir/secrets" >/dev/null ||
    fail "make-dev-secrets.sh failed"
  local s=$dir/secrets
  local envs=("${clean_env[@]}" "AGREEMENTS_DATA_DIR=$dir/data" "AGREEMENTS_SIGNING_KEY=$s/checkpoint.key"
    AGREEMENTS_LISTEN=127.0.0.1:0 AGREEMENTS_METRICS_LISTEN=127.0.0.1:0 "AGREEMENTS_TLS_DIR=$s"
    AGREEMENTS_TLS_CLIENT_AUTH=optional "AGREEMENTS_TOKENS_FILE=$s/tokens"
    "AGREEMENTS_POLICY_FILE=$s/policy" "AGREEMENTS_METRICS_TOKEN_FILE=$s/metrics.token")
  start_server "$dir" "${envs[@]}" "$entrypoint"
  grep -q ', TLS)' "$dir/stdout" || fail "the server does not say TLS"
  expect_exec
  "${envs[@]}" "AGREEMENTS_LISTEN=127.0.0.1:$grpc_port" "$entrypoint" health >"$dir/health" 2>&1 ||
    fail "entrypoint.sh health (TLS): $(cat "$dir/health")"
  echo "  entrypoint.sh health over TLS: $(cat "$dir/health")"
  # A plaintext client is refused.
  if "$cli" --server "127.0.0.1:$grpc_port" --timeout 2s health >/dev/null 2>&1; then
    fail "a plaintext client reached the TLS port"
  fi
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 --cacert "$s/ca.crt" \
    "https://127.0.0.1:$metrics_port/metrics") || true
  [[ $code == 401 ]] || fail "GET /metrics without the token: HTTP $code, expected 401"
  code=$(curl -s -o "$dir/metrics" -w '%{http_code}' --max-time 5 --cacert "$s/ca.crt" \
    -H "Authorization: Bearer $(cat "$s/metrics.token")" "https://127.0.0.1:$metrics_port/metrics") || true
  [[ $code == 200 ]] || fail "GET /metrics with the token: HTTP $code, expected 200"
  echo "  GET /metrics over TLS: 401 without the token, 200 with it"
  local who
  who=$("$cli" --server "127.0.0.1:$grpc_port" --tls-ca "$s/ca.crt" --token-file "$s/ops.token" \
    --timeout 5s -o json whoami) || fail "agreements whoami with the ops token failed"
  grep -q '"ops"' <<<"$who" || fail "whoami is not ops: $who"
  echo "  agreements whoami (token over TLS): ops"
  expect_reload "$dir"
  stop_server "$dir"
  expect_json_logs "$dir"
}

check_flagfile() {
  local dir=$work/flagfile s=$work/tls/secrets
  [[ -f $s/tls.crt ]] || fail "needs the secrets of the tls check"
  mkdir -p "$dir"
  sed -e "s#^--listen=.*#--listen=127.0.0.1:0#" \
    -e "s#^--metrics_listen=.*#--metrics_listen=127.0.0.1:0#" \
    -e "s#^--http_listen=.*#--http_listen=127.0.0.1:0#" \
    -e "s#=/var/lib/agreements\$#=$dir/data#" \
    -e "s#=/etc/agreements/checkpoint.key\$#=$s/checkpoint.key#" \
    -e "s#=/etc/agreements/server.pem\$#=$s/tls.crt#" \
    -e "s#=/etc/agreements/server.key\$#=$s/tls.key#" \
    -e "s#=/etc/agreements/tokens\$#=$s/tokens#" \
    -e "s#=/etc/agreements/policy\$#=$s/policy#" \
    -e "s#=/etc/agreements/metrics.token\$#=$s/metrics.token#" \
    "$deploy/config/server.flags" >"$dir/server.flags"
  if grep -E '^--.*=/(etc|var)/' "$dir/server.flags" >&2; then
    fail "config/server.flags names a path this check does not map (add it here)"
  fi
  # As the systemd unit runs it: the flag file alone.
  start_server "$dir" "$server" "--flagfile=$dir/server.flags"
  grep -q ', TLS)' "$dir/stdout" || fail "the server does not say TLS"
  "$cli" --server "127.0.0.1:$grpc_port" --tls-ca "$s/ca.crt" --timeout 5s health >"$dir/health" 2>&1 ||
    fail "agreements health: $(cat "$dir/health")"
  echo "  agreements health over TLS: $(cat "$dir/health")"
  grep -q '"log_format":"json"' "$dir/stderr" || fail "the configuration record lacks log_format json"
  expect_reload "$dir"
  stop_server "$dir"
  expect_json_logs "$dir"
}

run_check yaml check_yaml
run_check systemd check_systemd
run_check flags check_flags
run_check manifests check_manifests
run_check packages check_packages
run_check command check_command
run_check serve check_serve
run_check tls check_tls
run_check flagfile check_flagfile
run_check cluster check_cluster

echo
if [[ $failed -gt 0 ]]; then
  echo "check-deploy: failed: ${failed_names[*]}"
fi
echo "check-deploy: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
