#!/usr/bin/python3
r"""Follows the registry's change feed, and resumes where a previous run stopped.

    python3 clients/python/examples/follow_feed.py --server 127.0.0.1:50051 \
        [--from beginning|now|POSITION] [--state-file FILE] [--limit N] \
        [--until-caught-up] [--sector S] [--type EVENT_TYPE] [--agreement ID] \
        [--party ID] [--batch N] [--token-file F --ca-file F]

Prints one line per event (wrapped here):

    position=5 stream=agreement/kz-kr-2009 revision=2 type=participant_signed
    actor=anonymous

With --state-file the last position delivered is written to FILE after every
event (and after checkpoints), and a later run starts right after it: every
event is printed once across runs (docs/feeds.md, "Resume"). Within a run, the
subscription reconnects by itself after a disconnect or a server restart.
Stops after --limit events, at the first caught-up marker with
--until-caught-up, or on Ctrl-C / SIGTERM.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path
from typing import Optional, Union

# The agreements_client package is in clients/python.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# pylint: disable=wrong-import-position
import agreements_client as ac  # noqa: E402
from agreements_client import cli, v1  # noqa: E402


def parse_args() -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--from", dest="start", default="beginning",
                        help="beginning, now or a position (ignored when the state file "
                             "holds one)")
    parser.add_argument("--state-file", type=Path,
                        help="file keeping the last position delivered")
    parser.add_argument("--limit", type=int, help="stop after this many events")
    parser.add_argument("--until-caught-up", action="store_true",
                        help="stop at the first caught-up marker (the head)")
    parser.add_argument("--sector", action="append", default=[], help="filter: sector")
    parser.add_argument("--type", action="append", default=[],
                        help="filter: event type, e.g. participant_signed")
    parser.add_argument("--agreement", action="append", default=[],
                        help="filter: agreement id")
    parser.add_argument("--party", action="append", default=[], help="filter: party id")
    parser.add_argument("--batch", type=int, default=0,
                        help="events per message (opt-in batching, docs/feeds.md)")
    cli.add_connection_arguments(parser)
    return parser.parse_args()


def read_state(path: Optional[Path]) -> Optional[int]:
    """The last position stored in the state file; None without one."""
    if path is None or not path.exists():
        return None
    text = path.read_text().strip()
    if not text.isdigit():
        raise SystemExit(f"--state-file {path}: expected a position, got {text!r}")
    return int(text)


def write_state(path: Optional[Path], position: int) -> None:
    """Stores the last position delivered, atomically (write, then rename)."""
    if path is None or position == 0:
        return
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(f"{position}\n")
    os.replace(temporary, path)


def start_of(args: argparse.Namespace) -> Union[int, str]:
    """Where to start: after the stored position, else --from."""
    stored = read_state(args.state_file)
    if stored is not None:
        return stored + 1
    if args.start in ("beginning", "now"):
        return args.start
    if not args.start.isdigit() or int(args.start) < 1:
        raise SystemExit(f"--from {args.start}: expected beginning, now or a position >= 1")
    return int(args.start)


def describe(event: "v1.Event") -> str:
    """One output line for an event."""
    envelope = event.envelope
    stream = "party" if envelope.stream_type == v1.STREAM_TYPE_PARTY else "agreement"
    return (f"position={envelope.position} stream={stream}/{envelope.stream_id} "
            f"revision={envelope.revision} type={envelope.event_type} "
            f"actor={envelope.actor}")


def report_resume(error: ac.AgreementsError, last_position: int, pause: float) -> None:
    """Tells stderr the feed reconnects."""
    print(f"feed: {error}; resuming after position {last_position} in {pause:.1f}s",
          file=sys.stderr)


def stop_on_signals(subscription: ac.FeedSubscription) -> None:
    """Ctrl-C and SIGTERM stop the subscription (the loop then ends cleanly)."""
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: subscription.stop())


def follow(args: argparse.Namespace, subscription: ac.FeedSubscription) -> int:
    """Prints the events and keeps the state file; the number of events printed."""
    count = 0
    events = subscription.events(limit=args.limit, until_caught_up=args.until_caught_up)
    for event in events:
        print(describe(event), flush=True)
        write_state(args.state_file, subscription.last_position)
        count += 1
    # Markers after the last event (checkpoints, caught-up) advance the position too.
    write_state(args.state_file, subscription.last_position)
    return count


def main() -> int:
    """Subscribes and prints the events."""
    args = parse_args()
    with cli.connect_from_args(args) as client:
        subscription = client.subscribe(
            start_of(args), sectors=args.sector, event_types=args.type,
            agreement_ids=args.agreement, party_ids=args.party,
            max_events_per_message=args.batch,
            resume=ac.ResumeOptions(on_resume=report_resume))
        stop_on_signals(subscription)
        count = follow(args, subscription)
        print(f"{count} events; last position {subscription.last_position}",
              file=sys.stderr)
    return 0


if __name__ == "__main__":
    cli.run(main)
