"""The phases of one soak run (tests/soak/soak.py parses the command line):
set-up, the load phase with its monitors, then the checks at the end."""

from __future__ import annotations

import argparse
import os
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Optional

import agreements_client as ac
from agreements_client import v1

from soak_audit import CheckpointMonitor, PinnedKey
from soak_feeds import (SubscriberPool, WorkerConfig, check_reports, plan_subscribers,
                        summarize_reports)
from soak_load import (BatchWriter, Ledger, LoadContext, Reader, SingleWriter,
                       log_writer_progress, reader_summary)
from soak_sampler import (Sampler, analyse, default_bounds, format_table, per_minute,
                          results_json, samples_json)
from soak_security import SighupDriver
from soak_server import (SecurityFiles, ServerConfig, ServerProcess, copy_binaries,
                         log_levels, rebuild_compare, rebuild_replace, verify_store)
from soak_util import Failures, join_all, log
from soak_views import compare, counts, snapshot

PROGRESS_EVERY = 30.0
WRITER_JOIN_TIMEOUT = 150.0
MONITOR_JOIN_TIMEOUT = 60.0
STREAMS_OPEN_TIMEOUT = 60.0
CHECKPOINT_WAIT = 20.0
HEALTH_TIMEOUT = 60.0
SNAPSHOT_CALL_TIMEOUT = 60.0
# Shorter load phases only report RSS: the server's state caches fill in about 230 s
# at the default load (README, "Resources"), so their second half is warm-up.
RSS_JUDGED_FROM_SECONDS = 300.0
# The server's --shutdown_grace (10 s) plus what closing the store may take.
SHUTDOWN_BOUND = 15.0


def writer_rates(args: argparse.Namespace) -> tuple[float, float]:
    """Events per second of each single writer and of each batch writer."""
    share = args.batch_share if args.writers else 1.0
    share = share if args.batch_writers else 0.0
    single = args.rate * (1 - share) / args.writers if args.writers else 0.0
    batch = args.rate * share / args.batch_writers if args.batch_writers else 0.0
    return single, batch


def _config_of(args: argparse.Namespace) -> dict:
    """The arguments for the report."""
    return {key: (str(value) if isinstance(value, Path) else value)
            for key, value in vars(args).items()}


class SoakRun:
    """One soak run: its processes, threads, checks and report."""

    def __init__(self, args: argparse.Namespace, work: Path) -> None:
        self.args = args
        self.work = work
        self.failures = Failures()
        self.stop_load = threading.Event()
        self.stop_monitors = threading.Event()
        self.abort = threading.Event()
        self.report: dict = {"config": _config_of(args), "work_dir": str(work)}
        self.server: Optional[ServerProcess] = None
        self.restarted: Optional[ServerProcess] = None
        self.pool: Optional[SubscriberPool] = None
        self.sampler: Optional[Sampler] = None
        self.monitor: Optional[CheckpointMonitor] = None
        self.sighup: Optional[SighupDriver] = None
        self.ledger = Ledger()
        self.writers: list = []
        self.readers: list = []
        self.clients: list = []
        self.load_window = (0.0, 0.0)

    # Set-up.

    def prepare(self) -> None:
        """Private copies of the binaries, the security files and the server's
        configuration."""
        self.binaries = copy_binaries(self.args.bin_dir, self.work / "bin")
        self.security = SecurityFiles(self.work)
        self.data_dir = self.work / "data"
        self.signing_key = self.work / "checkpoint.key"
        self.config = ServerConfig(
            binary=self.binaries.server, data_dir=self.data_dir,
            signing_key=self.signing_key, security=self.security,
            log_path=self.work / "server.log", extra_flags=self._server_flags())
        self.report["server_flags"] = self.config.command()[1:]

    def _server_flags(self) -> list[str]:
        """Limits raised for 200 subscribers and the load, and small caches so that
        every bounded structure reaches its bound early in the run."""
        args = self.args
        return [f"--max_streams_per_principal={max(100, args.subscribers + 16)}",
                "--rate_limit=2000", "--rate_limit_burst=4000",
                f"--block_cache_mb={args.block_cache_mb}",
                f"--write_buffer_mb={args.write_buffer_mb}",
                f"--feed_window_events={args.feed_window_events}", "--feed_window_mb=16",
                *args.server_flag]

    def client(self, principal: str, timeout: Optional[float] = None):
        """A RegistryClient of the running server with a principal's token."""
        server = self.restarted or self.server
        options = ac.ConnectionOptions(target=server.address,
                                       token=self.security.token(principal),
                                       timeout=timeout or self.args.call_timeout)
        client = ac.RegistryClient(options)
        self.clients.append(client)
        return client

    def start_server(self) -> None:
        """Starts the server and the sampler; pins the checkpoint key."""
        self.server = ServerProcess(self.config).start()
        log(f"server {self.server.pid} listening on {self.server.address}")
        self.sampler = Sampler(self.server.pid, self.server.metrics_address)
        self.sampler.start()
        self.admin = self.client("soak-admin")
        self.admin.wait_for_healthy(HEALTH_TIMEOUT)
        self.key = PinnedKey.from_signing_key(self.signing_key)
        if self.key is None:
            log("python3-cryptography missing: checkpoint signatures are not checked")

    def start_subscribers(self) -> None:
        """The subscriber workers; waits until the server holds every stream."""
        args = self.args
        specs = plan_subscribers(args.subscribers, args.idle_subscribers,
                                 args.single_event_subscribers, args.subscriber_batch)
        config = WorkerConfig(
            target=self.server.address,
            reading_token=self.security.token("soak-subscriber"),
            idle_token=self.security.token("soak-idle"),
            gen_dir=os.environ.get("AGREEMENTS_PY_GEN", ""),
            python_dir=str(Path(ac.__file__).resolve().parents[1]), specs=specs)
        self.pool = SubscriberPool(config, args.subscriber_processes)
        opened = self.pool.start()
        open_streams = self._wait_for_open_streams(args.subscribers)
        log(f"{opened} subscribers opened ({args.idle_subscribers} idle) in "
            f"{args.subscriber_processes} processes; the server holds {open_streams} "
            f"feed streams")
        self.report["open_streams_at_start"] = open_streams

    def _wait_for_open_streams(self, expected: int) -> int:
        """The server's open feed streams once at least `expected` (bounded)."""
        deadline = time.monotonic() + STREAMS_OPEN_TIMEOUT
        while True:
            status = self.admin.call(self.admin.security.GetSecurityStatus,
                                     v1.GetSecurityStatusRequest())
            count = status.streams.open_stream_count
            if count >= expected:
                return count
            if time.monotonic() > deadline:
                refusals = {r.limit: r.count for r in status.streams.refusals}
                self.failures.add("subscribers", f"only {count} of {expected} feed streams "
                                                 f"open (refusals {refusals})")
                return count
            time.sleep(0.5)

    # The load phase.

    def run_load(self) -> None:
        """Monitors, writers and readers for --seconds; progress every 30 s."""
        context = LoadContext(self.ledger, self.failures, self.stop_load, self.abort)
        self._start_monitors()
        self._start_load_threads(context)
        started = self.sampler.clock()
        deadline = time.monotonic() + self.args.seconds
        log(f"load phase: {self.args.seconds:.0f} s")
        while (remaining := deadline - time.monotonic()) > 0:
            if self.abort.wait(min(PROGRESS_EVERY, remaining)):
                break
            if not self.server.alive():
                self.failures.add("server", f"the server exited during the load:\n"
                                            f"{self.server.log_tail()}")
                break
            self._progress(time.monotonic() - (deadline - self.args.seconds))
        self.load_window = (started, self.sampler.clock())
        self._stop_load_threads()

    def _start_monitors(self) -> None:
        """The checkpoint monitor and the SIGHUP driver."""
        self.monitor = CheckpointMonitor(self.client("soak-auditor"), self.key,
                                         self.args.checkpoint_every, self.failures,
                                         self.stop_monitors)
        self.sighup = SighupDriver(self.server, self.security, self.admin,
                                   self.args.sighup_every, self.failures,
                                   self.stop_monitors)
        self.monitor.check_latest()
        self.monitor.start()
        self.sighup.start()

    def _start_load_threads(self, context) -> None:
        """Writers and readers, each with its own client."""
        args = self.args
        single_rate, batch_rate = writer_rates(args)
        self.writers = [SingleWriter(i, self.client("soak-writer"), context, single_rate)
                        for i in range(args.writers)]
        self.writers += [BatchWriter(i, self.client("soak-writer"), context, batch_rate,
                                     stream=i % 2 == 1) for i in range(args.batch_writers)]
        read_rate = args.read_rate / max(1, args.readers)
        self.readers = [Reader(i, self.client("soak-reader"), context, read_rate)
                        for i in range(args.readers)]
        for thread in self.writers + self.readers:
            thread.start()

    def _progress(self, seconds: float) -> None:
        """One progress line."""
        log_writer_progress(self.ledger, seconds)
        sample = self.sampler.latest()
        status = self.pool.status()
        memtables = (sample.memtable_mib or 0) if sample else 0
        resources = (f"rss {sample.rss_mib:.0f} MiB (memtables {memtables:.0f}), "
                     f"{sample.fds} fds ({sample.fds_sst} SST), {sample.threads} threads"
                     if sample else "no sample")
        log(f"server: {resources}; subscribers at {status['min']}..{status['max']} "
            f"({status['problems']} problems, {status['resumes']} resumes, "
            f"{status['idle_open']} idle open); checkpoints {self.monitor.fetched}; "
            f"sighups {self.sighup.cycles}")

    def _stop_load_threads(self) -> None:
        """Stops and joins writers and readers, then the monitors."""
        self.stop_load.set()
        stuck = join_all(self.writers + self.readers, WRITER_JOIN_TIMEOUT)
        if stuck:
            self.failures.add("load", f"threads did not stop: {stuck}")
        self.stop_monitors.set()
        stuck = join_all([self.monitor, self.sighup], MONITOR_JOIN_TIMEOUT)
        if stuck:
            self.failures.add("load", f"monitors did not stop: {stuck}")
        self.report["load_seconds"] = round(self.load_window[1] - self.load_window[0], 1)

    # The end: catch-up, views, shutdown, offline checks, restart.

    def settle(self) -> int:
        """The final head; it must equal the events the writers acknowledged."""
        head = max(self.ledger.max_position, self._views_position())
        writes = self.ledger.snapshot()
        seconds = self.report["load_seconds"]
        writes["events_per_second"] = round(writes["events"] / seconds, 1) if seconds else 0
        self.report["writes"] = writes
        self.report["reads"] = reader_summary(self.readers)
        if writes["events"] != head:
            self.failures.add("log", f"head {head}, but the writers were acknowledged "
                                     f"{writes['events']} events")
        log(f"writers stopped: head {head}, {writes['events']} events acknowledged "
            f"({writes['events_per_second']}/s)")
        return head

    def _views_position(self) -> int:
        """The position the views answer at (every acknowledged write)."""
        return self.admin.call(self.admin.queries.ListSectors,
                               v1.ListSectorsRequest()).position

    def drain_subscribers(self, head: int) -> None:
        """Waits for the reading subscribers to reach the head; checks them all."""
        started = time.monotonic()
        reports, stuck = self.pool.drain(head, self.args.drain_timeout)
        summary = summarize_reports(reports)
        summary["drain_seconds"] = round(time.monotonic() - started, 1)
        self.report["subscribers"] = summary
        for problem in check_reports(reports, head):
            self.failures.add("feed", problem)
        if stuck:
            self.failures.add("feed", f"{stuck} subscriber threads did not stop")
        log(f"subscribers: {summary['reading']} reading reached head {head} in "
            f"{summary['drain_seconds']} s; {summary['idle_open_at_end']} of "
            f"{summary['idle']} idle streams still open")

    def snapshot_views(self) -> dict:
        """The views' contents through the running server."""
        view = snapshot(self.client("soak-admin", SNAPSHOT_CALL_TIMEOUT))
        log(f"views: {counts(view)['agreements']} agreements, "
            f"{counts(view)['parties']} parties")
        return view

    def final_checkpoint(self, head: int) -> None:
        """A checkpoint at the head, consistent with the first one seen."""
        deadline = time.monotonic() + CHECKPOINT_WAIT
        latest = self.monitor.check_latest()
        while (latest is None or latest.tree_size < head) and time.monotonic() < deadline:
            time.sleep(0.5)
            latest = self.monitor.check_latest()
        if latest is None or latest.tree_size != head:
            size = latest.tree_size if latest else None
            self.failures.add("checkpoint", f"no checkpoint at the head {head} ({size})")
        self.monitor.verify_span()
        self.report["checkpoints"] = self.monitor.summary()
        self.report["sighup"] = self.sighup.summary()

    def stop_server(self) -> None:
        """SIGTERM with the idle streams still open: a clean, timely exit."""
        self.report["peak_rss_mib"] = round(self.sampler.peak_rss_mib, 1)
        code, seconds = self.server.stop()
        self.sampler.stop()
        self.report["shutdown"] = {"exit_code": code, "seconds": round(seconds, 1)}
        log(f"server stopped: exit {code} in {seconds:.1f} s")
        if code != 0:
            self.failures.add("server", f"exit code {code} after SIGTERM")
        elif seconds > SHUTDOWN_BOUND:
            self.failures.add("server", f"shutdown took {seconds:.1f} s (bound "
                                        f"{SHUTDOWN_BOUND:.0f} s)")
        levels, errors = log_levels(self.config.log_path)
        self.report["server_log_levels"] = levels
        for record in errors:
            self.failures.add("server-log", record)

    def close_subscribers(self) -> None:
        """Ends the worker processes (the idle streams)."""
        if self.pool is not None:
            self.pool.close()
            self.pool = None

    def offline_checks(self, head: int) -> None:
        """verify, rebuild (compare), rebuild --replace, verify again."""
        admin, data, key = self.binaries.admin, self.data_dir, self.signing_key
        steps = {"verify": verify_store(admin, data, key),
                 "rebuild": rebuild_compare(admin, data),
                 "rebuild_replace": rebuild_replace(admin, data),
                 "verify_after_rebuild": verify_store(admin, data, key)}
        self.report["offline"] = steps
        for name, step in steps.items():
            if not step["ok"]:
                self.failures.add("offline", f"{name} failed (exit {step['code']}): "
                                             f"{step['output'][-2000:]}")
            elif step["events"] != head:
                self.failures.add("offline", f"{name} covered {step['events']} events, "
                                             f"head {head}")

    def restart_and_compare(self, before: dict) -> None:
        """Restarts the server on the rebuilt views; they must equal `before`, and
        its checkpoint must be consistent with the last one seen."""
        config = replace(self.config, log_path=self.work / "server-restart.log")
        self.restarted = ServerProcess(config).start()
        client = self.client("soak-admin", SNAPSHOT_CALL_TIMEOUT)
        client.wait_for_healthy(HEALTH_TIMEOUT)
        after = self.snapshot_views()
        differences = compare(before, after)
        for difference in differences:
            self.failures.add("views", f"after rebuild and restart: {difference}")
        self.monitor.rebind(self.client("soak-auditor"))
        self.monitor.check_latest()
        code, _ = self.restarted.stop()
        self.report["views"] = {"agreements": len(before["agreements"]),
                                "parties": len(before["parties"]),
                                "sectors": before["sectors"],
                                "equal_after_rebuild": not differences}
        if code != 0:
            self.failures.add("server", f"restarted server: exit code {code} after SIGTERM")

    def analyse_resources(self) -> None:
        """The sampler's verdict over the load phase."""
        samples = self.sampler.samples(*self.load_window)
        seconds = self.load_window[1] - self.load_window[0]
        judge_rss = seconds >= RSS_JUDGED_FROM_SECONDS
        if not judge_rss:
            log(f"RSS reported, not judged: a load phase under "
                f"{RSS_JUDGED_FROM_SECONDS:.0f} s is still warming up")
        results = analyse(samples, default_bounds(self.args.rss_slope, self.args.rss_margin,
                                                  judge_rss))
        print(format_table(results, seconds, len(samples)), flush=True)
        self.report["resources"] = results_json(results)
        self.report["resources"]["per_minute"] = per_minute(samples)
        self.report["resources"]["samples"] = samples_json(samples)
        for result in results:
            if not result.ok:
                self.failures.add("resources", result.reason())

    def cleanup(self) -> None:
        """Stops everything still running, whatever happened."""
        self.abort.set()
        self.stop_load.set()
        self.stop_monitors.set()
        self.close_subscribers()
        for server in (self.server, self.restarted):
            if server is not None and server.alive():
                server.kill()
        if self.sampler is not None:
            self.sampler.stop()
        for client in self.clients:
            client.close()


def execute(run: SoakRun) -> None:
    """Every phase in order."""
    run.prepare()
    run.start_server()
    run.start_subscribers()
    run.run_load()
    head = run.settle()
    run.drain_subscribers(head)
    before = run.snapshot_views()
    run.final_checkpoint(head)
    run.stop_server()
    run.close_subscribers()
    run.offline_checks(head)
    run.restart_and_compare(before)
    run.analyse_resources()
