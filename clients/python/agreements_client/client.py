"""RegistryClient: one connection to a registry server, with the write (command),
read (query), feed, security and health calls.

    with agreements_client.connect("127.0.0.1:50051") as client:
        client.register_party({"id": "kz", "type": "PARTY_TYPE_STATE",
                               "countryCode": "KZ",
                               "names": [{"language": "en", "text": "Kazakhstan"}]})
        for agreement in client.list_agreements(sector="energy"):
            print(agreement.id)

Every call has the options' deadline (feeds have none) and, with a token, the
header "authorization: Bearer <token>". Failures raise AgreementsError
(errors.py). The stubs are public (client.commands, client.queries, client.feeds,
client.audit, client.security, client.admin, client.health) for what the methods
do not cover; client.call(stub_method, request) invokes one with the same
deadline, token and errors.
"""

from __future__ import annotations

import os
import time
from typing import Callable, Iterable, Iterator, Mapping, Optional, Sequence, Union

import grpc

from agreements_client import options as opts
from agreements_client import v1
from agreements_client.errors import AgreementsError, DeadlineExceededError
from agreements_client.feed import FeedSubscription, ResumeOptions, SectorWatcher
from agreements_client.options import ConnectionOptions
from agreements_client.values import (ExpectedRevisionLike, as_message, command_context,
                                      expected_revision)

AUTHORIZATION_HEADER = "authorization"
# Pause between two health checks that failed at once (unreachable, NOT_SERVING).
HEALTH_RETRY_PAUSE = 0.1

PartyLike = Union["v1.Party", Mapping]
AgreementLike = Union["v1.Agreement", Mapping]
ChangeLike = Union["v1.EventPayload", Mapping]
CommandLike = Union["v1.Command", Mapping]


class RegistryClient:
    """A connection to one registry server. Thread-safe (gRPC channels and stubs
    are); close() it, or use it as a context manager."""

    def __init__(self, options: Optional[ConnectionOptions] = None) -> None:
        """Opens the channel (lazily: an unreachable server shows up as
        UNAVAILABLE on the first call). Reads the TLS and token files now;
        raises OptionError for bad options or unreadable files."""
        self._options = options or ConnectionOptions()
        opts.check(self._options)
        token = opts.resolve_token(self._options)
        self._metadata: tuple[tuple[str, str], ...] = (
            ((AUTHORIZATION_HEADER, f"Bearer {token}"),) if token else ())
        self._channel = _open_channel(self._options)
        self.commands = v1.command_service_pb2_grpc.CommandServiceStub(self._channel)
        self.queries = v1.query_service_pb2_grpc.QueryServiceStub(self._channel)
        self.feeds = v1.feed_service_pb2_grpc.FeedServiceStub(self._channel)
        self.audit = v1.audit_service_pb2_grpc.AuditServiceStub(self._channel)
        self.security = v1.security_service_pb2_grpc.SecurityServiceStub(self._channel)
        self.admin = v1.admin_service_pb2_grpc.AdminServiceStub(self._channel)
        self.health = v1.health_pb2_grpc.HealthStub(self._channel)

    @property
    def options(self) -> ConnectionOptions:
        """The options the client was opened with."""
        return self._options

    @property
    def metadata(self) -> tuple[tuple[str, str], ...]:
        """The metadata sent with every call (the authorization header, if any)."""
        return self._metadata

    def close(self) -> None:
        """Closes the channel; open feeds end (CANCELLED)."""
        self._channel.close()

    def __enter__(self) -> "RegistryClient":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def call(self, method: Callable, request, timeout: Optional[float] = None):
        """Invokes one unary stub method with the deadline and the token.

        Raises AgreementsError (the subclass for its code) when the call fails.
        """
        try:
            return method(request, timeout=timeout or self._options.timeout,
                          metadata=self._metadata)
        except grpc.RpcError as error:
            raise AgreementsError.from_rpc_error(error) from error

    # CommandService. Each write returns after its events are durable. A retry with
    # the same request_id replays the original result (result.replayed is True).

    def register_party(self, party: PartyLike, *, request_id: Optional[str] = None,
                       reason: str = "", correlation_id: str = "",
                       causation_id: str = "",
                       response_view: int = 0) -> "v1.RegisterPartyResponse":
        """Registers a party (a Party or its protobuf JSON dict)."""
        request = v1.RegisterPartyRequest(
            context=command_context(request_id, reason, correlation_id, causation_id),
            party=as_message(party, v1.Party), response_view=response_view)
        return self.call(self.commands.RegisterParty, request)

    def update_party(self, party: PartyLike, paths: Sequence[str], *,
                     expected_revision: ExpectedRevisionLike = None,
                     request_id: Optional[str] = None, reason: str = "",
                     correlation_id: str = "", causation_id: str = "",
                     response_view: int = 0) -> "v1.UpdatePartyResponse":
        """Replaces the fields of party `party.id` named by `paths` (update mask)."""
        request = v1.UpdatePartyRequest(
            context=command_context(request_id, reason, correlation_id, causation_id),
            party=as_message(party, v1.Party), response_view=response_view)
        request.update_mask.paths.extend(paths)
        _set_expected(request, expected_revision)
        return self.call(self.commands.UpdateParty, request)

    def record_agreement(self, agreement: AgreementLike, *, initial_status: int = 0,
                         request_id: Optional[str] = None, reason: str = "",
                         correlation_id: str = "", causation_id: str = "",
                         response_view: int = 0) -> "v1.RecordAgreementResponse":
        """Records a new agreement (an Agreement or its protobuf JSON dict), in DRAFT
        or `initial_status` (AGREEMENT_STATUS_NEGOTIATING)."""
        request = v1.RecordAgreementRequest(
            context=command_context(request_id, reason, correlation_id, causation_id),
            agreement=as_message(agreement, v1.Agreement), initial_status=initial_status,
            response_view=response_view)
        return self.call(self.commands.RecordAgreement, request)

    def apply_change(self, agreement_id: str, change: ChangeLike, *,
                     expected_revision: ExpectedRevisionLike = None,
                     request_id: Optional[str] = None, reason: str = "",
                     correlation_id: str = "", causation_id: str = "",
                     response_view: int = 0) -> "v1.ApplyAgreementChangeResponse":
        """Applies one change (an EventPayload or its protobuf JSON dict, e.g.
        {"participantSigned": {...}}) to an agreement.

        expected_revision: the agreement's revision the change was decided on
        (an int), or ANY / NO_STREAM / STREAM_EXISTS; None checks nothing. A
        mismatch fails with ABORTED (error.is_wrong_revision).
        """
        request = v1.ApplyAgreementChangeRequest(
            context=command_context(request_id, reason, correlation_id, causation_id),
            agreement_id=agreement_id, change=as_message(change, v1.EventPayload),
            response_view=response_view)
        _set_expected(request, expected_revision)
        return self.call(self.commands.ApplyAgreementChange, request)

    def execute_batch(self, commands: Iterable[CommandLike], *,
                      request_id: Optional[str] = None, reason: str = "",
                      correlation_id: str = "", causation_id: str = "",
                      response_view: int = 0) -> "v1.ExecuteBatchResponse":
        """Executes up to 100 commands (values.agreement_command / party_command, or
        protobuf JSON dicts) on any streams, all or nothing."""
        request = v1.ExecuteBatchRequest(
            context=command_context(request_id, reason, correlation_id, causation_id),
            commands=[as_message(command, v1.Command) for command in commands],
            response_view=response_view)
        return self.call(self.commands.ExecuteBatch, request)

    def execute_batch_request(self, request: Union["v1.ExecuteBatchRequest", Mapping]
                              ) -> "v1.ExecuteBatchResponse":
        """Executes a complete ExecuteBatchRequest, e.g. a line of a load file
        (deploy/demo/*.jsonl) parsed as a dict."""
        return self.call(self.commands.ExecuteBatch,
                         as_message(request, v1.ExecuteBatchRequest))

    # QueryService. By default a read sees every write acknowledged before it;
    # min_position makes it wait for a position (e.g. result.last_position).

    def get_agreement(self, agreement_id: str, *, min_position: int = 0) -> "v1.Agreement":
        """One agreement's current state (NotFoundError when unknown or hidden)."""
        request = v1.GetAgreementRequest(agreement_id=agreement_id,
                                         min_position=min_position)
        return self.call(self.queries.GetAgreement, request).agreement

    def lookup_agreement(self, scheme: str, value: str, *,
                         min_position: int = 0) -> "v1.Agreement":
        """The agreement holding an identifier, e.g. ("UNTS", "I-12345")."""
        request = v1.LookupAgreementRequest(
            identifier=v1.Identifier(scheme=scheme, value=value), min_position=min_position)
        return self.call(self.queries.LookupAgreement, request).agreement

    def list_agreements(self, **filters) -> Iterator["v1.Agreement"]:
        """Every agreement matching the filters, page after page.

        filters are ListAgreementsRequest fields: sector, status, instrument_kind,
        party_id, party_statuses, party_condition, depositary_id, signed_from,
        signed_to, registration_due, query, order_by, page_size, min_position ...
        """
        return _pages(lambda token: self.call(
            self.queries.ListAgreements,
            v1.ListAgreementsRequest(page_token=token, **filters)), "agreements")

    def get_party(self, party_id: str, *, min_position: int = 0) -> "v1.Party":
        """One party's current state."""
        request = v1.GetPartyRequest(party_id=party_id, min_position=min_position)
        return self.call(self.queries.GetParty, request).party

    def list_parties(self, **filters) -> Iterator["v1.Party"]:
        """Every party matching the filters (ListPartiesRequest fields: type,
        country_code, page_size, min_position), page after page."""
        return _pages(lambda token: self.call(
            self.queries.ListParties,
            v1.ListPartiesRequest(page_token=token, **filters)), "parties")

    def sector_summary(self, sector: str, *, top_parties: int = 0,
                       min_position: int = 0) -> "v1.SectorSummary":
        """Counts by status and kind, amount totals and top parties of a sector."""
        request = v1.GetSectorSummaryRequest(sector=sector, top_parties=top_parties,
                                             min_position=min_position)
        return self.call(self.queries.GetSectorSummary, request).summary

    def list_sectors(self, *, min_position: int = 0) -> list["v1.SectorInfo"]:
        """Every registry sector with its agreement count."""
        request = v1.ListSectorsRequest(min_position=min_position)
        return list(self.call(self.queries.ListSectors, request).sectors)

    # SecurityService and health.

    def whoami(self) -> "v1.WhoAmIResponse":
        """Who the server takes the caller for: principal, method, roles."""
        return self.call(self.security.WhoAmI, v1.WhoAmIRequest())

    def wait_for_healthy(self, timeout: float = 10.0) -> None:
        """Waits until the health check answers SERVING, retrying while the server
        is unreachable or NOT_SERVING; raises DeadlineExceededError (naming the
        last failure) when `timeout` seconds pass first."""
        deadline = time.monotonic() + timeout
        last = "no attempt"
        while (remaining := deadline - time.monotonic()) > 0:
            last = self._check_health(min(remaining, self._options.timeout))
            if not last:
                return
            time.sleep(min(HEALTH_RETRY_PAUSE, max(deadline - time.monotonic(), 0)))
        raise DeadlineExceededError(
            grpc.StatusCode.DEADLINE_EXCEEDED,
            f"{self._options.target} not healthy within {timeout:g}s: {last}")

    # FeedService. A subscription resumes by itself after a disconnect or a
    # server restart (feed.py); stop() it, or stop iterating.

    def subscribe(self, start: Union[int, str] = "beginning", *,
                  sectors: Sequence[str] = (), instrument_kinds: Sequence[int] = (),
                  event_types: Sequence[str] = (), agreement_ids: Sequence[str] = (),
                  party_ids: Sequence[str] = (), checkpoint_every_events: int = 0,
                  checkpoint_interval_ms: int = 0, max_events_per_message: int = 0,
                  resume: Optional[ResumeOptions] = None) -> FeedSubscription:
        """A resuming Subscribe stream from `start`: a position (inclusive),
        "beginning" or "now", with the event filter given by the other arguments."""
        request = v1.SubscribeRequest(
            filter=v1.EventFilter(sectors=sectors, instrument_kinds=instrument_kinds,
                                  event_types=event_types, agreement_ids=agreement_ids,
                                  party_ids=party_ids),
            checkpoint_every_events=checkpoint_every_events,
            checkpoint_interval_ms=checkpoint_interval_ms,
            max_events_per_message=max_events_per_message)
        _set_start(request, start)
        return self.subscribe_request(request, resume)

    def subscribe_request(self, request: "v1.SubscribeRequest",
                          resume: Optional[ResumeOptions] = None) -> FeedSubscription:
        """A resuming Subscribe stream with a complete request."""
        return FeedSubscription(self.open_subscribe, request, resume)

    def watch_sector(self, sector: str, *, statuses: Sequence[int] = (),
                     instrument_kinds: Sequence[int] = (), resume_after: int = 0,
                     checkpoint_every_events: int = 0, checkpoint_interval_ms: int = 0,
                     resume: Optional[ResumeOptions] = None) -> SectorWatcher:
        """A resuming WatchSector stream: a snapshot of the sector's agreements
        (unless resume_after > 0), then each change as the agreement's new state."""
        request = v1.WatchSectorRequest(
            sector=sector, statuses=statuses, instrument_kinds=instrument_kinds,
            resume_after=resume_after, checkpoint_every_events=checkpoint_every_events,
            checkpoint_interval_ms=checkpoint_interval_ms)
        return SectorWatcher(self.open_watch_sector, request, resume)

    def open_subscribe(self, request: "v1.SubscribeRequest"):
        """One Subscribe stream (no deadline, no resumption): a gRPC call object
        to iterate and cancel()."""
        return self.feeds.Subscribe(request, metadata=self._metadata)

    def open_watch_sector(self, request: "v1.WatchSectorRequest"):
        """One WatchSector stream (no deadline, no resumption)."""
        return self.feeds.WatchSector(request, metadata=self._metadata)

    def _check_health(self, timeout: float) -> str:
        """One health check: "" when SERVING, else why not."""
        try:
            response = self.health.Check(v1.health_pb2.HealthCheckRequest(),
                                         timeout=timeout, metadata=self._metadata)
        except grpc.RpcError as rpc_error:
            error = AgreementsError.from_rpc_error(rpc_error)
            if error.code != grpc.StatusCode.UNIMPLEMENTED:
                return str(error)
            self.list_sectors()  # no health service: healthy once it answers a query
            return ""
        if response.status == v1.health_pb2.HealthCheckResponse.SERVING:
            return ""
        return "health: " + v1.health_pb2.HealthCheckResponse.ServingStatus.Name(
            response.status)


def connect(target: Optional[str] = None, *, use_env: bool = True,
            **fields) -> RegistryClient:
    """A RegistryClient for ConnectionOptions(target=target, **fields).

    target None: $AGREEMENTS_SERVER, else 127.0.0.1:50051. With use_env, the TLS
    and token fields left empty come from the environment (options.py).
    """
    if target is None:
        target = os.environ.get(opts.SERVER_ENV, "") or opts.DEFAULT_TARGET
    options = ConnectionOptions(target=target, **fields)
    return RegistryClient(options.with_env() if use_env else options)


def _open_channel(options: ConnectionOptions) -> grpc.Channel:
    """A plaintext or TLS channel to the options' target."""
    arguments = opts.channel_arguments(options)
    credentials = opts.channel_credentials(options)
    if credentials is None:
        return grpc.insecure_channel(options.target, options=arguments)
    return grpc.secure_channel(options.target, credentials, options=arguments)


def _set_expected(request, value: ExpectedRevisionLike) -> None:
    """Sets request.expected_revision unless value is None."""
    revision = expected_revision(value)
    if revision is not None:
        request.expected_revision.CopyFrom(revision)


def _set_start(request: "v1.SubscribeRequest", start: Union[int, str]) -> None:
    """Sets the start of a SubscribeRequest from a position, "beginning" or "now"."""
    if start == "beginning":
        request.from_beginning = True
    elif start == "now":
        request.from_now = True
    elif isinstance(start, int) and not isinstance(start, bool):
        request.from_position = start
    else:
        raise ValueError(f'start: {start!r} is not a position, "beginning" or "now"')


def _pages(fetch: Callable[[str], object], field: str) -> Iterator:
    """The items of `field` of every page, following next_page_token."""
    token = ""
    while True:
        page = fetch(token)
        yield from getattr(page, field)
        token = page.next_page_token
        if not token:
            return
