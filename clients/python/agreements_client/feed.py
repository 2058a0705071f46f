"""Resuming change feeds (docs/feeds.md): FeedSubscription follows
FeedService.Subscribe and SectorWatcher follows FeedService.WatchSector. After a
disconnect or a server restart each reopens its stream after the last position it
delivered, so the consumer receives every matching event once, in position order.

    subscription = client.subscribe("beginning", sectors=["energy"])
    for event in subscription.events(limit=10):
        handle(event)
    # Later (or after a crash, with a position stored by the consumer):
    for event in client.subscribe(subscription.last_position + 1).events():
        ...

Iterating blocks the calling thread; stop() (from any thread) ends the iteration
promptly and for good; leaving the loop (break, limit, until_caught_up) closes the
open stream, and iterating again continues after the last message delivered.

The bookkeeping (SubscribeResume, SectorResume, Backoff, is_resumable) has no
transport, like the C++ client's feed_resume.h.
"""

from __future__ import annotations

import random
import threading
from contextlib import closing
from dataclasses import dataclass
from typing import Callable, Iterator, Optional, Protocol

import grpc

from agreements_client import v1
from agreements_client.errors import AgreementsError, UnavailableError

# A feed never ends by itself: OK (the stream just ended), UNAVAILABLE (server
# down, restarting or shutting down) and CANCELLED not asked for are disconnects.
RESUMABLE_CODES = frozenset(
    {grpc.StatusCode.OK, grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.CANCELLED})


def is_resumable(code: grpc.StatusCode) -> bool:
    """Whether a stream that ended with `code` should be reopened; anything else
    (INVALID_ARGUMENT, RESOURCE_EXHAUSTED, PERMISSION_DENIED ...) is an answer."""
    return code in RESUMABLE_CODES


def covered_position(message: "v1.SubscribeResponse") -> Optional[int]:
    """The position a Subscribe message covers (an event's, a batch's last event's,
    a marker's); None when it covers none."""
    kind = message.WhichOneof("kind")
    if kind == "event":
        return message.event.envelope.position
    if kind == "events":
        events = message.events.events
        return events[-1].envelope.position if events else None
    if kind in ("checkpoint", "caught_up", "fell_behind"):
        return getattr(message, kind).position
    return None


def sector_covered_position(message: "v1.WatchSectorResponse") -> Optional[int]:
    """The position a WatchSector message covers; None for snapshot rows."""
    kind = message.WhichOneof("kind")
    if kind == "update":
        return None if message.update.snapshot else message.update.position
    if kind in ("removed", "checkpoint", "caught_up", "fell_behind"):
        return getattr(message, kind).position
    return None


class SubscribeResume:
    """The resume point of one Subscribe stream: observe every message delivered,
    in order; resume_request() then delivers exactly the rest."""

    def __init__(self, request: "v1.SubscribeRequest") -> None:
        self._request = v1.SubscribeRequest()
        self._request.CopyFrom(request)
        start = request.WhichOneof("start")
        self._last: Optional[int] = 0
        if start == "from_now":
            self._last = None
        elif start == "from_position":
            self._last = request.from_position - 1 if request.from_position > 0 else None
        self._observed = False

    @property
    def has_position(self) -> bool:
        """False only for a from_now request before its first message."""
        return self._last is not None

    @property
    def last_position(self) -> int:
        """The last position covered; 0 when none."""
        return self._last or 0

    def observe(self, message: "v1.SubscribeResponse") -> None:
        """Notes the position a delivered message covers."""
        position = covered_position(message)
        if position is not None:
            self.observe_position(position)

    def observe_position(self, position: int) -> None:
        """Notes that everything up to `position` was delivered (never goes back)."""
        self._last = max(self._last or 0, position)
        self._observed = True

    def resume_request(self) -> "v1.SubscribeRequest":
        """from_position = last_position + 1 with the original filter and settings;
        the original request until a message with a position was observed."""
        request = v1.SubscribeRequest()
        request.CopyFrom(self._request)
        if self._observed:
            request.from_position = self.last_position + 1
        return request


class SectorResume:
    """The resume point of one WatchSector stream. A snapshot cannot be resumed part
    way: until the first message after it, the resume request is the original."""

    def __init__(self, request: "v1.WatchSectorRequest") -> None:
        self._request = v1.WatchSectorRequest()
        self._request.CopyFrom(request)
        self._last = request.resume_after

    @property
    def last_position(self) -> int:
        """The last position covered; 0 while the snapshot is incomplete."""
        return self._last

    def observe(self, message: "v1.WatchSectorResponse") -> None:
        """Notes the position a delivered message covers."""
        position = sector_covered_position(message)
        if position is not None:
            self._last = max(self._last, position)

    def resume_request(self) -> "v1.WatchSectorRequest":
        """resume_after = last_position (no snapshot), once past the snapshot."""
        request = v1.WatchSectorRequest()
        request.CopyFrom(self._request)
        if self._last > 0:
            request.resume_after = self._last
        return request


class Backoff:
    """Bounded exponential backoff with jitter, in seconds."""

    def __init__(self, initial: float, maximum: float, jitter: float) -> None:
        self._initial, self._maximum, self._jitter = initial, maximum, jitter
        self._current = initial

    def next(self) -> float:
        """The pause to take now; the next one is twice as long, up to maximum."""
        pause = self._current * random.uniform(1 - self._jitter, 1 + self._jitter)
        self._current = min(self._current * 2, self._maximum)
        return min(pause, self._maximum)

    def reset(self) -> None:
        """Back to the initial pause (after a stream delivered something)."""
        self._current = self._initial


@dataclass(frozen=True)
class ResumeOptions:
    """How a resuming stream reopens.

    Attributes:
        initial_backoff: first pause before reopening, seconds (> 0).
        max_backoff: the pause doubles after each attempt that received nothing,
            up to this (>= initial_backoff).
        jitter: each pause is multiplied by a random factor in [1-j, 1+j], 0 <= j < 1.
        on_resume: called before each pause with the error that ended the stream,
            the last position covered and the pause.
    """

    initial_backoff: float = 0.1
    max_backoff: float = 5.0
    jitter: float = 0.2
    on_resume: Optional[Callable[[AgreementsError, int, float], None]] = None

    def check(self) -> None:
        """Raises ValueError for inconsistent values."""
        if not self.initial_backoff > 0:
            raise ValueError("initial_backoff: must be positive")
        if self.max_backoff < self.initial_backoff:
            raise ValueError("max_backoff: must be at least initial_backoff")
        if not 0 <= self.jitter < 1:
            raise ValueError("jitter: must be in [0, 1)")


class _Resume(Protocol):
    """What the resuming loop needs of SubscribeResume and SectorResume."""

    last_position: int

    def observe(self, message) -> None: ...

    def resume_request(self): ...


class _ResumingStream:
    """The resuming loop shared by both streams."""

    def __init__(self, open_stream: Callable, resume: _Resume,
                 options: Optional[ResumeOptions]) -> None:
        self._open = open_stream
        self._resume = resume
        self._options = options or ResumeOptions()
        self._options.check()
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._call = None

    @property
    def last_position(self) -> int:
        """The last position covered by a delivered message (0 before any)."""
        return self._resume.last_position

    @property
    def stopped(self) -> bool:
        """Whether stop() was called."""
        return self._stopped.is_set()

    def stop(self) -> None:
        """Ends the iteration promptly (cancels the open stream or the pause), for
        good; safe from any thread."""
        self._stopped.set()
        with self._lock:
            call = self._call
        if call is not None:
            call.cancel()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def messages(self, until_caught_up: bool = False) -> Iterator:
        """Every message, across reconnections, until stop() or the consumer leaves
        the loop; with until_caught_up, up to and including the first caught_up.
        Raises AgreementsError when the server answers with an error that is not a
        disconnect (is_resumable)."""
        with closing(self._attempts(observe=True)) as stream:
            for message in stream:
                yield message
                if until_caught_up and message.WhichOneof("kind") == "caught_up":
                    return

    def _attempts(self, observe: bool) -> Iterator:
        """Messages of successive streams; observes each one when asked."""
        backoff = Backoff(self._options.initial_backoff, self._options.max_backoff,
                          self._options.jitter)
        while (call := self._begin()) is not None:
            received, ended = False, None
            try:
                for message in call:
                    received = True
                    if self._stopped.is_set():
                        return
                    if observe:
                        self._resume.observe(message)
                    yield message
            except grpc.RpcError as rpc_error:
                ended = AgreementsError.from_rpc_error(rpc_error)
            finally:
                self._end(call)
            if not self._pause_before_resuming(backoff, ended, received):
                return

    def _pause_before_resuming(self, backoff: Backoff, ended: Optional[AgreementsError],
                               received: bool) -> bool:
        """After a stream ended: raises for an answer, else pauses; False if stopped."""
        if self._stopped.is_set():
            return False
        if ended is not None and not is_resumable(ended.code):
            raise ended
        if ended is None:
            ended = UnavailableError(grpc.StatusCode.UNAVAILABLE,
                                     "the server ended the stream")
        if received:
            backoff.reset()
        pause = backoff.next()
        if self._options.on_resume is not None:
            self._options.on_resume(ended, self.last_position, pause)
        return not self._stopped.wait(pause)

    def _begin(self):
        """Opens the next stream with the resume request; None once stopped."""
        with self._lock:
            if self._stopped.is_set():
                return None
            self._call = self._open(self._resume.resume_request())
            return self._call

    def _end(self, call) -> None:
        """Forgets and cancels the stream (a no-op when it already ended)."""
        with self._lock:
            self._call = None
        call.cancel()


class FeedSubscription(_ResumingStream):
    """Follows one Subscribe stream (a start and a filter) across disconnects and
    server restarts: it resubscribes with from_position = last position covered
    + 1 and the same filter, with bounded exponential backoff. Markers may repeat
    across a reconnection (a reopened stream sends a new caught_up); events never
    do. A from_now subscription that fails before its first message subscribes
    from "now" again."""

    def __init__(self, open_stream: Callable[["v1.SubscribeRequest"], object],
                 request: "v1.SubscribeRequest",
                 options: Optional[ResumeOptions] = None) -> None:
        self._subscribe_resume = SubscribeResume(request)
        super().__init__(open_stream, self._subscribe_resume, options)

    def resume_request(self) -> "v1.SubscribeRequest":
        """The request that continues after the last position delivered."""
        return self._subscribe_resume.resume_request()

    def events(self, limit: Optional[int] = None,
               until_caught_up: bool = False) -> Iterator["v1.Event"]:
        """The matching events (single or batched), each once, in position order.

        Markers and checkpoints are consumed (they advance last_position). Ends
        after `limit` events, or at the first caught_up with until_caught_up. A
        batch is delivered event by event: leaving the loop inside a batch resumes
        at the next event of it.
        """
        if limit is not None and limit <= 0:
            return
        count = 0
        with closing(self._attempts(observe=False)) as stream:
            for message in stream:
                kind = message.WhichOneof("kind")
                if kind not in ("event", "events"):
                    self._subscribe_resume.observe(message)
                    if until_caught_up and kind == "caught_up":
                        return
                    continue
                for event in message.events.events if kind == "events" else [message.event]:
                    self._subscribe_resume.observe_position(event.envelope.position)
                    yield event
                    count += 1
                    if limit is not None and count >= limit:
                        return


class SectorWatcher(_ResumingStream):
    """Follows one WatchSector stream across disconnects and server restarts: it
    reopens with resume_after = last position covered (no new snapshot). A
    disconnect during the snapshot restarts the snapshot (its rows are states that
    replace the earlier ones)."""

    def __init__(self, open_stream: Callable[["v1.WatchSectorRequest"], object],
                 request: "v1.WatchSectorRequest",
                 options: Optional[ResumeOptions] = None) -> None:
        super().__init__(open_stream, SectorResume(request), options)
