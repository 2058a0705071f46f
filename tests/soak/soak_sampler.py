"""The resource sampler of the soak test: the server's resident memory, open file
descriptors and threads every second from /proc (and RocksDB's memory from the
server's metrics every few seconds), and the test that none grows without bound.

A metric fails when, over the second half of the load phase, BOTH its
least-squares slope exceeds the metric's bound AND its level at the end (the
median of the last tenth of the samples) exceeds the highest value of the first
half by the metric's margin. The slope alone would flag noise and saw-tooth
patterns (memtable flushes, compactions opening and closing files); the level
alone would flag a single step (a thread pool growing once under load). Steady
growth through the second half to above anything seen in the first is what an
unbounded structure looks like.

File descriptors are split by what they point to: RocksDB keeps every live SST
file open (max_open_files -1), and the number of SST files follows the data (an
LSM tree has more files as it grows), so those are reported but not judged; the
others (sockets, pipes, the WAL, directories, logs) must stay flat, and so must
descriptors of deleted files (an obsolete SST kept open by a leaked iterator or
snapshot)."""

from __future__ import annotations

import os
import statistics
import threading
import time
import urllib.request
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Optional

from soak_util import slope_per_minute

INTERVAL = 1.0
# Read the metrics endpoint every this many samples.
METRICS_EVERY = 5
METRICS_TIMEOUT = 2.0
MIB = 1024.0 * 1024.0
# Gauges read from the metrics endpoint: sample field -> (metric, scale).
GAUGES = {
    "memtable_mib": ("agreements_rocksdb_memtable_bytes", 1 / MIB),
    "block_cache_mib": ("agreements_rocksdb_block_cache_usage_bytes", 1 / MIB),
    "live_sst_mib": ("agreements_rocksdb_live_sst_bytes", 1 / MIB),
    "feed_lag_max": ("agreements_feed_subscriber_lag_events_max", 1.0),
}


@dataclass(frozen=True)
class Sample:
    """One reading of the server process. The metrics fields hold the last values
    read from the endpoint (None before the first)."""

    t: float
    rss_mib: float
    fds: int
    fds_sst: int
    fds_deleted: int
    threads: int
    memtable_mib: Optional[float] = None
    block_cache_mib: Optional[float] = None
    live_sst_mib: Optional[float] = None
    feed_lag_max: Optional[float] = None

    @property
    def fds_other(self) -> int:
        """Descriptors that are neither live SST files nor deleted files."""
        return self.fds - self.fds_sst - self.fds_deleted

    @property
    def rss_other_mib(self) -> Optional[float]:
        """RSS less RocksDB's memtables and block cache (both bounded by flags)."""
        if self.memtable_mib is None or self.block_cache_mib is None:
            return None
        return self.rss_mib - self.memtable_mib - self.block_cache_mib


@dataclass(frozen=True)
class Bound:
    """When a metric counts as growing without bound; a bound without a slope is
    only reported."""

    metric: str
    unit: str
    slope_per_minute: Optional[float] = None
    margin: float = 0.0

    @property
    def judged(self) -> bool:
        """Whether the metric can fail the run."""
        return self.slope_per_minute is not None


def default_bounds(rss_slope: float, rss_margin: float,
                   judge_rss: bool = True) -> list[Bound]:
    """The metrics reported, and the bounds of those judged (README: why). RSS is
    only reported when judge_rss is False (a run too short to be past warm-up)."""
    rss = Bound("rss_mib", "MiB", rss_slope, rss_margin) if judge_rss else \
        Bound("rss_mib", "MiB")
    return [rss,
            Bound("fds_other", "fds", 0.5, 4),
            Bound("fds_deleted", "fds", 0.5, 4),
            Bound("threads", "threads", 0.2, 2),
            Bound("fds", "fds"), Bound("fds_sst", "fds"),
            Bound("memtable_mib", "MiB"), Bound("block_cache_mib", "MiB"),
            Bound("rss_other_mib", "MiB"), Bound("live_sst_mib", "MiB"),
            Bound("feed_lag_max", "events")]


def count_fds(pid: int) -> tuple[int, int, int]:
    """(all, live SST files, deleted files) among the process's descriptors."""
    directory = f"/proc/{pid}/fd"
    total = sst = deleted = 0
    for entry in os.listdir(directory):
        try:
            target = os.readlink(f"{directory}/{entry}")
        except OSError:
            continue
        total += 1
        if target.endswith(" (deleted)"):
            deleted += 1
        elif target.endswith(".sst"):
            sst += 1
    return total, sst, deleted


def read_sample(pid: int, t: float, gauges: dict) -> Optional[Sample]:
    """VmRSS and Threads from /proc/PID/status and the descriptors of
    /proc/PID/fd, with the last gauges; None once the process is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        total, sst, deleted = count_fds(pid)
    except (FileNotFoundError, ProcessLookupError):
        return None
    values = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    return Sample(t=t, rss_mib=int(values["VmRSS"].split()[0]) / 1024.0, fds=total,
                  fds_sst=sst, fds_deleted=deleted, threads=int(values["Threads"]),
                  **gauges)


def read_gauges(address: str) -> dict:
    """The GAUGES from GET http://ADDRESS/metrics; {} when it cannot be read."""
    try:
        with urllib.request.urlopen(f"http://{address}/metrics",
                                    timeout=METRICS_TIMEOUT) as response:
            text = response.read().decode()
    except OSError:
        return {}
    found = {}
    for line in text.splitlines():
        name, _, value = line.partition(" ")
        for field, (metric, scale) in GAUGES.items():
            if name == metric:
                found[field] = float(value) * scale
    return found


def peak_rss_mib(pid: int) -> float:
    """VmHWM (peak resident memory) of a running process, MiB; 0 if gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    except FileNotFoundError:
        pass
    return 0.0


class Sampler(threading.Thread):
    """Samples one process every second until stopped or gone."""

    def __init__(self, pid: int, metrics_address: str = "") -> None:
        super().__init__(name="sampler", daemon=True)
        self._pid = pid
        self._metrics_address = metrics_address
        self._origin = time.monotonic()
        self._stop_event = threading.Event()
        self._lock = threading.Lock()
        self._samples: list[Sample] = []
        self._gauges: dict = {}
        self.peak_rss_mib = 0.0

    def run(self) -> None:
        """Samples until stopped or the process is gone."""
        next_due = time.monotonic()
        count = 0
        while not self._stop_event.is_set():
            if self._metrics_address and count % METRICS_EVERY == 0:
                self._gauges.update(read_gauges(self._metrics_address))
            sample = read_sample(self._pid, self.clock(), self._gauges)
            if sample is None:
                return
            with self._lock:
                self._samples.append(sample)
            self.peak_rss_mib = max(self.peak_rss_mib, peak_rss_mib(self._pid))
            count += 1
            next_due += INTERVAL
            self._stop_event.wait(max(0.0, next_due - time.monotonic()))

    def clock(self) -> float:
        """Seconds since sampling started (the samples' time axis)."""
        return time.monotonic() - self._origin

    def stop(self) -> None:
        """Ends sampling (joins the thread)."""
        self._stop_event.set()
        if self.is_alive():
            self.join(5)

    def samples(self, start: float = 0.0, end: float = float("inf")) -> list[Sample]:
        """The samples taken between `start` and `end` (clock() times)."""
        with self._lock:
            return [s for s in self._samples if start <= s.t <= end]

    def latest(self) -> Optional[Sample]:
        """The last sample."""
        with self._lock:
            return self._samples[-1] if self._samples else None


@dataclass(frozen=True)
class MetricResult:
    """One metric over the load phase."""

    bound: Bound
    minimum: float
    median: float
    maximum: float
    first_half_max: float
    end: float
    slope: float
    ok: bool

    def reason(self) -> str:
        """Why the metric failed (empty when it did not)."""
        if self.ok:
            return ""
        b = self.bound
        return (f"{b.metric} grows without bound: {self.slope:+.2f} {b.unit}/min over the "
                f"second half (bound {b.slope_per_minute}), ending at {self.end:.1f} "
                f"{b.unit}, above the first half's maximum {self.first_half_max:.1f} by "
                f"more than {b.margin}")


def analyse(samples: list[Sample], bounds: list[Bound]) -> list[MetricResult]:
    """Each bound's metric over the samples that have it."""
    results = []
    for bound in bounds:
        result = _analyse_one(samples, bound)
        if result is not None:
            results.append(result)
    return results


def _analyse_one(samples: list[Sample], bound: Bound) -> Optional[MetricResult]:
    """min, median, max, second-half slope and the verdict of one metric; None
    with fewer than four samples that have it."""
    points = [(s.t, float(v)) for s in samples
              if (v := getattr(s, bound.metric)) is not None]
    if len(points) < 4:
        return None
    times = [t for t, _ in points]
    values = [v for _, v in points]
    half = len(points) // 2
    slope = slope_per_minute(times[half:], values[half:])
    end = statistics.median(values[-max(1, len(values) // 10):])
    first_half_max = max(values[:half])
    growing = (bound.judged and slope > bound.slope_per_minute and
               end > first_half_max + bound.margin)
    return MetricResult(bound=bound, minimum=min(values), median=statistics.median(values),
                        maximum=max(values), first_half_max=first_half_max, end=end,
                        slope=slope, ok=not growing)


def format_table(results: list[MetricResult], seconds: float, count: int) -> str:
    """The results as a text table."""
    header = (f"server resources over the load phase ({count} samples, {seconds:.0f} s; "
              "slope: least squares over the second half, per minute)")
    rows = [f"{'metric':<16}{'min':>9}{'median':>9}{'max':>9}{'1st-half max':>14}"
            f"{'end':>9}{'slope/min':>11}{'bound':>8}  result"]
    for r in results:
        bound = r.bound.slope_per_minute
        verdict = ("ok" if r.ok else "GROWING") if r.bound.judged else "(reported)"
        rows.append(f"{r.bound.metric:<16}{r.minimum:>9.1f}{r.median:>9.1f}"
                    f"{r.maximum:>9.1f}{r.first_half_max:>14.1f}{r.end:>9.1f}"
                    f"{r.slope:>+11.2f}{'-' if bound is None else bound:>8}  {verdict}")
    return "\n".join([header, *rows])


def per_minute(samples: list[Sample]) -> list[dict]:
    """The median of each metric in each minute of the samples."""
    if not samples:
        return []
    origin = samples[0].t
    minutes: dict[int, list[Sample]] = {}
    for sample in samples:
        minutes.setdefault(int((sample.t - origin) // 60), []).append(sample)
    return [{"minute": minute, **_medians(group)}
            for minute, group in sorted(minutes.items())]


def _medians(group: list[Sample]) -> dict:
    """The median of every metric over some samples (those that have it)."""
    names = [f.name for f in fields(Sample) if f.name != "t"] + ["fds_other",
                                                                 "rss_other_mib"]
    medians = {}
    for name in names:
        values = [v for s in group if (v := getattr(s, name)) is not None]
        if values:
            medians[name] = round(statistics.median(values), 1)
    return medians


def samples_json(samples: list[Sample]) -> dict:
    """Every sample, column by column, t from the first sample."""
    origin = samples[0].t if samples else 0.0
    columns: dict = {"t": [round(s.t - origin, 1) for s in samples]}
    for name in ("rss_mib", "fds", "fds_sst", "fds_deleted", "threads", "memtable_mib",
                 "block_cache_mib", "feed_lag_max"):
        columns[name] = [None if (v := getattr(s, name)) is None else round(v, 1)
                         for s in samples]
    return columns


def results_json(results: list[MetricResult]) -> dict:
    """The results for the JSON report."""
    return {r.bound.metric: {"min": round(r.minimum, 2), "median": round(r.median, 2),
                             "max": round(r.maximum, 2),
                             "first_half_max": round(r.first_half_max, 2),
                             "end": round(r.end, 2), "slope_per_minute": round(r.slope, 3),
                             "bound_slope_per_minute": r.bound.slope_per_minute,
                             "bound_margin": r.bound.margin, "judged": r.bound.judged,
                             "ok": r.ok}
            for r in results}
