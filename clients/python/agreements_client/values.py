"""Small builders for the values requests carry: request ids, expected revisions,
dates, texts, and messages given as protobuf JSON dictionaries."""

from __future__ import annotations

import secrets
from typing import Mapping, Optional, TypeVar, Union

from google.protobuf import json_format
from google.protobuf.message import Message

from agreements_client import v1

# Expected revisions besides an exact number (ExpectedRevision's other cases).
ANY = "any"
NO_STREAM = "no_stream"
STREAM_EXISTS = "stream_exists"

ExpectedRevisionLike = Union[int, str, "v1.ExpectedRevision", None]
MessageT = TypeVar("MessageT", bound=Message)


def new_request_id(prefix: str = "py") -> str:
    """A fresh random request id: prefix, "-", 32 lowercase hex digits.

    For a command the caller gave no id; a retry of the same command must reuse
    the id it sent first (the server then replays the original result).
    """
    return f"{prefix}-{secrets.token_hex(16)}"


def expected_revision(value: ExpectedRevisionLike) -> Optional["v1.ExpectedRevision"]:
    """An ExpectedRevision from a revision number (exact), ANY, NO_STREAM or
    STREAM_EXISTS, or an ExpectedRevision; None for None (no check)."""
    if value is None:
        return None
    if isinstance(value, v1.ExpectedRevision):
        return value
    if isinstance(value, bool):
        raise TypeError("expected_revision: a revision number or ANY, NO_STREAM, "
                        "STREAM_EXISTS, not a bool")
    if isinstance(value, int):
        if value < 0:
            raise ValueError(f"expected_revision: {value} is negative")
        return v1.ExpectedRevision(exact=value)
    if value in (ANY, NO_STREAM, STREAM_EXISTS):
        return v1.ExpectedRevision(**{value: True})
    raise ValueError(f"expected_revision: {value!r} is not a revision number, ANY, "
                     "NO_STREAM or STREAM_EXISTS")


def as_message(value: Union[MessageT, Mapping], message_type: type[MessageT]) -> MessageT:
    """`value` if it is a message_type, else parsed from protobuf JSON (a dict with
    the JSON names, e.g. {"partyId": "kz"}, or the proto names)."""
    if isinstance(value, message_type):
        return value
    if isinstance(value, Mapping):
        return json_format.ParseDict(dict(value), message_type())
    raise TypeError(f"expected {message_type.DESCRIPTOR.full_name} or a dict, "
                    f"got {type(value).__name__}")


def date(year: int, month: int = 0, day: int = 0) -> "v1.Date":
    """A legal date with the precision of what is given (year, year-month, full)."""
    if day:
        precision = v1.DATE_PRECISION_DAY
    elif month:
        precision = v1.DATE_PRECISION_MONTH
    else:
        precision = v1.DATE_PRECISION_YEAR
    return v1.Date(year=year, month=month, day=day, precision=precision)


def text(language: str, value: str) -> "v1.LocalizedText":
    """Text in one language (BCP 47 tag)."""
    return v1.LocalizedText(language=language, text=value)


def sector(code: str) -> "v1.Classification":
    """A registry sector classification ("energy", "transport", ...)."""
    return v1.Classification(scheme=v1.CLASSIFICATION_SCHEME_REGISTRY_SECTOR, code=code)


def command_context(request_id: Optional[str] = None, reason: str = "",
                    correlation_id: str = "",
                    causation_id: str = "") -> "v1.CommandContext":
    """A CommandContext; a fresh request id when none is given."""
    return v1.CommandContext(request_id=request_id or new_request_id(), reason=reason,
                             correlation_id=correlation_id, causation_id=causation_id)


def agreement_command(agreement_id: str, change: Union["v1.EventPayload", Mapping],
                      expected: ExpectedRevisionLike = None,
                      reason: str = "") -> "v1.Command":
    """One Command on an agreement stream, for execute_batch."""
    command = v1.Command(stream_type=v1.STREAM_TYPE_AGREEMENT, stream_id=agreement_id,
                         change=as_message(change, v1.EventPayload), reason=reason)
    revision = expected_revision(expected)
    if revision is not None:
        command.expected_revision.CopyFrom(revision)
    return command


def party_command(party_id: str, change: Union["v1.EventPayload", Mapping],
                  expected: ExpectedRevisionLike = None, reason: str = "") -> "v1.Command":
    """One Command on a party stream, for execute_batch."""
    command = agreement_command(party_id, change, expected, reason)
    command.stream_type = v1.STREAM_TYPE_PARTY
    return command



def format_date(value: "v1.Date") -> str:
    """A Date as ISO text at its precision ("2009", "2009-05", "2009-05-13"); ""
    for an unset date."""
    if not value.year:
        return ""
    if value.precision == v1.DATE_PRECISION_YEAR or not value.month:
        return f"{value.year:04d}"
    if value.precision == v1.DATE_PRECISION_MONTH or not value.day:
        return f"{value.year:04d}-{value.month:02d}"
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


def title_of(agreement: "v1.Agreement", language: str = "en") -> str:
    """The agreement's title in `language`, else its first title, else ""."""
    for title in agreement.titles:
        if title.language == language:
            return title.text
    return agreement.titles[0].text if agreement.titles else ""
