#!/usr/bin/python3
"""Runs the Python client's tests (CTest runs one suite per test, label "python").

    run_tests.py [--server-bin PATH] [--gen-dir DIR] [--demo-data FILE]
                 [--timeout SECONDS] [SUITE ...]

Suites: offline (no server: error details, values, resume bookkeeping, the resume
loop against scripted streams), client, feed, tls, examples (each against real
agreements-server processes it starts on loopback). Default: all.

Exit codes: 0 passed, 1 failed, 77 skipped (CTest SKIP_RETURN_CODE) only when
Python's grpc or protobuf package cannot be imported. Missing generated stubs or
a missing server binary are failures, not skips.
"""

from __future__ import annotations

import argparse
import faulthandler
import importlib
import os
import sys
import unittest
from pathlib import Path

SUITES = ("offline", "client", "feed", "tls", "examples")
SKIP = 77
# Connection variables of the user's shell must not reach the tests.
CLEARED_ENV = ("AGREEMENTS_SERVER", "AGREEMENTS_TLS_CA", "AGREEMENTS_TLS_CERT",
               "AGREEMENTS_TLS_KEY", "AGREEMENTS_TLS_SERVER_NAME", "AGREEMENTS_TOKEN",
               "AGREEMENTS_TOKEN_FILE")
TESTS_DIR = Path(__file__).resolve().parent


def parse_args() -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("suites", nargs="*", metavar="SUITE",
                        help=f"one of {', '.join(SUITES)} (default: all)")
    parser.add_argument("--server-bin", type=Path,
                        help="agreements-server (default: <repository>/build/bin/...)")
    parser.add_argument("--gen-dir", type=Path,
                        help="generated stubs (default: $AGREEMENTS_PY_GEN, else "
                             "<repository>/build/clients/python)")
    parser.add_argument("--demo-data", type=Path, help="demo load file")
    parser.add_argument("--timeout", type=float, default=170.0,
                        help="dump the stacks and exit 1 after this many seconds "
                             "(%(default)s; under CTest's TIMEOUT)")
    args = parser.parse_args()
    unknown = [suite for suite in args.suites if suite not in SUITES]
    if unknown:
        parser.error(f"unknown suite {unknown[0]} (suites: {', '.join(SUITES)})")
    return args


def configure_environment(args: argparse.Namespace) -> None:
    """Passes the flags to support.py through the environment (examples inherit it)."""
    for name in CLEARED_ENV:
        os.environ.pop(name, None)
    # No __pycache__ in the source tree, from the tests or the examples they run.
    os.environ["PYTHONDONTWRITEBYTECODE"] = "1"
    if args.server_bin:
        os.environ["AGREEMENTS_SERVER_BIN"] = str(args.server_bin.resolve())
    if args.gen_dir:
        os.environ["AGREEMENTS_PY_GEN"] = str(args.gen_dir.resolve())
    if args.demo_data:
        os.environ["AGREEMENTS_DEMO_DATA"] = str(args.demo_data.resolve())


def grpc_missing() -> str:
    """Why Python's gRPC cannot be used ("" when it can)."""
    try:
        importlib.import_module("grpc")
        importlib.import_module("google.protobuf.message")
    except ImportError as error:
        return f"{error} (install python3-grpcio and python3-protobuf)"
    return ""


def check_setup(suites: list[str]) -> str:
    """Why the tests cannot run: no generated stubs, or no server binary where
    one is needed ("" when they can)."""
    sys.path.insert(0, str(TESTS_DIR))
    try:
        import support  # pylint: disable=import-outside-toplevel
    except ImportError as error:
        return str(error)
    if suites == ["offline"]:
        return ""

    binary = support.server_binary()
    if not os.access(binary, os.X_OK):
        return f"no agreements-server at {binary} (build it, or pass --server-bin)"
    return ""


def run(suites: list[str]) -> bool:
    """Runs the suites' test modules; whether every test passed."""
    sys.path.insert(0, str(TESTS_DIR))
    loader = unittest.TestLoader()
    tests = unittest.TestSuite(loader.loadTestsFromName(f"test_{suite}")
                               for suite in suites)
    result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout).run(tests)
    return result.wasSuccessful()


def main() -> int:
    """Entry point."""
    sys.dont_write_bytecode = True
    args = parse_args()
    suites = list(args.suites) or list(SUITES)
    missing = grpc_missing()
    if missing:
        print(f"SKIPPED: Python gRPC is not importable: {missing}")
        return SKIP
    configure_environment(args)
    problem = check_setup(suites)
    if problem:
        print(f"FAILED: {problem}")
        return 1
    faulthandler.dump_traceback_later(args.timeout, exit=True)
    return 0 if run(suites) else 1


if __name__ == "__main__":
    sys.exit(main())
