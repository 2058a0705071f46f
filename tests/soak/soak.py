#!/usr/bin/python3
"""Soak test of agreements-server (issue 18, section 3).

Runs a real server for a bounded time under concurrent writers (single RPCs,
ExecuteBatch and ExecuteBatchStream), readers (with min_position), 200 feed
subscribers of which some never read, periodic SIGHUP reloads and a checkpoint
monitor; samples the server's RSS, open file descriptors and threads every
second; then stops the writers, waits for the subscribers to catch up, stops the
server, runs `agreements-admin verify`, `rebuild` and `rebuild --replace`, verifies
again, restarts the server and compares the views with what they held before.

    /usr/bin/python3 tests/soak/soak.py --seconds 60           # a quick check
    /usr/bin/python3 tests/soak/soak.py --report soak.json     # 10 minutes

Exit code 0 when every check passed, 1 when one failed (the reasons are printed
and in the report), 2 for a set-up error. tests/soak/README.md has the details.
"""

from __future__ import annotations

import argparse
import faulthandler
import json
import os
import shutil
import signal
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Optional

# No __pycache__ next to the sources (nor in the worker processes).
sys.dont_write_bytecode = True
os.environ["PYTHONDONTWRITEBYTECODE"] = "1"
SOAK_DIR = Path(__file__).resolve().parent
REPOSITORY = SOAK_DIR.parents[1]
PYTHON_DIR = REPOSITORY / "clients" / "python"
for _entry in (str(SOAK_DIR), str(PYTHON_DIR)):
    if _entry not in sys.path:
        sys.path.insert(0, _entry)

# pylint: disable=wrong-import-position
from soak_util import fatal, log  # noqa: E402

# The whole run may take this much longer than --seconds before the watchdog
# prints every stack and exits.
WATCHDOG_SLACK = 1800.0


def parse_args(argv: Optional[list[str]] = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        description="Soak test of agreements-server (tests/soak/README.md).")
    add = parser.add_argument
    add("--seconds", type=float, default=600, help="load phase, seconds (%(default)s)")
    add("--subscribers", type=int, default=200, help="feed subscribers (%(default)s)")
    add("--idle-subscribers", type=int, default=40,
        help="of those, subscribers that never read (%(default)s)")
    add("--single-event-subscribers", type=int, default=16,
        help="of the reading ones, those reading one event per message; the others "
             "ask for batches (%(default)s)")
    add("--subscriber-batch", type=int, default=64,
        help="max_events_per_message of the batch readers (%(default)s)")
    add("--subscriber-processes", type=int, default=4,
        help="worker processes holding the subscribers (%(default)s)")
    add("--writers", type=int, default=4, help="single-RPC writers (%(default)s)")
    add("--batch-writers", type=int, default=2,
        help="batch writers; odd ones use ExecuteBatchStream (%(default)s)")
    add("--readers", type=int, default=4, help="readers (%(default)s)")
    add("--rate", type=float, default=100,
        help="events per second, all writers (%(default)s)")
    add("--batch-share", type=float, default=0.6,
        help="share of --rate written by the batch writers (%(default)s)")
    add("--read-rate", type=float, default=40, help="reads per second, all readers "
                                                     "(%(default)s)")
    add("--sighup-every", type=float, default=20,
        help="seconds between reloads (%(default)s)")
    add("--checkpoint-every", type=float, default=3,
        help="seconds between checkpoint checks (%(default)s)")
    add("--drain-timeout", type=float, default=180,
        help="seconds the subscribers get to reach the head at the end (%(default)s)")
    add("--rss-slope", type=float, default=2.0,
        help="RSS bound, MiB per minute over the second half (%(default)s)")
    add("--rss-margin", type=float, default=16.0,
        help="RSS margin over the first half's maximum, MiB (%(default)s)")
    add("--block-cache-mb", type=int, default=8,
        help="server --block_cache_mb (%(default)s)")
    add("--write-buffer-mb", type=int, default=16,
        help="server --write_buffer_mb (%(default)s)")
    add("--feed-window-events", type=int, default=2048,
        help="server --feed_window_events (%(default)s)")
    add("--server-flag", action="append", default=[],
        help="another agreements-server flag (repeatable)")
    add("--call-timeout", type=float, default=10.0,
        help="deadline of each call (%(default)s)")
    add("--bin-dir", type=Path, default=REPOSITORY / "build" / "bin",
        help="directory of agreements-server and agreements-admin (%(default)s)")
    add("--gen-dir", default="", help="generated Python stubs (default: $AGREEMENTS_PY_GEN "
                                      "or build/clients/python)")
    add("--work-dir", type=Path, default=None,
        help="data, logs and copies of the binaries (default: a new directory in /tmp, "
             "removed after a successful run)")
    add("--keep", action="store_true", help="keep the work directory")
    add("--report", type=Path, default=None, help="write the JSON summary here")
    args = parser.parse_args(argv)
    _check_args(parser, args)
    return args


def _check_args(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Refuses inconsistent numbers."""
    if args.seconds <= 0 or args.rate <= 0 or args.read_rate <= 0:
        parser.error("--seconds, --rate and --read-rate must be positive")
    if not 0 <= args.idle_subscribers <= args.subscribers:
        parser.error("--idle-subscribers must be from 0 to --subscribers")
    if args.single_event_subscribers > args.subscribers - args.idle_subscribers:
        parser.error("--single-event-subscribers exceeds the reading subscribers")
    if args.writers + args.batch_writers < 1:
        parser.error("at least one writer is needed")
    if not 0 <= args.batch_share <= 1:
        parser.error("--batch-share must be from 0 to 1")


def work_directory(args: argparse.Namespace) -> tuple[Path, bool]:
    """The work directory and whether the soak created it (then it may remove it)."""
    if args.work_dir is None:
        return Path(tempfile.mkdtemp(prefix="agreements-soak-")), True
    if args.work_dir.exists() and any(args.work_dir.iterdir()):
        fatal(f"--work-dir {args.work_dir} is not empty")
    args.work_dir.mkdir(parents=True, exist_ok=True)
    return args.work_dir.resolve(), False


def finish(run, args: argparse.Namespace, created: bool) -> int:
    """Writes the report, prints the verdict, removes the work directory when it
    may; the exit code."""
    failures = run.failures.summary()
    run.report["failures"] = failures
    run.report["result"] = "pass" if run.failures.ok else "fail"
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(json.dumps(run.report, indent=2, sort_keys=True) + "\n")
        log(f"report: {args.report}")
    for category, entry in failures.items():
        log(f"FAILED [{category}] x{entry['count']}: {entry['messages'][0][:500]}")
    if run.failures.ok and created and not args.keep:
        shutil.rmtree(run.work, ignore_errors=True)
    else:
        log(f"work directory kept: {run.work}")
    log(f"result: {run.report['result'].upper()}")
    return 0 if run.failures.ok else 1


def _interrupt(signum: int, frame) -> None:
    """SIGTERM: unwinds like Ctrl-C, so that every process is stopped."""
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: Optional[list[str]] = None) -> int:
    """Runs the soak; 0 pass, 1 fail, 2 set-up error."""
    args = parse_args(argv)
    if args.gen_dir:
        os.environ["AGREEMENTS_PY_GEN"] = str(Path(args.gen_dir).resolve())
    # After AGREEMENTS_PY_GEN is set: the client package finds its stubs on import.
    from soak_run import SoakRun, execute  # pylint: disable=import-outside-toplevel
    faulthandler.dump_traceback_later(args.seconds + WATCHDOG_SLACK, exit=True)
    signal.signal(signal.SIGTERM, _interrupt)
    work, created = work_directory(args)
    run = SoakRun(args, work)
    try:
        execute(run)
    except KeyboardInterrupt:
        run.failures.add("interrupted", "the soak was interrupted")
    except Exception as error:  # pylint: disable=broad-except  # reported as a failure
        run.failures.add("error", f"{type(error).__name__}: {error}")
        traceback.print_exc()
    finally:
        run.cleanup()
    return finish(run, args, created)


if __name__ == "__main__":
    sys.exit(main())
