"""The load of the soak test: writers (single RPCs, ExecuteBatch and
ExecuteBatchStream) that register parties, record agreements and take them
through their lifecycle, and readers (GetAgreement, ListAgreements, ListSectors,
GetSectorSummary with min_position) that check they see what was acknowledged.

Every write is retried with its request id on UNAVAILABLE, DEADLINE_EXCEEDED or
RESOURCE_EXHAUSTED, so each acknowledged request counts exactly once: the ledger's
event count must equal the log's head at the end."""

from __future__ import annotations

import itertools
import random
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Callable, Iterator, Optional, TypeVar

import grpc

import agreements_client as ac
from agreements_client import v1
from agreements_client.values import command_context

from soak_util import Failures, GuardedThread, Pacer, log, percentile

T = TypeVar("T")

SECTORS = ("energy", "transport", "telecom", "construction", "finance", "agriculture",
           "industry", "health", "education", "environment", "trade_and_investment",
           "governance", "other")
COUNTRIES = ("KZ", "KR", "FR", "DE", "JP", "BR", "IN", "NG", "CA", "MX", "EG", "TR",
             "ID", "AR", "ZA", "SE", "PL", "VN", "CL", "KE")
CURRENCIES = ("USD", "EUR", "KZT", "JPY")
RETRYABLE = frozenset({grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED,
                       grpc.StatusCode.RESOURCE_EXHAUSTED})
RETRY_ATTEMPTS = 8
RETRY_PAUSE = 0.25
# Agreements per ExecuteBatch (each with its lifecycle, at most 8 commands, and one new
# party).
AGREEMENTS_PER_BATCH = 4
# Changes after the recording an agreement gets: none, signed (2), ratified (4), or
# all (None: in force, a document, for one in three a termination), equally often.
# With the parties below, about one event in three creates a stream, so that the
# committer's cache of 8192 stream states (store/state_cache.h) fills and is evicted
# within the first half of a 10-minute run at 100 events/s (README, "Resources").
LIFECYCLE_DEPTHS = (0, 2, 4, None)
# Chance that a single writer registers a party before an agreement.
SINGLE_WRITER_PARTY_SHARE = 0.5
# Requests per ExecuteBatchStream call before it is closed and a new one opened.
REQUESTS_PER_STREAM = 8
STREAM_CALL_TIMEOUT = 120.0
# Readers: operations per round, in turn.
READ_OPERATIONS = ("get_agreement", "list_agreements", "list_sectors", "sector_summary")
LATENCY_SAMPLES = 20000


@dataclass
class WriteStats:
    """What the writers did (owned by the Ledger's lock)."""

    requests: int = 0
    events: int = 0
    agreements: int = 0
    parties: int = 0
    retries: int = 0
    replayed: int = 0
    by_kind: dict = field(default_factory=dict)


class Ledger:
    """Acknowledged writes: counts, and recent (agreement, revision, position)
    triples the readers check against."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.stats = WriteStats()
        self.max_position = 0
        self._recent: deque = deque(maxlen=4096)
        self._random = random.Random(7)

    def acknowledge(self, kind: str, result: "v1.CommitResult", agreements: int = 0,
                    parties: int = 0) -> None:
        """Notes one acknowledged request and its streams' revisions."""
        events = sum(len(stream.positions) for stream in result.streams)
        with self._lock:
            stats = self.stats
            stats.requests += 1
            stats.events += events
            stats.agreements += agreements
            stats.parties += parties
            stats.replayed += int(result.replayed)
            stats.by_kind[kind] = stats.by_kind.get(kind, 0) + events
            self.max_position = max(self.max_position, result.last_position)
            for stream in result.streams:
                if stream.stream_type == v1.STREAM_TYPE_AGREEMENT:
                    self._recent.append((stream.stream_id, stream.revision,
                                         result.last_position))

    def note_retry(self) -> None:
        """Counts one retried call."""
        with self._lock:
            self.stats.retries += 1

    def sample(self) -> Optional[tuple[str, int, int]]:
        """A recent (agreement id, revision, position), or None before any."""
        with self._lock:
            if not self._recent:
                return None
            return self._recent[self._random.randrange(len(self._recent))]

    def snapshot(self) -> dict:
        """The counts, as a dict."""
        with self._lock:
            stats = self.stats
            return {"requests": stats.requests, "events": stats.events,
                    "agreements": stats.agreements, "parties": stats.parties,
                    "retries": stats.retries, "replayed": stats.replayed,
                    "events_by_writer_kind": dict(stats.by_kind),
                    "max_position": self.max_position}


class AgreementFactory:
    """Deterministic parties, agreements and lifecycles for one writer."""

    def __init__(self, prefix: str, seed: int) -> None:
        self.prefix = prefix
        self._random = random.Random(seed)
        self._agreements = itertools.count(1)
        self._parties = itertools.count(1)

    def next_party(self) -> "v1.Party":
        """A new party (a company or an organization of some country)."""
        number = next(self._parties)
        party_type = (v1.PARTY_TYPE_COMPANY, v1.PARTY_TYPE_OTHER)[number % 2]
        return v1.Party(id=f"{self.prefix}-p{number}", type=party_type,
                        country_code=self._random.choice(COUNTRIES),
                        names=[ac.text("en", f"Soak party {self.prefix} {number}")])

    def next_agreement(self, party_ids: tuple[str, str]) -> "v1.Agreement":
        """A new bilateral binding agreement between two parties, with an amount,
        in one or two sectors."""
        number = next(self._agreements)
        sectors = self._random.sample(SECTORS, self._random.choice((1, 1, 2)))
        amount = v1.Amount(id="total", type=v1.AMOUNT_TYPE_ESTIMATED_VALUE,
                           value=v1.Money(currency_code=self._random.choice(CURRENCIES),
                                          units=self._random.randrange(1000, 10**9)))
        return v1.Agreement(
            id=f"{self.prefix}-a{number}", designation="Agreement",
            instrument_kind=v1.INSTRUMENT_KIND_AGREEMENT,
            legal_nature=v1.LEGAL_NATURE_BINDING_INTERNATIONAL, arity=v1.ARITY_BILATERAL,
            titles=[ac.text("en", f"Soak agreement {number} of {self.prefix} on "
                                  f"{' and '.join(sectors)}")],
            participations=[
                v1.Participation(party_id=party, roles=[v1.PARTICIPANT_ROLE_PARTY])
                for party in party_ids],
            classifications=[ac.sector(code) for code in sectors], amounts=[amount])

    def lifecycle(self, party_ids: tuple[str, str]) -> list["v1.EventPayload"]:
        """The changes after recording: two signatures, two ratifications, entry
        into force, a document, and for one agreement in three a termination,
        stopped at a depth of LIFECYCLE_DEPTHS."""
        year = self._random.randrange(1990, 2020)
        month = self._random.randrange(1, 13)
        signed = ac.date(year, month, 1)
        changes = [_signature(party, signed) for party in party_ids]
        changes += [_ratification(party, ac.date(year, month, 10 + index))
                    for index, party in enumerate(party_ids)]
        changes.append(v1.EventPayload(entered_into_force=v1.EnteredIntoForce(
            effective_date=ac.date(year, month, 20))))
        changes.append(v1.EventPayload(document_attached=v1.DocumentAttached(
            document=v1.DocumentReference(
                title="Text of the agreement", language="en", media_type="application/pdf",
                url=f"https://example.org/{self.prefix}/{year}-{month}.pdf",
                sha256=f"{self._random.getrandbits(256):064x}"))))
        if self._random.randrange(3) == 0:
            changes.append(v1.EventPayload(terminated=v1.Terminated(
                ground=v1.TERMINATION_GROUND_BY_CONSENT,
                effective_date=ac.date(year + 5, month, 1))))
        return changes[:self._random.choice(LIFECYCLE_DEPTHS)]


def _signature(party_id: str, on: "v1.Date") -> "v1.EventPayload":
    """participant_signed, simple signature."""
    return v1.EventPayload(participant_signed=v1.ParticipantSigned(
        party_id=party_id, signature=v1.Signature(date=on, kind=v1.SIGNATURE_KIND_SIMPLE)))


def _ratification(party_id: str, on: "v1.Date") -> "v1.EventPayload":
    """consent_expressed by ratification."""
    return v1.EventPayload(consent_expressed=v1.ConsentExpressed(
        party_id=party_id,
        consent=v1.Consent(means=v1.CONSENT_MEANS_RATIFICATION, act_date=on)))


def lifecycle_commands(factory: AgreementFactory,
                       party_ids: tuple[str, str]) -> tuple[list["v1.Command"], str]:
    """One agreement's whole life as batch commands with exact expected revisions."""
    agreement = factory.next_agreement(party_ids)
    commands = [ac.agreement_command(agreement.id, v1.EventPayload(
        agreement_recorded=v1.AgreementRecorded(agreement=agreement)), ac.NO_STREAM)]
    for revision, change in enumerate(factory.lifecycle(party_ids), start=1):
        commands.append(ac.agreement_command(agreement.id, change, revision))
    return commands, agreement.id


def party_commands(parties: list["v1.Party"]) -> list["v1.Command"]:
    """party_registered commands for new parties."""
    return [ac.party_command(party.id, v1.EventPayload(
        party_registered=v1.PartyRegistered(party=party)), ac.NO_STREAM)
        for party in parties]


def with_retries(call: Callable[[], T], ledger: Ledger, stop_hard: threading.Event) -> T:
    """call() until it succeeds, retrying transient failures (same request id, so
    a retry replays an outcome already committed)."""
    for attempt in range(RETRY_ATTEMPTS):
        try:
            return call()
        except ac.AgreementsError as error:
            if error.code not in RETRYABLE or attempt == RETRY_ATTEMPTS - 1:
                raise
            ledger.note_retry()
            pause = error.retry_delay or RETRY_PAUSE * (attempt + 1)
            if stop_hard.wait(min(pause, 5.0)):
                raise
    raise AssertionError("unreachable")


@dataclass
class LoadContext:
    """What every writer and reader shares."""

    ledger: Ledger
    failures: Failures
    stop: threading.Event
    # Set when the run is aborted: retries give up at once.
    abort: threading.Event


class SingleWriter(GuardedThread):
    """One writer of single RPCs: RegisterParty, RecordAgreement, then each
    lifecycle change with ApplyAgreementChange and the exact expected revision."""

    def __init__(self, index: int, client: ac.RegistryClient, context: LoadContext,
                 rate: float) -> None:
        super().__init__(f"writer-{index}", context.failures)
        self._client = client
        self._context = context
        self._pacer = Pacer(rate)
        self._factory = AgreementFactory(f"w{index}", seed=1000 + index)
        self._random = random.Random(1500 + index)
        self._parties: list[str] = []

    def body(self) -> None:
        """Records agreements until stopped; a failure ends this writer."""
        try:
            while not self._context.stop.is_set():
                while len(self._parties) < 2 and not self._context.stop.is_set():
                    self._register_party()
                if self._random.random() < SINGLE_WRITER_PARTY_SHARE:
                    self._register_party()
                self._record_one()
        except ac.AgreementsError as error:
            self._context.failures.add("write", f"{self.name}: {error}")

    def _paced(self, units: int) -> bool:
        """Waits for the pacer; False once stopping."""
        return self._pacer.wait(units, self._context.stop)

    def _register_party(self) -> None:
        """RegisterParty with a request id of its own."""
        if not self._paced(1):
            return
        party = self._factory.next_party()
        request_id = ac.new_request_id(self.name)
        response = with_retries(lambda: self._client.register_party(
            party, request_id=request_id, response_view=v1.RESPONSE_VIEW_RESULT_ONLY),
            self._context.ledger, self._context.abort)
        self._context.ledger.acknowledge("single", response.result, parties=1)
        self._parties.append(party.id)

    def _record_one(self) -> None:
        """One agreement through its lifecycle, change by change."""
        parties = tuple(self._random.sample(self._parties, 2))
        agreement = self._factory.next_agreement(parties)
        if not self._paced(1):
            return
        request_id = ac.new_request_id(self.name)
        response = with_retries(lambda: self._client.record_agreement(
            agreement, request_id=request_id), self._context.ledger, self._context.abort)
        self._context.ledger.acknowledge("single", response.result, agreements=1)
        revision = response.result.streams[0].revision
        for change in self._factory.lifecycle(parties):
            if not self._paced(1):
                return
            revision = self._apply(agreement.id, change, revision)

    def _apply(self, agreement_id: str, change: "v1.EventPayload", revision: int) -> int:
        """ApplyAgreementChange expecting `revision`; the new revision."""
        request_id = ac.new_request_id(self.name)
        response = with_retries(lambda: self._client.apply_change(
            agreement_id, change, expected_revision=revision, request_id=request_id,
            response_view=v1.RESPONSE_VIEW_RESULT_ONLY),
            self._context.ledger, self._context.abort)
        self._context.ledger.acknowledge("single", response.result)
        return response.result.streams[0].revision


class BatchWriter(GuardedThread):
    """One writer of batches: whole agreement lifecycles (and new parties) as one
    ExecuteBatch each, or as requests on ExecuteBatchStream calls (stream=True)."""

    def __init__(self, index: int, client: ac.RegistryClient, context: LoadContext,
                 rate: float, stream: bool) -> None:
        super().__init__(f"batch-writer-{index}", context.failures)
        self._client = client
        self._context = context
        self._pacer = Pacer(rate)
        self._stream = stream
        self._kind = "batch_stream" if stream else "batch"
        self._factory = AgreementFactory(f"b{index}", seed=2000 + index)
        self._random = random.Random(2500 + index)
        self._parties: list[str] = []

    def body(self) -> None:
        """Writes batches until stopped; a failure ends this writer."""
        try:
            while not self._context.stop.is_set():
                if self._stream:
                    self._one_stream()
                else:
                    self._one_batch()
        except (ac.AgreementsError, grpc.RpcError) as error:
            self._context.failures.add("write", f"{self.name}: {error}")

    def _next_request(self, agreements: int) -> tuple["v1.ExecuteBatchRequest", int, int]:
        """A batch of `agreements` lifecycles and as many new parties, registered
        first; (request, agreements, parties)."""
        new_parties = [self._factory.next_party()
                       for _ in range(max(agreements, 2 - len(self._parties)))]
        self._parties.extend(party.id for party in new_parties)
        commands = party_commands(new_parties)
        for _ in range(agreements):
            pair = tuple(self._random.sample(self._parties, 2))
            commands += lifecycle_commands(self._factory, pair)[0]
        request = v1.ExecuteBatchRequest(
            context=command_context(ac.new_request_id(self.name)),
            commands=commands, response_view=v1.RESPONSE_VIEW_RESULT_ONLY)
        return request, agreements, len(new_parties)

    def _one_batch(self) -> None:
        """One ExecuteBatch (through the wrapper)."""
        request, agreements, parties = self._next_request(AGREEMENTS_PER_BATCH)
        if not self._pacer.wait(len(request.commands), self._context.stop):
            return
        response = with_retries(lambda: self._client.execute_batch_request(request),
                                self._context.ledger, self._context.abort)
        self._context.ledger.acknowledge(self._kind, response.result, agreements, parties)

    def _one_stream(self) -> None:
        """One ExecuteBatchStream call (raw stub) of REQUESTS_PER_STREAM requests;
        the requests left unanswered by a broken call are sent again (same ids)."""
        pending = [self._next_request(1) for _ in range(REQUESTS_PER_STREAM)]
        for attempt in range(RETRY_ATTEMPTS):
            pending = self._stream_call(pending)
            if not pending or self._context.stop.is_set():
                return
            self._context.ledger.note_retry()
            if self._context.abort.wait(RETRY_PAUSE * (attempt + 1)):
                return
        raise ac.UnavailableError(grpc.StatusCode.UNAVAILABLE,
                                  f"{len(pending)} stream requests never answered")

    def _stream_call(self, pending: list) -> list:
        """Sends the pending requests on one call; those left unanswered."""
        sent: list = []

        def requests() -> Iterator["v1.ExecuteBatchStreamRequest"]:
            for item in pending:
                if not self._pacer.wait(len(item[0].commands), self._context.stop):
                    return
                sent.append(item)
                yield v1.ExecuteBatchStreamRequest(batch=item[0])

        call = self._client.commands.ExecuteBatchStream(
            requests(), timeout=STREAM_CALL_TIMEOUT, metadata=self._client.metadata)
        answered = 0
        try:
            for answer in call:
                self._check_answer(answer, answered, sent)
                answered += 1
        except grpc.RpcError as error:
            if error.code() not in RETRYABLE:
                raise
            return pending[answered:]
        if answered != len(sent):
            raise ac.AgreementsError(grpc.StatusCode.INTERNAL,
                                     f"ExecuteBatchStream ended OK after {answered} "
                                     f"answers to {len(sent)} requests")
        return pending[answered:]

    def _check_answer(self, answer: "v1.ExecuteBatchStreamResponse", index: int,
                      sent: list) -> None:
        """Checks one answer (in order, a response, not an error) and notes it."""
        request, agreements, parties = sent[index]
        if answer.index != index or answer.request_id != request.context.request_id:
            raise ac.AgreementsError(grpc.StatusCode.INTERNAL,
                                     f"answer {answer.index} ({answer.request_id}) out of "
                                     f"order: expected {index}")
        if answer.WhichOneof("outcome") != "response":
            raise ac.AgreementsError(status_code(answer.error.code),
                                     f"stream request {index}: {answer.error.message}")
        self._context.ledger.acknowledge(self._kind, answer.response.result, agreements,
                                         parties)


def status_code(code: int) -> grpc.StatusCode:
    """The grpc.StatusCode of a numeric code (UNKNOWN for an unknown one)."""
    for status in grpc.StatusCode:
        if status.value[0] == code:
            return status
    return grpc.StatusCode.UNKNOWN


@dataclass
class ReadStats:
    """What one reader did."""

    calls: dict = field(default_factory=dict)
    latencies: dict = field(default_factory=dict)

    def note(self, operation: str, seconds: float) -> None:
        """One successful call and its latency."""
        self.calls[operation] = self.calls.get(operation, 0) + 1
        samples = self.latencies.setdefault(operation, [])
        if len(samples) < LATENCY_SAMPLES:
            samples.append(seconds)


class Reader(GuardedThread):
    """One reader: in turn GetAgreement, ListAgreements (a sector, one page),
    ListSectors and GetSectorSummary, each with min_position at an acknowledged
    write, checking that the write is visible and that counts never go back."""

    def __init__(self, index: int, client: ac.RegistryClient, context: LoadContext,
                 rate: float) -> None:
        super().__init__(f"reader-{index}", context.failures)
        self._client = client
        self._context = context
        self._pacer = Pacer(rate)
        self._random = random.Random(3000 + index)
        self._sector_counts: dict[str, int] = {}
        self.stats = ReadStats()

    def body(self) -> None:
        """Reads until stopped; every failed check or call is a failure."""
        for operation in itertools.cycle(READ_OPERATIONS):
            if not self._pacer.wait(1, self._context.stop):
                return
            sample = self._context.ledger.sample()
            if sample is None:
                continue
            started = time.monotonic()
            try:
                getattr(self, "_" + operation)(*sample)
            except ac.AgreementsError as error:
                self._context.failures.add("read", f"{self.name} {operation}: {error}")
                continue
            self.stats.note(operation, time.monotonic() - started)

    def _get_agreement(self, agreement_id: str, revision: int, position: int) -> None:
        """The agreement at least at the acknowledged revision."""
        agreement = self._client.get_agreement(agreement_id, min_position=position)
        if agreement.revision < revision:
            self._context.failures.add(
                "stale-read", f"{agreement_id}: revision {agreement.revision} read at "
                              f"min_position {position}, {revision} acknowledged")

    def _list_agreements(self, agreement_id: str, revision: int, position: int) -> None:
        """The first page of a random sector, ordered by id."""
        sector = self._random.choice(SECTORS)
        page = list(itertools.islice(self._client.list_agreements(
            sector=sector, page_size=25, min_position=position), 25))
        ids = [agreement.id for agreement in page]
        if ids != sorted(ids) or any(sector not in a.sectors for a in page):
            self._context.failures.add(
                "read", f"ListAgreements({sector}): page not ordered by id or holds "
                        f"agreements of other sectors: {ids[:5]}...")

    def _list_sectors(self, agreement_id: str, revision: int, position: int) -> None:
        """Every sector's count; none smaller than this reader saw before."""
        for info in self._client.list_sectors(min_position=position):
            self._check_count(info.sector, info.agreement_count, "ListSectors")

    def _sector_summary(self, agreement_id: str, revision: int, position: int) -> None:
        """A sector's summary; its count never smaller than seen before."""
        sector = self._random.choice(SECTORS)
        summary = self._client.sector_summary(sector, top_parties=5, min_position=position)
        by_status = sum(entry.count for entry in summary.by_status)
        if by_status != summary.agreement_count:
            self._context.failures.add(
                "read", f"GetSectorSummary({sector}): by_status sums to {by_status}, "
                        f"agreement_count {summary.agreement_count}")
        self._check_count(sector, summary.agreement_count, "GetSectorSummary")

    def _check_count(self, sector: str, count: int, source: str) -> None:
        """Agreements never leave a sector in this load: counts only grow."""
        previous = self._sector_counts.get(sector, 0)
        if count < previous:
            self._context.failures.add(
                "stale-read", f"{self.name} {source}: sector {sector} has {count} "
                              f"agreements after {previous}")
        self._sector_counts[sector] = max(previous, count)


def reader_summary(readers: list[Reader]) -> dict:
    """Calls and latency percentiles (ms) per operation over all readers."""
    summary: dict = {}
    for operation in READ_OPERATIONS:
        latencies = [s for r in readers for s in r.stats.latencies.get(operation, [])]
        calls = sum(r.stats.calls.get(operation, 0) for r in readers)
        summary[operation] = {
            "calls": calls, "p50_ms": round(percentile(latencies, 0.5) * 1000, 2),
            "p99_ms": round(percentile(latencies, 0.99) * 1000, 2)}
    return summary


def log_writer_progress(ledger: Ledger, seconds: float) -> None:
    """One line with what the writers acknowledged so far."""
    counts = ledger.snapshot()
    rate = counts["events"] / seconds if seconds > 0 else 0.0
    log(f"writes: {counts['events']} events ({rate:.0f}/s), {counts['agreements']} "
        f"agreements, {counts['parties']} parties, {counts['retries']} retries")
