"""Periodic SIGHUP reloads of the soak test (docs/security.md, "Reload" and
"Revocation on reload").

Each cycle replaces the rotating principal's token in the token file (and toggles
a policy line), sends SIGHUP, and checks: the server counts one more successful
reload; the feed stream opened with the old token ends with UNAUTHENTICATED; no
other stream is revoked (the revoked count grows by exactly one); the new token
authenticates; a stream opened with it is served."""

from __future__ import annotations

import threading
import time
from typing import Optional

import grpc

import agreements_client as ac
from agreements_client import v1

from soak_server import SecurityFiles, ServerProcess
from soak_util import Failures, GuardedThread

RELOAD_TIMEOUT = 10.0
REVOCATION_TIMEOUT = 10.0
PROBE_READY_TIMEOUT = 10.0


class ProbeStream:
    """A Subscribe stream from now, on a connection of its own, read on a thread;
    it remembers how it ended."""

    def __init__(self, target: str, token: str) -> None:
        self._channel = grpc.insecure_channel(
            target, options=[("grpc.use_local_subchannel_pool", 1)])
        stub = v1.feed_service_pb2_grpc.FeedServiceStub(self._channel)
        self._call = stub.Subscribe(v1.SubscribeRequest(from_now=True),
                                    metadata=(("authorization", f"Bearer {token}"),))
        self.first_message = threading.Event()
        self.ended = threading.Event()
        self.code: Optional[grpc.StatusCode] = None
        self.details = ""
        threading.Thread(target=self._read, name="sighup-probe", daemon=True).start()

    def _read(self) -> None:
        """Reads until the stream ends; notes its status."""
        try:
            for _ in self._call:
                self.first_message.set()
            self.code = grpc.StatusCode.OK
        except grpc.RpcError as error:
            self.code, self.details = error.code(), error.details() or ""
        finally:
            self.ended.set()

    def close(self) -> None:
        """Cancels the stream and closes its connection."""
        self._call.cancel()
        self.ended.wait(5)
        self._channel.close()


class SighupDriver(GuardedThread):
    """Rotates a token and sends SIGHUP every `every` seconds."""

    def __init__(self, server: ServerProcess, files: SecurityFiles,
                 admin: ac.RegistryClient, every: float, failures: Failures,
                 stop: threading.Event) -> None:
        super().__init__("sighup-driver", failures)
        self._server = server
        self._files = files
        self._admin = admin
        self._every = every
        self._failures = failures
        self._stop_event = stop
        self._probe: Optional[ProbeStream] = None
        self.cycles = 0
        self.verified = 0

    def body(self) -> None:
        """Opens the first probe, then reloads every period until stopped."""
        try:
            self._probe = self._open_probe(self._files.rotating_token)
            while not self._stop_event.wait(self._every):
                self._cycle()
        except (ac.AgreementsError, RuntimeError) as error:
            self._failures.add("sighup", f"cycle {self.cycles}: {error}")
        finally:
            if self._probe is not None:
                self._probe.close()

    def _cycle(self) -> None:
        """One rotation, reload and the checks."""
        self.cycles += 1
        before = self._status()
        new_token = self._files.rotate()
        self._server.sighup()
        after = self._wait_for_reload(before.reloads + 1)
        problems = self._check_revocation(before, after)
        problems += self._check_new_token(new_token)
        for problem in problems:
            self._failures.add("sighup", f"cycle {self.cycles}: {problem}")
        if not problems:
            self.verified += 1

    def _status(self) -> "v1.GetSecurityStatusResponse":
        """GetSecurityStatus (admin)."""
        return self._admin.call(self._admin.security.GetSecurityStatus,
                                v1.GetSecurityStatusRequest())

    def _wait_for_reload(self, reloads: int) -> "v1.GetSecurityStatusResponse":
        """The status once the server counted `reloads` reloads (bounded)."""
        deadline = time.monotonic() + RELOAD_TIMEOUT
        while True:
            status = self._status()
            if status.reloads >= reloads or status.failed_reloads > 0:
                return status
            if time.monotonic() > deadline:
                raise RuntimeError(f"no reload counted {RELOAD_TIMEOUT:.0f}s after SIGHUP "
                                   f"(reloads {status.reloads})")
            time.sleep(0.1)

    def _check_revocation(self, before, after) -> list[str]:
        """The reload succeeded and ended the old probe, and only it."""
        problems = []
        if after.failed_reloads != before.failed_reloads or after.last_reload_error:
            problems.append(f"reload failed: {after.last_reload_error}")
        probe = self._probe
        if probe is not None:
            if not probe.ended.wait(REVOCATION_TIMEOUT):
                problems.append("the stream of the removed token was not ended")
            elif probe.code != grpc.StatusCode.UNAUTHENTICATED:
                problems.append(f"the stream of the removed token ended with {probe.code}: "
                                f"{probe.details}")
            probe.close()
            self._probe = None
        revoked = after.streams.revoked_stream_count - before.streams.revoked_stream_count
        if revoked > 1:
            problems.append(f"{revoked} streams revoked by the reload; only the probe's "
                            f"token was removed")
        return problems

    def _check_new_token(self, token: str) -> list[str]:
        """The new token authenticates, and a stream opened with it is served."""
        problems = []
        options = ac.ConnectionOptions(target=self._server.address, token=token,
                                       timeout=10.0)
        with ac.RegistryClient(options) as client:
            principal = client.whoami().principal
        if principal != self._files.rotating_principal:
            problems.append(f"new token authenticates as {principal!r}")
        self._probe = self._open_probe(token)
        return problems

    def _open_probe(self, token: str) -> ProbeStream:
        """A probe stream that has received its first message (caught_up)."""
        probe = ProbeStream(self._server.address, token)
        if not probe.first_message.wait(PROBE_READY_TIMEOUT):
            probe.close()
            raise RuntimeError(f"probe stream not served within {PROBE_READY_TIMEOUT:.0f}s "
                               f"({probe.code}: {probe.details})")
        return probe

    def summary(self) -> dict:
        """Counts for the report."""
        return {"sighups": self.cycles, "verified": self.verified}
