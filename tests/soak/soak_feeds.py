"""Feed subscribers of the soak test, in worker processes (so that 200 streams
do not share one interpreter lock with the writers and the sampler).

Reading subscribers follow Subscribe from the beginning through the client's
FeedSubscription (which resumes after a disconnect) and check that positions run
1, 2, 3 ... without a gap or a duplicate. Idle subscribers open Subscribe and
never read: the server must hold them at a bounded cost and never drop them.

The main process drives the workers over a pipe: start (config) -> "ready";
"status" -> progress; "drain" (head, timeout) -> per-subscriber reports once every
reading subscriber reached the head (or the timeout passed); "close" -> the idle
streams are cancelled and the worker exits."""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
import time
from dataclasses import asdict, dataclass, field

# Streams per gRPC channel (each channel its own connection).
STREAMS_PER_CHANNEL = 10
READY_TIMEOUT = 60.0
PIPE_TIMEOUT = 30.0
JOIN_TIMEOUT = 10.0
PROBLEMS_KEPT = 5


@dataclass
class SubscriberSpec:
    """One subscriber a worker runs."""

    index: int
    idle: bool
    # Reading: max_events_per_message (1: one event per message). Idle: unused.
    batch: int = 1
    # Idle only: subscribe from the beginning (True) or from now (False).
    from_beginning: bool = True


@dataclass
class SubscriberReport:
    """What one subscriber saw."""

    index: int
    idle: bool
    batch: int
    events: int = 0
    last_position: int = 0
    gaps: int = 0
    duplicates: int = 0
    messages: int = 0
    checkpoints: int = 0
    caught_up: int = 0
    fell_behind: int = 0
    resumes: int = 0
    error: str = ""
    # Idle: whether the stream was still open when the worker was drained.
    open_at_drain: bool = True
    problems: list = field(default_factory=list)


def record_position(report: SubscriberReport, position: int) -> None:
    """Counts one delivered event; a position that is not the previous + 1 is a
    gap (ahead) or a duplicate (at or behind)."""
    expected = report.last_position + 1
    if position != expected:
        if position < expected:
            report.duplicates += 1
        else:
            report.gaps += 1
        if len(report.problems) < PROBLEMS_KEPT:
            report.problems.append(f"position {position} after {report.last_position}")
    report.events += 1
    report.last_position = max(report.last_position, position)


def _channel(target: str):
    """A channel with a connection of its own (no shared subchannel)."""
    import grpc  # pylint: disable=import-outside-toplevel
    return grpc.insecure_channel(target, options=[
        ("grpc.use_local_subchannel_pool", 1),
        ("grpc.initial_reconnect_backoff_ms", 100),
        ("grpc.max_reconnect_backoff_ms", 1000)])


class ReadingSubscriber:
    """A Subscribe stream from the beginning that checks every position."""

    def __init__(self, spec: SubscriberSpec, stub, metadata) -> None:
        import agreements_client as ac  # pylint: disable=import-outside-toplevel
        from agreements_client import v1  # pylint: disable=import-outside-toplevel
        self.report = SubscriberReport(index=spec.index, idle=False, batch=spec.batch)
        request = v1.SubscribeRequest(from_beginning=True,
                                      max_events_per_message=spec.batch)
        self.subscription = ac.FeedSubscription(
            lambda r: stub.Subscribe(r, metadata=metadata), request,
            ac.ResumeOptions(on_resume=self._on_resume))
        self.thread = threading.Thread(target=self._run, daemon=True,
                                       name=f"subscriber-{spec.index}")

    def _run(self) -> None:
        """Reads until stopped; an error that is not a disconnect is kept."""
        import agreements_client as ac  # pylint: disable=import-outside-toplevel
        try:
            for message in self.subscription.messages():
                self._on_message(message)
        except ac.AgreementsError as error:
            self.report.error = str(error)

    def _on_message(self, message) -> None:
        """Counts a message and checks the events in it."""
        report = self.report
        report.messages += 1
        kind = message.WhichOneof("kind")
        if kind == "event":
            self._on_event(message.event.envelope.position)
        elif kind == "events":
            for event in message.events.events:
                self._on_event(event.envelope.position)
        elif kind == "checkpoint":
            report.checkpoints += 1
        elif kind == "caught_up":
            report.caught_up += 1
        elif kind == "fell_behind":
            report.fell_behind += 1

    def _on_event(self, position: int) -> None:
        """Position must be the previous + 1."""
        record_position(self.report, position)

    def _on_resume(self, error, position: int, pause: float) -> None:
        """Counts a reconnection (the wrapper resumes after `position`)."""
        self.report.resumes += 1
        if len(self.report.problems) < PROBLEMS_KEPT:
            self.report.problems.append(f"resumed after {position}: {error}")


class IdleSubscriber:
    """A Subscribe stream that is opened and never read."""

    def __init__(self, spec: SubscriberSpec, stub, metadata) -> None:
        from agreements_client import v1  # pylint: disable=import-outside-toplevel
        self.report = SubscriberReport(index=spec.index, idle=True, batch=0)
        request = (v1.SubscribeRequest(from_beginning=True) if spec.from_beginning
                   else v1.SubscribeRequest(from_now=True))
        self.call = stub.Subscribe(request, metadata=metadata)

    def still_open(self) -> bool:
        """Whether the server has not ended the stream."""
        return not self.call.done()


@dataclass
class WorkerConfig:
    """What a worker process needs."""

    target: str
    reading_token: str
    idle_token: str
    gen_dir: str
    python_dir: str
    specs: list


def worker_main(connection, config: WorkerConfig) -> None:
    """Entry point of a worker process."""
    if config.gen_dir:
        os.environ["AGREEMENTS_PY_GEN"] = config.gen_dir
    sys.path.insert(0, config.python_dir)
    worker = _Worker(config)
    try:
        worker.start()
        connection.send({"ready": True, "opened": len(worker.reading) + len(worker.idle)})
        worker.serve(connection)
    except Exception as error:  # pylint: disable=broad-except  # reported to main
        try:
            connection.send({"error": f"{type(error).__name__}: {error}"})
        except OSError:
            pass
    finally:
        worker.close()


class _Worker:
    """The subscribers of one worker process."""

    def __init__(self, config: WorkerConfig) -> None:
        self.config = config
        self.reading: list[ReadingSubscriber] = []
        self.idle: list[IdleSubscriber] = []
        self.channels: list = []

    def _stubs(self, count: int):
        """One FeedService stub per STREAMS_PER_CHANNEL streams, cycling."""
        from agreements_client import v1  # pylint: disable=import-outside-toplevel
        stubs = []
        for _ in range(max(1, -(-count // STREAMS_PER_CHANNEL))):
            channel = _channel(self.config.target)
            self.channels.append(channel)
            stubs.append(v1.feed_service_pb2_grpc.FeedServiceStub(channel))
        return [stubs[i // STREAMS_PER_CHANNEL] for i in range(count)]

    def start(self) -> None:
        """Opens every stream; starts the reading threads."""
        specs = [SubscriberSpec(**spec) for spec in self.config.specs]
        reading = [spec for spec in specs if not spec.idle]
        idle = [spec for spec in specs if spec.idle]
        reading_md = (("authorization", f"Bearer {self.config.reading_token}"),)
        idle_md = (("authorization", f"Bearer {self.config.idle_token}"),)
        for spec, stub in zip(reading, self._stubs(len(reading))):
            self.reading.append(ReadingSubscriber(spec, stub, reading_md))
        for spec, stub in zip(idle, self._stubs(len(idle))):
            self.idle.append(IdleSubscriber(spec, stub, idle_md))
        for subscriber in self.reading:
            subscriber.thread.start()

    def serve(self, connection) -> None:
        """Answers the main process until "close" or a closed pipe."""
        while True:
            try:
                if not connection.poll(PIPE_TIMEOUT):
                    continue
                command = connection.recv()
            except (EOFError, OSError):
                return
            if command["cmd"] == "status":
                connection.send(self.status())
            elif command["cmd"] == "drain":
                connection.send(self.drain(command["head"], command["timeout"]))
            elif command["cmd"] == "close":
                connection.send({"closed": True})
                return

    def status(self) -> dict:
        """Positions of the reading subscribers, problems so far, idle streams open."""
        reports = [s.report for s in self.reading]
        return {"min": min((r.last_position for r in reports), default=0),
                "max": max((r.last_position for r in reports), default=0),
                "problems": sum(r.gaps + r.duplicates for r in reports),
                "resumes": sum(r.resumes for r in reports),
                "errors": sum(1 for r in reports if r.error),
                "idle_open": sum(1 for s in self.idle if s.still_open())}

    def drain(self, head: int, timeout: float) -> dict:
        """Waits until every reading subscriber reached `head` (at most `timeout`
        seconds), stops them and returns every report."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(s.report.last_position >= head or s.report.error or
                   not s.thread.is_alive() for s in self.reading):
                break
            time.sleep(0.2)
        for subscriber in self.reading:
            subscriber.subscription.stop()
        stuck = 0
        for subscriber in self.reading:
            subscriber.thread.join(JOIN_TIMEOUT)
            stuck += int(subscriber.thread.is_alive())
        for subscriber in self.idle:
            subscriber.report.open_at_drain = subscriber.still_open()
        reports = [asdict(s.report) for s in self.reading + self.idle]
        return {"reports": reports, "stuck_threads": stuck}

    def close(self) -> None:
        """Stops everything and closes the channels."""
        for subscriber in self.reading:
            subscriber.subscription.stop()
        for subscriber in self.idle:
            subscriber.call.cancel()
        for channel in self.channels:
            channel.close()


class SubscriberPool:
    """The worker processes, seen from the main process."""

    def __init__(self, config: WorkerConfig, processes: int) -> None:
        self._config = config
        self._count = max(1, processes)
        self._context = multiprocessing.get_context("spawn")
        self._workers: list[tuple] = []

    def start(self) -> int:
        """Starts the workers (specs dealt round-robin) and waits until each has
        opened its streams; the number of streams opened."""
        for number in range(self._count):
            specs = self._config.specs[number::self._count]
            config = WorkerConfig(**{**asdict(self._config), "specs": specs})
            parent, child = self._context.Pipe()
            process = self._context.Process(target=worker_main, args=(child, config),
                                            name=f"subscribers-{number}", daemon=True)
            process.start()
            child.close()
            self._workers.append((process, parent))
        answers = [self._receive(parent, READY_TIMEOUT) for _, parent in self._workers]
        return sum(answer.get("opened", 0) for answer in answers)

    def status(self) -> dict:
        """Progress over every worker."""
        answers = self._ask_all({"cmd": "status"}, PIPE_TIMEOUT)
        return {"min": min(a["min"] for a in answers),
                "max": max(a["max"] for a in answers),
                "problems": sum(a["problems"] for a in answers),
                "resumes": sum(a["resumes"] for a in answers),
                "errors": sum(a["errors"] for a in answers),
                "idle_open": sum(a["idle_open"] for a in answers)}

    def drain(self, head: int, timeout: float) -> tuple[list[dict], int]:
        """Every subscriber's report once caught up with `head`; stuck threads."""
        answers = self._ask_all({"cmd": "drain", "head": head, "timeout": timeout},
                                timeout + PIPE_TIMEOUT + JOIN_TIMEOUT * 2)
        reports = [report for answer in answers for report in answer["reports"]]
        return (sorted(reports, key=lambda r: r["index"]),
                sum(answer["stuck_threads"] for answer in answers))

    def close(self) -> None:
        """Asks every worker to close; terminates (then kills) those that do not."""
        for process, parent in self._workers:
            try:
                if process.is_alive():
                    parent.send({"cmd": "close"})
            except OSError:
                pass
        for process, parent in self._workers:
            process.join(JOIN_TIMEOUT)
            if process.is_alive():
                process.terminate()
                process.join(JOIN_TIMEOUT)
            if process.is_alive():
                process.kill()
                process.join(JOIN_TIMEOUT)
            parent.close()
        self._workers = []

    def _ask_all(self, command: dict, timeout: float) -> list[dict]:
        """Sends `command` to every worker; their answers."""
        for _, parent in self._workers:
            parent.send(command)
        return [self._receive(parent, timeout) for _, parent in self._workers]

    @staticmethod
    def _receive(parent, timeout: float) -> dict:
        """One answer within `timeout`; raises when a worker failed or is silent."""
        if not parent.poll(timeout):
            raise RuntimeError(f"a subscriber worker did not answer within {timeout:.0f}s")
        try:
            answer = parent.recv()
        except EOFError as error:
            raise RuntimeError("a subscriber worker died") from error
        if "error" in answer:
            raise RuntimeError(f"a subscriber worker failed: {answer['error']}")
        return answer


def plan_subscribers(total: int, idle: int, single: int, batch: int) -> list[dict]:
    """The specs of `total` subscribers: `idle` idle ones (half from the
    beginning, half from now), `single` reading one event per message, the rest
    reading batches of up to `batch` events."""
    specs = []
    for index in range(total):
        if index < idle:
            spec = SubscriberSpec(index=index, idle=True, from_beginning=index % 2 == 0)
        elif index < idle + single:
            spec = SubscriberSpec(index=index, idle=False, batch=1)
        else:
            spec = SubscriberSpec(index=index, idle=False, batch=batch)
        specs.append(asdict(spec))
    return specs


def check_reports(reports: list[dict], head: int) -> list[str]:
    """Why the subscribers' reports fail: a reading subscriber that missed,
    repeated or did not reach an event up to `head`, or failed; an idle stream the
    server ended."""
    problems = []
    for report in reports:
        name = f"subscriber {report['index']}"
        if report["idle"]:
            if not report["open_at_drain"]:
                problems.append(f"{name} (idle): the server ended the stream")
            continue
        if report["error"]:
            problems.append(f"{name}: {report['error']}")
        if report["gaps"] or report["duplicates"]:
            problems.append(f"{name}: {report['gaps']} gaps, {report['duplicates']} "
                            f"duplicates: {report['problems']}")
        if report["last_position"] != head or report["events"] != head:
            problems.append(f"{name}: {report['events']} events up to position "
                            f"{report['last_position']}, head {head}")
    return problems


def summarize_reports(reports: list[dict]) -> dict:
    """Totals over the reading subscribers."""
    reading = [r for r in reports if not r["idle"]]
    return {"reading": len(reading), "idle": len(reports) - len(reading),
            "events_delivered": sum(r["events"] for r in reading),
            "messages": sum(r["messages"] for r in reading),
            "fell_behind": sum(r["fell_behind"] for r in reading),
            "resumes": sum(r["resumes"] for r in reading),
            "single_event": sum(1 for r in reading if r["batch"] == 1),
            "idle_open_at_end": sum(1 for r in reports if r["idle"] and r["open_at_drain"])}

