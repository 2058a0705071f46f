"""How to reach and authenticate to a registry server (the Python side of the C++
client's RegistryClientOptions and LoadConnectionOptionsFromEnv).

Environment variables (used by ConnectionOptions.with_env for fields left empty,
so that explicit values win): AGREEMENTS_SERVER, AGREEMENTS_TLS_CA,
AGREEMENTS_TLS_CERT, AGREEMENTS_TLS_KEY, AGREEMENTS_TLS_SERVER_NAME,
AGREEMENTS_TOKEN, AGREEMENTS_TOKEN_FILE.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional

import grpc

DEFAULT_TARGET = "127.0.0.1:50051"
SERVER_ENV = "AGREEMENTS_SERVER"
TLS_CA_ENV = "AGREEMENTS_TLS_CA"
TLS_CERT_ENV = "AGREEMENTS_TLS_CERT"
TLS_KEY_ENV = "AGREEMENTS_TLS_KEY"
TLS_SERVER_NAME_ENV = "AGREEMENTS_TLS_SERVER_NAME"
TOKEN_ENV = "AGREEMENTS_TOKEN"
TOKEN_FILE_ENV = "AGREEMENTS_TOKEN_FILE"

# Reconnect quickly while a server starts or restarts (gRPC's defaults, 1 s growing
# to 120 s, would make a resuming feed or wait_for_healthy oversleep). Not
# grpc.min_reconnect_backoff_ms: gRPC also takes it as the deadline of each connection
# attempt (20 s by default), and 100 ms fails handshakes on a busy machine
# ("connection attempt timed out before receiving SETTINGS frame").
CHANNEL_ARGUMENTS: tuple[tuple[str, int], ...] = (
    ("grpc.initial_reconnect_backoff_ms", 100),
    ("grpc.max_reconnect_backoff_ms", 1000),
)


class OptionError(ValueError):
    """A connection option is invalid, or a file it names cannot be read.

    The message names the option (and the file), never a token.
    """


@dataclass(frozen=True)
class ConnectionOptions:
    """Where the server is and how to authenticate.

    Attributes:
        target: "host:port" or a gRPC target URI. Default "127.0.0.1:50051".
        timeout: deadline of each unary call, seconds (feeds have none).
        tls: use TLS; implied by any of ca_file, cert_file, key_file, server_name.
        ca_file: PEM CA bundle that verifies the server ("" = system roots).
        cert_file, key_file: client certificate chain and key (mutual TLS).
        server_name: name checked in the server's certificate instead of the
            target's host (connecting by address to a certificate for a name).
        token: bearer token, sent as "authorization: Bearer <token>" on every
            call (in clear without TLS: use it without TLS on loopback only).
        token_file: file holding the token (trailing whitespace stripped).
    """

    target: str = DEFAULT_TARGET
    timeout: float = 10.0
    tls: bool = False
    ca_file: str = ""
    cert_file: str = ""
    key_file: str = ""
    server_name: str = ""
    token: str = ""
    token_file: str = ""

    @property
    def uses_tls(self) -> bool:
        """Whether the channel is TLS (asked for, or implied by a TLS field)."""
        return self.tls or any((self.ca_file, self.cert_file, self.key_file,
                                self.server_name))

    def with_env(self, environ: Optional[Mapping[str, str]] = None) -> ConnectionOptions:
        """A copy with the empty TLS and token fields filled from the environment.

        The token comes from AGREEMENTS_TOKEN, else the file named by
        AGREEMENTS_TOKEN_FILE, and only when neither token nor token_file is set.
        Empty variables count as unset. Raises OptionError when both token
        variables are set.
        """
        env = os.environ if environ is None else environ
        fill = {name: env.get(variable, "") for name, variable in (
            ("ca_file", TLS_CA_ENV), ("cert_file", TLS_CERT_ENV),
            ("key_file", TLS_KEY_ENV), ("server_name", TLS_SERVER_NAME_ENV))
            if not getattr(self, name)}
        if not self.token and not self.token_file:
            token, token_file = env.get(TOKEN_ENV, ""), env.get(TOKEN_FILE_ENV, "")
            if token and token_file:
                raise OptionError(f"{TOKEN_ENV} and {TOKEN_FILE_ENV} are both set: "
                                  "unset one of them")
            fill.update(token=token, token_file=token_file)
        return dataclasses.replace(self, **{k: v for k, v in fill.items() if v})


def read_token_file(path: str, option: str = "token_file") -> str:
    """The token in the file at `path`, trailing whitespace stripped.

    Raises OptionError naming `option` when the file cannot be read or is empty.
    """
    token = _read_file(path, option).decode("utf-8", errors="replace").rstrip()
    if not token:
        raise OptionError(f'{option}: token file "{path}" is empty')
    return token


def check_token(token: str) -> None:
    """Raises OptionError unless the token is printable ASCII without spaces."""
    for index, char in enumerate(token):
        if not "!" <= char <= "~":
            raise OptionError(
                f"token: character {index + 1} is a space, a control or a non-ASCII "
                "character; a bearer token is printable ASCII without spaces")


def resolve_token(options: ConnectionOptions) -> str:
    """The token to send: options.token, or the content of options.token_file."""
    if options.token and options.token_file:
        raise OptionError("token and token_file: give at most one")
    token = options.token
    if options.token_file:
        token = read_token_file(options.token_file)
    check_token(token)
    return token


def channel_credentials(options: ConnectionOptions) -> Optional[grpc.ChannelCredentials]:
    """TLS credentials with the PEM files read now; None for plaintext."""
    if not options.uses_tls:
        return None
    if bool(options.cert_file) != bool(options.key_file):
        missing = "key_file" if options.cert_file else "cert_file"
        raise OptionError(f"{missing}: mutual TLS needs both cert_file and key_file")
    return grpc.ssl_channel_credentials(
        root_certificates=_read_pem(options.ca_file, "ca_file"),
        private_key=_read_pem(options.key_file, "key_file"),
        certificate_chain=_read_pem(options.cert_file, "cert_file"))


def channel_arguments(options: ConnectionOptions) -> list[tuple[str, object]]:
    """gRPC channel arguments: reconnect backoff and the TLS name override."""
    arguments: list[tuple[str, object]] = list(CHANNEL_ARGUMENTS)
    if options.server_name:
        arguments.append(("grpc.ssl_target_name_override", options.server_name))
    return arguments


def check(options: ConnectionOptions) -> None:
    """Raises OptionError for an empty target or a non-positive timeout."""
    if not options.target:
        raise OptionError("target: must name a server (host:port)")
    if not options.timeout > 0:
        raise OptionError("timeout: must be positive")


def _read_pem(path: str, option: str) -> Optional[bytes]:
    """A PEM file's bytes (None for no path); refuses a file without a PEM block."""
    if not path:
        return None
    pem = _read_file(path, option)
    if b"-----BEGIN " not in pem:
        raise OptionError(f'{option}: "{path}" is not a PEM file (no "-----BEGIN" line)')
    return pem


def _read_file(path: str, option: str) -> bytes:
    """A file's bytes; OptionError naming the option and the file on failure."""
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise OptionError(f'{option}: cannot read "{path}": {error.strerror}') from error
