"""Small helpers shared by the soak test's modules: logging, the failure list,
pacing, least-squares slopes and bounded joins."""

from __future__ import annotations

import statistics
import sys
import threading
import time
import traceback
from collections import defaultdict
from typing import Iterable, NoReturn, Sequence

_START = time.monotonic()
_PRINT_LOCK = threading.Lock()
# Messages kept per failure category (the count is always exact).
MESSAGES_PER_CATEGORY = 10


def elapsed() -> float:
    """Seconds since the soak test started."""
    return time.monotonic() - _START


def log(message: str) -> None:
    """One line on stdout with the time since the start."""
    with _PRINT_LOCK:
        print(f"[soak {elapsed():7.1f}s] {message}", flush=True)


class Failures:
    """Every reason the soak fails, by category (thread-safe). The run fails
    when any was added."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, int] = defaultdict(int)
        self._messages: dict[str, list[str]] = defaultdict(list)

    def add(self, category: str, message: str) -> None:
        """Records one failure; the first few of each category are printed."""
        with self._lock:
            self._counts[category] += 1
            keep = len(self._messages[category]) < MESSAGES_PER_CATEGORY
            if keep:
                self._messages[category].append(message)
        if keep:
            log(f"FAILURE [{category}] {message}")

    @property
    def ok(self) -> bool:
        """True when nothing failed."""
        with self._lock:
            return not self._counts

    def summary(self) -> dict[str, dict]:
        """{category: {"count": n, "messages": [...]}}."""
        with self._lock:
            return {category: {"count": count, "messages": list(self._messages[category])}
                    for category, count in sorted(self._counts.items())}


class GuardedThread(threading.Thread):
    """A daemon thread whose body() may raise anything: an exception it lets
    escape is a failure of the run (category "crash"), never a silent death."""

    def __init__(self, name: str, failures: Failures) -> None:
        super().__init__(name=name, daemon=True)
        self.failures = failures

    def run(self) -> None:
        """Runs body(); records what escapes it."""
        try:
            self.body()
        except Exception:  # pylint: disable=broad-except  # reported as a failure
            self.failures.add("crash", f"{self.name}: {traceback.format_exc()}")

    def body(self) -> None:
        """The thread's work."""
        raise NotImplementedError


class Pacer:
    """Spreads units of work (events, calls) evenly at `rate` per second. A caller
    that fell behind may catch up by at most one second's worth at once."""

    def __init__(self, rate: float) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self._interval = 1.0 / rate
        self._next = time.monotonic()
        self._lock = threading.Lock()

    def wait(self, units: float, stop: threading.Event) -> bool:
        """Sleeps until `units` may be spent; False when `stop` was set first."""
        with self._lock:
            now = time.monotonic()
            self._next = max(self._next, now - 1.0)
            due = self._next
            self._next += units * self._interval
        pause = due - time.monotonic()
        if pause > 0:
            return not stop.wait(pause)
        return not stop.is_set()


def slope_per_minute(times: Sequence[float], values: Sequence[float]) -> float:
    """Least-squares slope of values over times (seconds), per minute; 0 for
    fewer than two distinct times."""
    if len(times) < 2:
        return 0.0
    mean_t = statistics.fmean(times)
    mean_v = statistics.fmean(values)
    spread = sum((t - mean_t) ** 2 for t in times)
    if spread == 0:
        return 0.0
    covariance = sum((t - mean_t) * (v - mean_v) for t, v in zip(times, values))
    return covariance / spread * 60.0


def percentile(values: Sequence[float], fraction: float) -> float:
    """The value at `fraction` (0..1) of the sorted values (nearest rank); 0 when
    empty."""
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def join_all(threads: Iterable[threading.Thread], timeout: float) -> list[str]:
    """Joins the threads within `timeout` seconds in all; the names of those still
    alive."""
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    return [thread.name for thread in threads if thread.is_alive()]


def fatal(message: str) -> NoReturn:
    """Prints `message` on stderr and exits 2 (a usage or set-up error)."""
    print(f"soak: {message}", file=sys.stderr, flush=True)
    raise SystemExit(2)
