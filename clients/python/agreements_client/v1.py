"""The registry's API (package agreements.v1) in one namespace: every message
class, every enum and every enum value of proto/agreements/v1/.

    from agreements_client import v1

    party = v1.Party(id="kz", type=v1.PARTY_TYPE_STATE, country_code="KZ",
                     names=[v1.LocalizedText(language="en", text="Kazakhstan")])

The generated modules themselves are available too (v1.events_pb2,
v1.command_service_pb2_grpc, ...), as are the health protocol's (health_pb2,
health_pb2_grpc).
"""

from __future__ import annotations

from types import ModuleType

from agreements_client import _gen

_gen.install()

# pylint: disable=wrong-import-position
from agreements.v1 import admin_service_pb2, admin_service_pb2_grpc  # noqa: E402
from agreements.v1 import agreement_pb2, audit_bundle_pb2  # noqa: E402
from agreements.v1 import audit_service_pb2, audit_service_pb2_grpc  # noqa: E402
from agreements.v1 import command_service_pb2, command_service_pb2_grpc  # noqa: E402
from agreements.v1 import events_pb2, party_pb2, types_pb2  # noqa: E402
from agreements.v1 import feed_service_pb2, feed_service_pb2_grpc  # noqa: E402
from agreements.v1 import query_service_pb2, query_service_pb2_grpc  # noqa: E402
from agreements.v1 import security_service_pb2, security_service_pb2_grpc  # noqa: E402
from grpc_health.v1 import health_pb2, health_pb2_grpc  # noqa: E402

# The gRPC stubs (client.py uses them) and the health protocol.
SERVICE_MODULES: tuple[ModuleType, ...] = (
    admin_service_pb2_grpc, audit_service_pb2_grpc, command_service_pb2_grpc,
    feed_service_pb2_grpc, query_service_pb2_grpc, security_service_pb2_grpc,
    health_pb2, health_pb2_grpc)
# The modules whose messages and enums are exported here.
MESSAGE_MODULES: tuple[ModuleType, ...] = (
    types_pb2, party_pb2, agreement_pb2, events_pb2, command_service_pb2,
    query_service_pb2, feed_service_pb2, audit_service_pb2, audit_bundle_pb2,
    security_service_pb2, admin_service_pb2)


def _export(module: ModuleType) -> None:
    """Copies the module's top-level messages, enums and enum values here."""
    names = globals()
    descriptor = module.DESCRIPTOR
    for name in descriptor.message_types_by_name:
        names[name] = getattr(module, name)
    for name, enum in descriptor.enum_types_by_name.items():
        names[name] = getattr(module, name)
        for value in enum.values:
            names[value.name] = value.number


for _module in MESSAGE_MODULES:
    _export(_module)
del _module
