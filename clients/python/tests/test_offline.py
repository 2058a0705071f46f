"""Tests without an agreements-server: error details (from synthetic trailers, and
through a real gRPC call to an in-process server), values, options, and the resume
loop of the feeds against scripted streams (as clients/feed_client_test.cc does)."""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
import unittest
from concurrent import futures
from pathlib import Path
from typing import Iterator, Optional, Sequence

import grpc

import support  # noqa: F401  (puts agreements_client on sys.path)
import agreements_client as ac
from agreements_client import v1
from agreements_client.errors import STATUS_DETAILS_KEY
from agreements_client.feed import Backoff, SectorResume
from google.rpc import error_details_pb2, status_pb2


class FakeRpcError(grpc.RpcError):
    """What a failed gRPC call raises: code(), details(), trailing_metadata()."""

    def __init__(self, code: grpc.StatusCode, details: str = "",
                 trailers: Sequence[tuple[str, object]] = ()) -> None:
        super().__init__()
        self._code, self._details, self._trailers = code, details, tuple(trailers)

    def code(self) -> grpc.StatusCode:
        return self._code

    def details(self) -> str:
        return self._details

    def trailing_metadata(self) -> tuple:
        return self._trailers


def status_trailer(code: grpc.StatusCode, message: str, *details) -> tuple[str, bytes]:
    """The grpc-status-details-bin trailer of a google.rpc.Status with details."""
    status = status_pb2.Status(code=code.value[0], message=message)
    for detail in details:
        status.details.add().Pack(detail)
    return STATUS_DETAILS_KEY, status.SerializeToString()


class ErrorDetailsTest(unittest.TestCase):
    """AgreementsError.from_rpc_error."""

    def test_every_detail_is_parsed(self) -> None:
        bad = error_details_pb2.BadRequest()
        bad.field_violations.add(field="party.country_code", description="must be upper")
        failure = error_details_pb2.PreconditionFailure()
        failure.violations.add(type="REVISION", subject="agreements/a1",
                               description="at 3")
        retry = error_details_pb2.RetryInfo()
        retry.retry_delay.FromMilliseconds(250)
        trailer = status_trailer(
            grpc.StatusCode.ABORTED, "expected_revision: ...",
            error_details_pb2.ErrorInfo(reason="WRONG_EXPECTED_REVISION",
                                        domain="agreements.registry",
                                        metadata={"current_revision": "3"}),
            bad, failure, retry,
            error_details_pb2.ResourceInfo(resource_type="agreements.v1.Agreement",
                                           resource_name="a1"))
        error = ac.AgreementsError.from_rpc_error(FakeRpcError(
            grpc.StatusCode.ABORTED, "expected_revision: ...",
            [trailer, ("agreements-writer", "10.0.0.2:50051")]))
        self.assertIsInstance(error, ac.AbortedError)
        self.assertEqual(error.reason, "WRONG_EXPECTED_REVISION")
        self.assertEqual(error.domain, "agreements.registry")
        self.assertEqual(error.current_revision, 3)
        self.assertTrue(error.is_wrong_revision)
        self.assertEqual(error.fields, ["party.country_code"])
        self.assertEqual(error.field_violations[0].description, "must be upper")
        self.assertEqual(error.precondition_violations,
                         (ac.PreconditionViolation("REVISION", "agreements/a1", "at 3"),))
        self.assertAlmostEqual(error.retry_delay, 0.25)
        self.assertEqual(error.resource.resource_name, "a1")
        self.assertEqual(error.trailers, {"agreements-writer": "10.0.0.2:50051"})
        self.assertEqual(str(error),
                         "ABORTED: expected_revision: ... [WRONG_EXPECTED_REVISION]")

    def test_no_details(self) -> None:
        error = ac.AgreementsError.from_rpc_error(
            FakeRpcError(grpc.StatusCode.NOT_FOUND, 'agreement "x" not found'))
        self.assertIsInstance(error, ac.NotFoundError)
        self.assertEqual((error.reason, error.metadata, error.field_violations),
                         ("", {}, ()))
        self.assertIsNone(error.retry_delay)
        self.assertIsNone(error.current_revision)
        self.assertEqual(str(error), 'NOT_FOUND: agreement "x" not found')

    def test_garbage_trailer_is_ignored(self) -> None:
        error = ac.AgreementsError.from_rpc_error(FakeRpcError(
            grpc.StatusCode.INTERNAL, "boom", [(STATUS_DETAILS_KEY, b"\xff\xff\xff")]))
        self.assertEqual(type(error), ac.AgreementsError)
        self.assertEqual(error.reason, "")

    def test_retry_after_trailer(self) -> None:
        error = ac.AgreementsError.from_rpc_error(FakeRpcError(
            grpc.StatusCode.RESOURCE_EXHAUSTED, "rate", [("retry-after-ms", "5")]))
        self.assertIsInstance(error, ac.ResourceExhaustedError)
        self.assertAlmostEqual(error.retry_delay, 0.005)

    def test_wrong_revision_without_details_is_aborted(self) -> None:
        aborted = ac.AgreementsError(grpc.StatusCode.ABORTED, "expected_revision: ...")
        illegal = ac.AgreementsError(grpc.StatusCode.FAILED_PRECONDITION, "cannot",
                                     reason="ILLEGAL_TRANSITION")
        self.assertTrue(aborted.is_wrong_revision)
        self.assertFalse(illegal.is_wrong_revision)


class DetailsServicer(v1.command_service_pb2_grpc.CommandServiceServicer):
    """Refuses every ApplyAgreementChange as the registry refuses a stale revision."""

    def ApplyAgreementChange(self, request, context):  # noqa: N802  (gRPC's name)
        info = error_details_pb2.ErrorInfo(
            reason="WRONG_EXPECTED_REVISION", domain="agreements.registry",
            metadata={"current_revision": "2"})
        message = f"expected_revision: agreement {request.agreement_id} is at revision 2"
        context.set_trailing_metadata([status_trailer(grpc.StatusCode.ABORTED, message,
                                                      info)])
        context.abort(grpc.StatusCode.ABORTED, message)


class ErrorDetailsOverGrpcTest(unittest.TestCase):
    """The details trailer through a real gRPC call (an in-process server)."""

    def setUp(self) -> None:
        self.server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
        v1.command_service_pb2_grpc.add_CommandServiceServicer_to_server(
            DetailsServicer(), self.server)
        port = self.server.add_insecure_port("127.0.0.1:0")
        self.server.start()
        self.addCleanup(self.server.stop, None)
        self.client = ac.RegistryClient(ac.ConnectionOptions(target=f"127.0.0.1:{port}"))
        self.addCleanup(self.client.close)

    def test_reason_and_metadata_arrive(self) -> None:
        with self.assertRaises(ac.AbortedError) as raised:
            self.client.apply_change("a1", support.signature_change("kz"),
                                     expected_revision=1)
        error = raised.exception
        self.assertEqual((error.reason, error.domain), ("WRONG_EXPECTED_REVISION",
                                                       "agreements.registry"))
        self.assertEqual(error.current_revision, 2)
        self.assertEqual(error.message, "expected_revision: agreement a1 is at revision 2")


class ValuesTest(unittest.TestCase):
    """values.py."""

    def test_expected_revision(self) -> None:
        self.assertIsNone(ac.expected_revision(None))
        self.assertEqual(ac.expected_revision(0), v1.ExpectedRevision(exact=0))
        self.assertEqual(ac.expected_revision(7).exact, 7)
        self.assertTrue(ac.expected_revision(ac.NO_STREAM).no_stream)
        self.assertTrue(ac.expected_revision(ac.STREAM_EXISTS).stream_exists)
        self.assertTrue(ac.expected_revision(ac.ANY).any)
        with self.assertRaises(ValueError):
            ac.expected_revision(-1)
        with self.assertRaises(ValueError):
            ac.expected_revision("latest")
        with self.assertRaises(TypeError):
            ac.expected_revision(True)

    def test_dates(self) -> None:
        self.assertEqual(ac.date(2009).precision, v1.DATE_PRECISION_YEAR)
        self.assertEqual(ac.date(2009, 5).precision, v1.DATE_PRECISION_MONTH)
        self.assertEqual(ac.date(2009, 5, 13).precision, v1.DATE_PRECISION_DAY)
        self.assertEqual(ac.format_date(ac.date(2009, 5)), "2009-05")
        self.assertEqual(ac.format_date(ac.date(2009, 5, 3)), "2009-05-03")
        self.assertEqual(ac.format_date(v1.Date()), "")

    def test_messages_from_json_dicts(self) -> None:
        change = ac.agreement_command("a1", {"participantSigned": {"partyId": "kz"}}, 2)
        self.assertEqual(change.stream_type, v1.STREAM_TYPE_AGREEMENT)
        self.assertEqual(change.change.participant_signed.party_id, "kz")
        self.assertEqual(change.expected_revision.exact, 2)
        party = ac.party_command("kz", {"partyRegistered": {"party": {"id": "kz"}}},
                                 ac.NO_STREAM)
        self.assertEqual(party.stream_type, v1.STREAM_TYPE_PARTY)
        with self.assertRaises(TypeError):
            ac.agreement_command("a1", "participant_signed")

    def test_request_ids_are_fresh(self) -> None:
        first, second = ac.new_request_id(), ac.new_request_id("load")
        self.assertRegex(first, r"^py-[0-9a-f]{32}$")
        self.assertTrue(second.startswith("load-"))
        self.assertNotEqual(first, ac.new_request_id())

    def test_title(self) -> None:
        agreement = v1.Agreement(titles=[ac.text("ko", "협정"),
                                         ac.text("en", "Agreement")])
        self.assertEqual(ac.title_of(agreement), "Agreement")
        self.assertEqual(ac.title_of(agreement, "ru"), "협정")


class OptionsTest(unittest.TestCase):
    """options.py and RegistryClient's checks of its options."""

    def setUp(self) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix="agreements-py-options-"))
        self.addCleanup(shutil.rmtree, self.directory, True)

    def test_environment_fills_empty_fields_only(self) -> None:
        options = ac.ConnectionOptions(ca_file="mine.pem").with_env({
            "AGREEMENTS_TLS_CA": "env.pem", "AGREEMENTS_TLS_SERVER_NAME": "registry.test",
            "AGREEMENTS_TOKEN_FILE": "t.token"})
        self.assertEqual(options.ca_file, "mine.pem")
        self.assertEqual(options.server_name, "registry.test")
        self.assertEqual(options.token_file, "t.token")
        self.assertTrue(options.uses_tls)
        explicit = ac.ConnectionOptions(token="abc").with_env({"AGREEMENTS_TOKEN": "env"})
        self.assertEqual((explicit.token, explicit.token_file), ("abc", ""))
        self.assertFalse(explicit.uses_tls)

    def test_both_token_variables_are_refused(self) -> None:
        with self.assertRaisesRegex(ac.OptionError, "both set"):
            ac.ConnectionOptions().with_env({"AGREEMENTS_TOKEN": "a",
                                             "AGREEMENTS_TOKEN_FILE": "b"})

    def test_token_files(self) -> None:
        path = support.write_secret(self.directory / "t", "s3cret-token\n\n")
        self.assertEqual(ac.read_token_file(str(path)), "s3cret-token")
        empty = support.write_secret(self.directory / "e", " \n")
        with self.assertRaisesRegex(ac.OptionError, "is empty"):
            ac.read_token_file(str(empty))
        with self.assertRaisesRegex(ac.OptionError, "^token_file: cannot read"):
            ac.read_token_file(str(self.directory / "missing"))

    def test_bad_options_fail_at_connect(self) -> None:
        not_pem = self.directory / "ca.pem"
        not_pem.write_text("hello")
        cases = {
            "token: character 4": dict(token="abc def"),
            "key_file: mutual TLS": dict(cert_file=str(not_pem)),
            "ca_file: .* is not a PEM file": dict(ca_file=str(not_pem)),
            "token and token_file": dict(token="a", token_file=str(not_pem)),
            "timeout: must be positive": dict(timeout=0),
            "target: must name": dict(target=""),
        }
        for pattern, fields in cases.items():
            with self.subTest(pattern), self.assertRaisesRegex(ac.OptionError, pattern):
                ac.RegistryClient(ac.ConnectionOptions(**fields))

    def test_token_never_appears_in_errors(self) -> None:
        with self.assertRaises(ac.OptionError) as raised:
            ac.RegistryClient(ac.ConnectionOptions(token="top secret"))
        self.assertNotIn("secret", str(raised.exception))


def event(position: int) -> "v1.SubscribeResponse":
    """A Subscribe message with one event."""
    return v1.SubscribeResponse(event=v1.Event(envelope=v1.EventEnvelope(
        position=position, event_type="party_registered")))


def batch(*positions: int) -> "v1.SubscribeResponse":
    """A Subscribe message with a batch of events."""
    return v1.SubscribeResponse(events=v1.EventBatch(events=[
        event(p).event for p in positions]))


def caught_up(position: int) -> "v1.SubscribeResponse":
    """A caught_up marker."""
    return v1.SubscribeResponse(caught_up=v1.CaughtUp(position=position))


class FakeCall:
    """A scripted stream: its messages, then an error (or a clean end)."""

    def __init__(self, messages: Sequence, error: Optional[grpc.StatusCode] = None,
                 block: bool = False) -> None:
        self._messages, self._error, self._block = list(messages), error, block
        self.cancelled = threading.Event()

    def __iter__(self) -> Iterator:
        for message in self._messages:
            if self.cancelled.is_set():
                raise FakeRpcError(grpc.StatusCode.CANCELLED, "cancelled")
            yield message
        if self._block:
            self.cancelled.wait(support.WAIT_TIMEOUT)
            raise FakeRpcError(grpc.StatusCode.CANCELLED, "cancelled")
        if self._error is not None:
            raise FakeRpcError(self._error, f"scripted {self._error.name}")

    def cancel(self) -> None:
        self.cancelled.set()


class ScriptedStreams:
    """open_stream for FeedSubscription: records requests, answers from a script."""

    def __init__(self, *calls: FakeCall) -> None:
        self.calls = list(calls)
        self.requests: list = []

    def __call__(self, request) -> FakeCall:
        self.requests.append(request)
        if not self.calls:
            return FakeCall([], grpc.StatusCode.INVALID_ARGUMENT)
        return self.calls.pop(0)

    def starts(self) -> list:
        """Each request's start: "beginning", "now" or the position."""
        return [r.from_position if r.WhichOneof("start") == "from_position"
                else r.WhichOneof("start").removeprefix("from_") for r in self.requests]


FAST = ac.ResumeOptions(initial_backoff=0.001, max_backoff=0.002, jitter=0)


class ResumeLoopTest(unittest.TestCase):
    """FeedSubscription and the bookkeeping it uses."""

    def test_resumes_after_disconnects_without_gaps_or_repeats(self) -> None:
        streams = ScriptedStreams(
            FakeCall([event(1), event(2)], grpc.StatusCode.UNAVAILABLE),
            FakeCall([event(3), caught_up(3)]),  # a clean end: resumed too
            FakeCall([], grpc.StatusCode.INVALID_ARGUMENT))
        resumed = []
        options = ac.ResumeOptions(initial_backoff=0.001, max_backoff=0.002, jitter=0,
                                   on_resume=lambda e, p, _: resumed.append((e.code, p)))
        subscription = ac.FeedSubscription(
            streams, v1.SubscribeRequest(from_beginning=True), options)
        delivered = []
        with self.assertRaises(ac.InvalidArgumentError):
            for item in subscription.events():
                delivered.append(item.envelope.position)
        self.assertEqual(delivered, [1, 2, 3])
        self.assertEqual(streams.starts(), ["beginning", 3, 4])
        self.assertEqual(resumed, [(grpc.StatusCode.UNAVAILABLE, 2),
                                   (grpc.StatusCode.UNAVAILABLE, 3)])

    def test_leaving_the_loop_inside_a_batch_resumes_at_the_next_event(self) -> None:
        streams = ScriptedStreams(FakeCall([batch(5, 6, 7)], block=True),
                                  FakeCall([event(7), caught_up(7)], block=True))
        subscription = ac.FeedSubscription(streams, v1.SubscribeRequest(from_position=5),
                                           FAST)
        first = [e.envelope.position for e in subscription.events(limit=2)]
        self.assertEqual((first, subscription.last_position), ([5, 6], 6))
        rest = [e.envelope.position for e in subscription.events(until_caught_up=True)]
        self.assertEqual(rest, [7])
        self.assertEqual(streams.starts(), [5, 7])
        self.assertEqual(subscription.last_position, 7)

    def test_from_now_without_a_message_starts_from_now_again(self) -> None:
        streams = ScriptedStreams(FakeCall([], grpc.StatusCode.UNAVAILABLE),
                                  FakeCall([caught_up(9)], block=True))
        subscription = ac.FeedSubscription(streams, v1.SubscribeRequest(from_now=True),
                                           FAST)
        messages = list(subscription.messages(until_caught_up=True))
        self.assertEqual(len(messages), 1)
        self.assertEqual(streams.starts(), ["now", "now"])
        self.assertEqual(subscription.resume_request().from_position, 10)

    def test_stop_from_another_thread_ends_a_blocked_iteration(self) -> None:
        call = FakeCall([event(1)], block=True)
        subscription = ac.FeedSubscription(ScriptedStreams(call),
                                           v1.SubscribeRequest(), FAST)
        received = []
        timer = threading.Timer(0.2, subscription.stop)
        timer.start()
        started = time.monotonic()
        for item in subscription.events():
            received.append(item.envelope.position)
        timer.join()
        self.assertEqual(received, [1])
        self.assertTrue(call.cancelled.is_set())
        self.assertLess(time.monotonic() - started, 5)
        self.assertEqual(list(subscription.events()), [])  # stopped for good

    def test_subscribe_resume_bookkeeping(self) -> None:
        resume = ac.SubscribeResume(v1.SubscribeRequest(
            from_position=10, filter=v1.EventFilter(sectors=["energy"]),
            checkpoint_every_events=5))
        self.assertEqual((resume.has_position, resume.last_position), (True, 9))
        self.assertEqual(resume.resume_request().from_position, 10)
        resume.observe(v1.SubscribeResponse(checkpoint=v1.FeedCheckpoint(position=40)))
        resume.observe(event(12))  # never goes back
        request = resume.resume_request()
        self.assertEqual(request.from_position, 41)
        self.assertEqual(list(request.filter.sectors), ["energy"])
        self.assertEqual(request.checkpoint_every_events, 5)
        now = ac.SubscribeResume(v1.SubscribeRequest(from_now=True))
        self.assertFalse(now.has_position)
        self.assertTrue(now.resume_request().from_now)

    def test_sector_resume_skips_snapshot_rows(self) -> None:
        resume = SectorResume(v1.WatchSectorRequest(sector="energy"))
        resume.observe(v1.WatchSectorResponse(update=v1.AgreementUpdate(
            position=30, snapshot=True)))
        self.assertEqual(resume.last_position, 0)
        self.assertFalse(resume.resume_request().resume_after)
        resume.observe(v1.WatchSectorResponse(caught_up=v1.CaughtUp(position=30)))
        self.assertEqual(resume.resume_request().resume_after, 30)

    def test_backoff_doubles_up_to_the_maximum(self) -> None:
        backoff = Backoff(0.1, 0.5, 0)
        self.assertEqual([backoff.next() for _ in range(4)], [0.1, 0.2, 0.4, 0.5])
        backoff.reset()
        self.assertEqual(backoff.next(), 0.1)

    def test_bad_resume_options(self) -> None:
        for options in (ac.ResumeOptions(initial_backoff=0),
                        ac.ResumeOptions(initial_backoff=2, max_backoff=1),
                        ac.ResumeOptions(jitter=1)):
            with self.subTest(options), self.assertRaises(ValueError):
                ac.FeedSubscription(ScriptedStreams(), v1.SubscribeRequest(), options)


if __name__ == "__main__":
    unittest.main()
