"""Python client of the agreements registry (docs/api.md).

    import agreements_client as ac

    with ac.connect("127.0.0.1:50051", token_file="loader.token",
                    ca_file="ca.pem") as client:
        recorded = client.record_agreement(agreement, request_id="load-42")
        client.apply_change(recorded.agreement.id, change,
                            expected_revision=recorded.agreement.revision)
        for event in client.subscribe("beginning").events(limit=10):
            print(event.envelope.position, event.envelope.event_type)

The generated messages and stubs come from clients/python/generate.py (found in
$AGREEMENTS_PY_GEN, else <repository>/build/clients/python); `v1` holds every
message and enum of agreements.v1.
"""

from agreements_client import v1
from agreements_client.client import RegistryClient, connect
from agreements_client.errors import (AbortedError, AgreementsError, AlreadyExistsError,
                                      DeadlineExceededError, FailedPreconditionError,
                                      FieldViolation, InvalidArgumentError, NotFoundError,
                                      PermissionDeniedError, PreconditionViolation,
                                      ResourceExhaustedError, UnauthenticatedError,
                                      UnavailableError)
from agreements_client.feed import (FeedSubscription, ResumeOptions, SectorWatcher,
                                    SubscribeResume)
from agreements_client.options import ConnectionOptions, OptionError, read_token_file
from agreements_client.values import (ANY, NO_STREAM, STREAM_EXISTS, agreement_command,
                                      date, expected_revision, format_date,
                                      new_request_id, party_command, sector, text,
                                      title_of)

__all__ = [
    "ANY", "NO_STREAM", "STREAM_EXISTS", "AbortedError", "AgreementsError",
    "AlreadyExistsError", "ConnectionOptions", "DeadlineExceededError",
    "FailedPreconditionError", "FeedSubscription", "FieldViolation",
    "InvalidArgumentError", "NotFoundError", "OptionError", "PermissionDeniedError",
    "PreconditionViolation", "RegistryClient", "ResourceExhaustedError", "ResumeOptions",
    "SectorWatcher", "SubscribeResume", "UnauthenticatedError", "UnavailableError",
    "agreement_command", "connect", "date", "expected_revision", "format_date",
    "new_request_id", "party_command", "read_token_file", "sector", "text", "title_of",
    "v1",
]
