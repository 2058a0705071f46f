"""Errors of the registry's calls, with the server's machine-readable details.

Every failed call raises an AgreementsError (or the subclass for its code, e.g.
NotFoundError). Besides the gRPC code and message it carries what the server put
in the "grpc-status-details-bin" trailer, a serialized google.rpc.Status whose
details may hold:

- google.rpc.ErrorInfo: `reason` (a stable UPPER_SNAKE_CASE name such as
  "WRONG_EXPECTED_REVISION"), `domain` ("agreements.registry") and `metadata`
  (facts such as "current_revision");
- google.rpc.BadRequest: `field_violations` (field path and rule);
- google.rpc.PreconditionFailure: `precondition_violations`;
- google.rpc.RetryInfo: `retry_delay` (seconds), also read from the
  "retry-after-ms" trailer;
- google.rpc.ResourceInfo: `resource`.

A server that sends no details leaves these empty; nothing here requires them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping, Optional, Sequence

import grpc

from agreements_client import _gen

_gen.install()

# pylint: disable=wrong-import-position
from google.rpc import error_details_pb2, status_pb2  # noqa: E402

STATUS_DETAILS_KEY = "grpc-status-details-bin"
RETRY_AFTER_KEY = "retry-after-ms"
# The ErrorInfo domain of the registry's reasons.
DOMAIN = "agreements.registry"
WRONG_EXPECTED_REVISION = "WRONG_EXPECTED_REVISION"


@dataclass(frozen=True)
class FieldViolation:
    """One invalid field of a request (google.rpc.BadRequest.FieldViolation)."""

    field: str
    description: str


@dataclass(frozen=True)
class PreconditionViolation:
    """One failed precondition (google.rpc.PreconditionFailure.Violation)."""

    type: str
    subject: str
    description: str


@dataclass(frozen=True)
class ResourceInfo:
    """The resource a call was about (google.rpc.ResourceInfo)."""

    resource_type: str
    resource_name: str
    owner: str
    description: str


@dataclass
class _Details:
    """What the status details trailer held."""

    reason: str = ""
    domain: str = ""
    metadata: Optional[dict[str, str]] = None
    field_violations: Sequence[FieldViolation] = ()
    precondition_violations: Sequence[PreconditionViolation] = ()
    retry_delay: Optional[float] = None
    resource: Optional[ResourceInfo] = None


class AgreementsError(Exception):
    """A call to the registry failed.

    Attributes:
        code: the gRPC status code (grpc.StatusCode).
        message: the status message ("" when none).
        reason, domain, metadata: from google.rpc.ErrorInfo ("", "", {} without).
        field_violations: from google.rpc.BadRequest.
        precondition_violations: from google.rpc.PreconditionFailure.
        retry_delay: seconds to wait before retrying (RetryInfo or the
            "retry-after-ms" trailer), None when the server gave none.
        resource: from google.rpc.ResourceInfo, None without.
        trailers: the call's text trailing metadata (e.g. "agreements-writer").
    """

    def __init__(self, code: grpc.StatusCode, message: str, *, reason: str = "",
                 domain: str = "", metadata: Optional[Mapping[str, str]] = None,
                 field_violations: Iterable[FieldViolation] = (),
                 precondition_violations: Iterable[PreconditionViolation] = (),
                 retry_delay: Optional[float] = None,
                 resource: Optional[ResourceInfo] = None,
                 trailers: Optional[Mapping[str, str]] = None) -> None:
        super().__init__(code, message)
        self.code = code
        self.message = message
        self.reason = reason
        self.domain = domain
        self.metadata: dict[str, str] = dict(metadata or {})
        self.field_violations: tuple[FieldViolation, ...] = tuple(field_violations)
        self.precondition_violations: tuple[PreconditionViolation, ...] = tuple(
            precondition_violations)
        self.retry_delay = retry_delay
        self.resource = resource
        self.trailers: dict[str, str] = dict(trailers or {})

    def __str__(self) -> str:
        text = f"{self.code.name}: {self.message}"
        return f"{text} [{self.reason}]" if self.reason else text

    @property
    def fields(self) -> list[str]:
        """The paths of the invalid fields (BadRequest), in the server's order."""
        return [violation.field for violation in self.field_violations]

    @property
    def current_revision(self) -> Optional[int]:
        """ErrorInfo metadata "current_revision" as a number, None without it."""
        value = self.metadata.get("current_revision", "")
        return int(value) if value.isdigit() else None

    @property
    def is_wrong_revision(self) -> bool:
        """Whether the call failed on its expected revision (re-read, then retry).

        The reason WRONG_EXPECTED_REVISION says so; a server that sends no
        details says so with ABORTED (docs/api.md, "Errors").
        """
        if self.reason:
            return self.reason == WRONG_EXPECTED_REVISION
        return self.code == grpc.StatusCode.ABORTED

    @classmethod
    def from_rpc_error(cls, error: grpc.RpcError) -> "AgreementsError":
        """The AgreementsError (subclass for the code) of a failed gRPC call."""
        code = _call_code(error)
        message = _call_message(error)
        text, binary = _split_trailers(_call_trailers(error))
        details = _parse_status(binary.get(STATUS_DETAILS_KEY))
        retry_delay = details.retry_delay
        if retry_delay is None and text.get(RETRY_AFTER_KEY, "").isdigit():
            retry_delay = int(text[RETRY_AFTER_KEY]) / 1000
        return error_class(code)(
            code, message, reason=details.reason, domain=details.domain,
            metadata=details.metadata, field_violations=details.field_violations,
            precondition_violations=details.precondition_violations,
            retry_delay=retry_delay, resource=details.resource, trailers=text)


class InvalidArgumentError(AgreementsError):
    """INVALID_ARGUMENT: a malformed request; fix it (see field_violations)."""


class NotFoundError(AgreementsError):
    """NOT_FOUND: unknown (or invisible) agreement, party or event."""


class AlreadyExistsError(AgreementsError):
    """ALREADY_EXISTS: the id (or identifier) is taken."""


class FailedPreconditionError(AgreementsError):
    """FAILED_PRECONDITION: e.g. an illegal lifecycle transition; read the state first."""


class AbortedError(AgreementsError):
    """ABORTED: e.g. an expected revision mismatch; re-read and retry."""


class UnauthenticatedError(AgreementsError):
    """UNAUTHENTICATED: no acceptable credentials."""


class PermissionDeniedError(AgreementsError):
    """PERMISSION_DENIED: the caller's roles lack the permission."""


class ResourceExhaustedError(AgreementsError):
    """RESOURCE_EXHAUSTED: over a limit or rate; retry after retry_delay."""


class UnavailableError(AgreementsError):
    """UNAVAILABLE: server unreachable, shutting down, or not the writer."""


class DeadlineExceededError(AgreementsError):
    """DEADLINE_EXCEEDED: the call's deadline passed."""


_CLASSES: dict[grpc.StatusCode, type[AgreementsError]] = {
    grpc.StatusCode.INVALID_ARGUMENT: InvalidArgumentError,
    grpc.StatusCode.NOT_FOUND: NotFoundError,
    grpc.StatusCode.ALREADY_EXISTS: AlreadyExistsError,
    grpc.StatusCode.FAILED_PRECONDITION: FailedPreconditionError,
    grpc.StatusCode.ABORTED: AbortedError,
    grpc.StatusCode.UNAUTHENTICATED: UnauthenticatedError,
    grpc.StatusCode.PERMISSION_DENIED: PermissionDeniedError,
    grpc.StatusCode.RESOURCE_EXHAUSTED: ResourceExhaustedError,
    grpc.StatusCode.UNAVAILABLE: UnavailableError,
    grpc.StatusCode.DEADLINE_EXCEEDED: DeadlineExceededError,
}


def error_class(code: grpc.StatusCode) -> type[AgreementsError]:
    """The AgreementsError subclass raised for `code` (AgreementsError itself if none)."""
    return _CLASSES.get(code, AgreementsError)


def _call_code(error: grpc.RpcError) -> grpc.StatusCode:
    """The call's code; UNKNOWN for an RpcError that is not a finished call."""
    code = getattr(error, "code", None)
    value = code() if callable(code) else None
    return value if isinstance(value, grpc.StatusCode) else grpc.StatusCode.UNKNOWN


def _call_message(error: grpc.RpcError) -> str:
    """The call's status message, or the exception's text."""
    details = getattr(error, "details", None)
    value = details() if callable(details) else None
    return value if isinstance(value, str) else str(error)


def _call_trailers(error: grpc.RpcError) -> Sequence[tuple[str, object]]:
    """The call's trailing metadata; empty when it has none."""
    trailing = getattr(error, "trailing_metadata", None)
    value = trailing() if callable(trailing) else None
    return tuple(value or ())


def _split_trailers(
        trailers: Iterable[tuple[str, object]]) -> tuple[dict[str, str], dict[str, bytes]]:
    """Text and binary ("-bin") trailers, by key; the first value of each key."""
    text: dict[str, str] = {}
    binary: dict[str, bytes] = {}
    for key, value in trailers:
        if key.endswith("-bin") and isinstance(value, bytes):
            binary.setdefault(key, value)
        elif isinstance(value, str):
            text.setdefault(key, value)
    return text, binary


def _parse_status(serialized: Optional[bytes]) -> _Details:
    """The details of a serialized google.rpc.Status; empty for none or garbage."""
    details = _Details()
    if not serialized:
        return details
    status = status_pb2.Status()
    try:
        status.ParseFromString(serialized)
    except Exception:  # pylint: disable=broad-except  # a malformed trailer: no details
        return details
    for any_detail in status.details:
        _apply_detail(details, any_detail)
    return details


def _apply_detail(details: _Details, any_detail) -> None:
    """Adds one google.protobuf.Any detail; unknown types are ignored."""
    if any_detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
        info = error_details_pb2.ErrorInfo()
        any_detail.Unpack(info)
        details.reason, details.domain = info.reason, info.domain
        details.metadata = dict(info.metadata)
    elif any_detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
        bad = error_details_pb2.BadRequest()
        any_detail.Unpack(bad)
        details.field_violations = tuple(details.field_violations) + tuple(
            FieldViolation(v.field, v.description) for v in bad.field_violations)
    elif any_detail.Is(error_details_pb2.PreconditionFailure.DESCRIPTOR):
        failure = error_details_pb2.PreconditionFailure()
        any_detail.Unpack(failure)
        details.precondition_violations = tuple(details.precondition_violations) + tuple(
            PreconditionViolation(v.type, v.subject, v.description)
            for v in failure.violations)
    elif any_detail.Is(error_details_pb2.RetryInfo.DESCRIPTOR):
        retry = error_details_pb2.RetryInfo()
        any_detail.Unpack(retry)
        details.retry_delay = retry.retry_delay.ToNanoseconds() / 1e9
    elif any_detail.Is(error_details_pb2.ResourceInfo.DESCRIPTOR):
        info = error_details_pb2.ResourceInfo()
        any_detail.Unpack(info)
        details.resource = ResourceInfo(info.resource_type, info.resource_name,
                                        info.owner, info.description)
