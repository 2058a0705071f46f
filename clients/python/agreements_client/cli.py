"""Command-line plumbing shared by scripts (the examples): connection flags with the
C++ CLI's environment fallbacks, and uniform error exits.

    parser = argparse.ArgumentParser()
    cli.add_connection_arguments(parser)
    args = parser.parse_args()
    with cli.connect_from_args(args) as client:
        ...

Flags: --server HOST:PORT ($AGREEMENTS_SERVER, else 127.0.0.1:50051), --tls,
--ca-file ($AGREEMENTS_TLS_CA), --cert-file / --key-file ($AGREEMENTS_TLS_CERT,
$AGREEMENTS_TLS_KEY), --server-name ($AGREEMENTS_TLS_SERVER_NAME), --token-file
($AGREEMENTS_TOKEN_FILE; or a token in $AGREEMENTS_TOKEN), --timeout SECONDS.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Callable

from agreements_client import options as opts
from agreements_client.client import RegistryClient
from agreements_client.errors import AgreementsError
from agreements_client.options import ConnectionOptions, OptionError

# Exit codes: 1 for a failed call or bad options, 130 after Ctrl-C.
EXIT_ERROR = 1
EXIT_INTERRUPTED = 130


def add_connection_arguments(parser: argparse.ArgumentParser) -> None:
    """Adds the connection flags to `parser`."""
    group = parser.add_argument_group("connection")
    group.add_argument("--server", default=os.environ.get(opts.SERVER_ENV, "")
                       or opts.DEFAULT_TARGET,
                       help="registry server HOST:PORT (default: $AGREEMENTS_SERVER, "
                            "else %(default)s)")
    group.add_argument("--tls", action="store_true",
                       help="use TLS with the system's CA roots (implied by --ca-file, "
                            "--cert-file, --key-file, --server-name)")
    group.add_argument("--ca-file", default="", help="PEM CA bundle verifying the server")
    group.add_argument("--cert-file", default="", help="client certificate (mutual TLS)")
    group.add_argument("--key-file", default="", help="private key of --cert-file")
    group.add_argument("--server-name", default="",
                       help="name to verify in the server's certificate")
    group.add_argument("--token-file", default="",
                       help="file holding the bearer token (sent as authorization: "
                            "Bearer TOKEN)")
    group.add_argument("--timeout", type=float, default=10.0,
                       help="deadline of each call in seconds (default: %(default)s)")


def options_from_args(args: argparse.Namespace) -> ConnectionOptions:
    """ConnectionOptions from the flags, with empty ones from the environment."""
    return ConnectionOptions(target=args.server, timeout=args.timeout, tls=args.tls,
                             ca_file=args.ca_file, cert_file=args.cert_file,
                             key_file=args.key_file, server_name=args.server_name,
                             token_file=args.token_file).with_env()


def connect_from_args(args: argparse.Namespace) -> RegistryClient:
    """A RegistryClient for the connection flags."""
    return RegistryClient(options_from_args(args))


def run(main: Callable[[], int]) -> None:
    """Runs main() and exits with its code; prints a failed call or bad options as
    "error: ..." on stderr (exit 1), and exits 130 on Ctrl-C."""
    try:
        code = main()
    except (AgreementsError, OptionError) as error:
        print(f"error: {error}", file=sys.stderr)
        for violation in getattr(error, "field_violations", ()):
            print(f"  {violation.field}: {violation.description}", file=sys.stderr)
        code = EXIT_ERROR
    except KeyboardInterrupt:
        code = EXIT_INTERRUPTED
    sys.exit(code)
