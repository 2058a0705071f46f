#!/usr/bin/env bash
# Validates the Prometheus and Grafana deployment files; run it from any directory.
#
#   deploy/prometheus/check.sh
#
# 1. promtool check config prometheus.yml (also checks the rule files it names)
# 2. promtool check rules alerts.yml
# 3. promtool test rules alerts_test.yml
# 4. the Grafana dashboard is valid JSON (python3 -m json.tool)
# 5. every metric name in the dashboard's PromQL is one the server exports (list below)
# 6. every dashboard expression parses (promtool check rules on a generated rule file,
#    with Grafana's variables replaced by plain values)
#
# Exits 1 if any step fails, after running all of them, and names the failed steps.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dashboard="$(cd "$here/../grafana" && pwd)/agreements-dashboard.json"

if ! command -v promtool >/dev/null 2>&1; then
  echo "check.sh: promtool not found on PATH." >&2
  echo "  Install it with the Debian package: sudo apt-get install prometheus" >&2
  echo "  (or put a promtool binary from a Prometheus release on PATH)." >&2
  exit 1
fi
if ! command -v python3 >/dev/null 2>&1; then
  echo "check.sh: python3 not found on PATH (needed for the dashboard checks)." >&2
  exit 1
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

failed=()
step() {
  local name="$1"
  shift
  echo "== $name"
  if "$@"; then
    echo "   ok"
  else
    echo "   FAILED: $name" >&2
    failed+=("$name")
  fi
}

cd "$here"
step "promtool check config prometheus.yml" promtool check config prometheus.yml
step "promtool check rules alerts.yml" promtool check rules alerts.yml
step "promtool test rules alerts_test.yml" promtool test rules alerts_test.yml
step "dashboard is valid JSON" python3 -m json.tool "$dashboard" /dev/null

# Metric names exported by agreements-server (and the "up" series Prometheus adds).
# Histograms are listed by base name; their _bucket, _sum and _count series are allowed.
check_metric_names() {
  python3 - "$dashboard" "$work/dashboard-exprs.yml" <<'PY'
import json
import re
import sys

COUNTERS_AND_GAUGES = """
up
agreements_build_info
agreements_serving
agreements_requests_total
agreements_commit_queue_depth
agreements_log_head_position
agreements_views_applied_position
agreements_projection_lag_events
agreements_feed_subscribers
agreements_feed_subscriber_lag_events_max
agreements_feed_fell_behind_total
agreements_denials_total
agreements_checkpoint_age_seconds
agreements_rocksdb_pending_compaction_bytes
agreements_rocksdb_write_stopped
agreements_rocksdb_delayed_write_rate_bytes
agreements_rocksdb_stall_seconds_total
agreements_rocksdb_memtable_bytes
agreements_rocksdb_block_cache_usage_bytes
agreements_rocksdb_block_cache_capacity_bytes
agreements_rocksdb_block_cache_hits_total
agreements_rocksdb_block_cache_misses_total
agreements_rocksdb_live_sst_bytes
agreements_data_dir_free_bytes
agreements_data_dir_size_bytes
process_resident_memory_bytes
process_cpu_seconds_total
process_open_fds
process_max_fds
process_start_time_seconds
""".split()
HISTOGRAMS = """
agreements_request_duration_seconds
agreements_commit_group_events
agreements_commit_duration_seconds
""".split()

KNOWN = set(COUNTERS_AND_GAUGES)
for h in HISTOGRAMS:
    KNOWN.update({h + "_bucket", h + "_sum", h + "_count"})

# PromQL functions and aggregation operators (the ones a dashboard is likely to use).
FUNCTIONS = set("""
abs absent absent_over_time avg avg_over_time bottomk ceil changes clamp clamp_max
clamp_min count count_over_time count_values delta deriv exp floor group histogram_quantile
holt_winters idelta increase irate label_join label_replace last_over_time ln log2 log10
max max_over_time min min_over_time predict_linear quantile quantile_over_time rate resets
round scalar sgn sort sort_desc sqrt stddev stddev_over_time stdvar stdvar_over_time sum
sum_over_time time timestamp topk vector
""".split())
KEYWORDS = set("and or unless bool offset by without on ignoring group_left group_right inf nan".split())

STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`')
LABEL_LIST = re.compile(r'\b(by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)')
MATCHERS = re.compile(r'\{[^{}]*\}')
RANGE = re.compile(r'\[[^\[\]]*\]')
NUMBER = re.compile(r'(?<![\w:])\d[\w.]*')
IDENT = re.compile(r'[A-Za-z_:][\w:]*')


def names_in(expr):
    """Returns (metric names, function names) used by a PromQL expression."""
    text = STRING.sub('""', expr)
    text = LABEL_LIST.sub(" ", text)
    text = MATCHERS.sub(" ", text)
    text = RANGE.sub(" ", text)
    text = NUMBER.sub(" ", text)
    metrics, functions = [], []
    for m in IDENT.finditer(text):
        word = m.group(0)
        if re.match(r'\s*\(', text[m.end():]):
            functions.append(word)
        elif word.lower() not in KEYWORDS:
            metrics.append(word)
    return metrics, functions


def walk_panels(panels):
    for p in panels:
        yield p
        yield from walk_panels(p.get("panels", []))


try:
    with open(sys.argv[1]) as f:
        dash = json.load(f)
except (OSError, ValueError) as e:
    print(f"cannot read the dashboard {sys.argv[1]}: {e}")
    sys.exit(1)

exprs = []  # (where, expr)
for p in walk_panels(dash.get("panels", [])):
    for t in p.get("targets", []):
        if t.get("expr"):
            exprs.append((f'panel "{p.get("title")}" target {t.get("refId")}', t["expr"]))
for v in dash.get("templating", {}).get("list", []):
    if v.get("type") != "query":
        continue
    q = v.get("query")
    if isinstance(q, dict):
        q = q.get("query", "")
    m = re.fullmatch(r'\s*label_values\((.*),\s*[A-Za-z_]\w*\s*\)\s*', q or "")
    if m:
        exprs.append((f'variable "{v.get("name")}"', m.group(1)))
    elif q:
        print(f'variable "{v.get("name")}": cannot read query {q!r}')
        sys.exit(1)

errors = []
for where, expr in exprs:
    metrics, functions = names_in(expr)
    for name in metrics:
        if name not in KNOWN:
            errors.append(f"{where}: unknown metric {name!r} in: {expr}")
    for name in functions:
        if name not in FUNCTIONS:
            errors.append(f"{where}: unknown function {name!r} in: {expr}")
    if not metrics:
        errors.append(f"{where}: no metric name found in: {expr}")

# A rule file with every expression, Grafana's variables replaced, for promtool to parse.
def plain(expr):
    expr = re.sub(r'\$(__rate_interval|__interval|__range)\b|\$\{(__rate_interval|__interval|__range)\}', "5m", expr)
    expr = re.sub(r'\$\{?__\w+\}?', "60", expr)
    return re.sub(r'\$\{?\w+(:\w+)?\}?', ".*", expr)

with open(sys.argv[2], "w") as out:
    out.write("groups:\n  - name: dashboard\n    rules:\n")
    for i, (where, expr) in enumerate(exprs):
        out.write(f"      - record: dashboard:expr_{i}\n")
        out.write(f"        expr: {json.dumps(plain(expr))}\n")

for e in errors:
    print(e)
print(f"{len(exprs)} expressions checked, {len(errors)} problems")
sys.exit(1 if errors else 0)
PY
}
step "dashboard metric names" check_metric_names
if [[ -s "$work/dashboard-exprs.yml" ]]; then
  step "dashboard expressions parse" promtool check rules "$work/dashboard-exprs.yml"
else
  echo "== dashboard expressions parse"
  echo "   FAILED: no expressions extracted from the dashboard" >&2
  failed+=("dashboard expressions parse")
fi

echo
if ((${#failed[@]} > 0)); then
  echo "check.sh: ${#failed[@]} check(s) failed:" >&2
  printf '  - %s\n' "${failed[@]}" >&2
  exit 1
fi
echo "check.sh: all checks passed"
