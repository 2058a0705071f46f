#!/usr/bin/env python3
"""Generates the Python messages and gRPC stubs of the registry's API.

    generate.py [OUT_DIR] [--proto-root DIR] [--protoc PROTOC] [--plugin PLUGIN]
                [--stamp FILE]

Runs Debian's protoc (--python_out) with Debian's grpc_python_plugin
(--grpc_python_out) over proto/agreements/v1/*.proto, google/rpc/status.proto,
google/rpc/error_details.proto and grpc/health/v1/health.proto, and writes the
modules into OUT_DIR (default: <repository>/build/clients/python, outside git).
The package agreements_client finds them there, or in $AGREEMENTS_PY_GEN.

The modules keep the proto paths as their import paths (agreements.v1.events_pb2,
google.rpc.status_pb2), except the health protocol: its proto directory "grpc"
would shadow the grpcio package itself, so it is generated as
grpc_health/v1/health.proto (module grpc_health.v1.health_pb2), the path the
grpcio-health-checking package uses too. Only the standard library is needed, so
any Python 3 can run this script.

Output is written beside OUT_DIR first and then swapped in package by package, so
a failed run leaves the previous stubs in place.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
DEFAULT_OUT_DIR = REPOSITORY / "build" / "clients" / "python"
DEFAULT_PROTO_ROOT = REPOSITORY / "proto"

# Protos generated as they are, relative to the proto root (plus every
# agreements/v1/*.proto).
EXTRA_PROTOS = ("google/rpc/status.proto", "google/rpc/error_details.proto")
# The health protocol: its source path, and the path it is generated under.
HEALTH_PROTO = "grpc/health/v1/health.proto"
HEALTH_STAGED = "grpc_health/v1/health.proto"

# Top-level packages this script writes (and replaces) in OUT_DIR.
PACKAGES = ("agreements", "google", "grpc_health")
# Directories that get an __init__.py: regular packages, so that another
# installation's namespace portion cannot mix into them. "google" itself stays a
# namespace package: google.protobuf lives in another directory.
REGULAR_PACKAGES = ("agreements", "agreements/v1", "google/rpc", "grpc_health",
                    "grpc_health/v1")
MARKER = "AGREEMENTS_PY_GEN.txt"


def parse_args(argv: list[str]) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", nargs="?", type=Path, default=DEFAULT_OUT_DIR,
                        help=f"where the modules go (default: {DEFAULT_OUT_DIR})")
    parser.add_argument("--proto-root", type=Path, default=DEFAULT_PROTO_ROOT,
                        help="the proto import root (default: the repository's proto/)")
    parser.add_argument("--protoc", default="protoc",
                        help="protoc to run (default: protoc)")
    parser.add_argument("--plugin", default="/usr/bin/grpc_python_plugin",
                        help="gRPC's Python plugin (default: /usr/bin/grpc_python_plugin)")
    parser.add_argument("--stamp", type=Path,
                        help="file touched after a successful run (for build systems)")
    return parser.parse_args(argv)


def api_protos(proto_root: Path) -> list[str]:
    """The protos generated as they are, relative to proto_root, sorted."""
    v1 = sorted(p.relative_to(proto_root).as_posix()
                for p in (proto_root / "agreements" / "v1").glob("*.proto"))
    if not v1:
        raise SystemExit(f"generate.py: no protos in {proto_root}/agreements/v1")
    return v1 + list(EXTRA_PROTOS)


def stage_health_proto(proto_root: Path, staging: Path) -> None:
    """Copies the health proto to its generated path under staging."""
    target = staging / HEALTH_STAGED
    target.parent.mkdir(parents=True)
    shutil.copyfile(proto_root / HEALTH_PROTO, target)


def run_protoc(protoc: str, plugin: str, include: Path, protos: list[str],
               out: Path) -> None:
    """Runs protoc with the Python and gRPC Python generators; exits on failure."""
    command = [protoc, f"-I{include}", f"--python_out={out}", f"--grpc_python_out={out}",
               f"--plugin=protoc-gen-grpc_python={plugin}", *protos]
    result = subprocess.run(command, cwd=include, capture_output=True, text=True,
                            check=False)
    if result.returncode != 0:
        sys.stderr.write(result.stderr)
        raise SystemExit(f"generate.py: protoc failed ({result.returncode}): "
                         + " ".join(command))


def protoc_version(protoc: str) -> str:
    """protoc --version, e.g. "libprotoc 3.21.12"."""
    result = subprocess.run([protoc, "--version"], capture_output=True, text=True,
                            check=False)
    return result.stdout.strip() or "unknown"


def add_init_files(out: Path) -> None:
    """Makes the REGULAR_PACKAGES regular packages."""
    for package in REGULAR_PACKAGES:
        (out / package / "__init__.py").write_text(
            "# Generated by clients/python/generate.py. DO NOT EDIT!\n")


def write_marker(out: Path, protos: list[str], version: str) -> None:
    """Writes the file that tells agreements_client this directory holds the stubs."""
    lines = ["Generated by clients/python/generate.py; do not edit, regenerate.",
             f"protoc: {version}", "protos:", *(f"  {p}" for p in protos),
             f"  {HEALTH_PROTO} (as {HEALTH_STAGED})"]
    (out / MARKER).write_text("\n".join(lines) + "\n")


def swap_in(staging_out: Path, out_dir: Path) -> None:
    """Replaces the packages and the marker in out_dir by the staged ones."""
    for name in (*PACKAGES, MARKER):
        target = out_dir / name
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
        (staging_out / name).rename(target)


def generate(args: argparse.Namespace) -> None:
    """Generates into a staging directory beside out_dir, then swaps it in."""
    proto_root = args.proto_root.resolve()
    out_dir = args.out_dir.resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    protos = api_protos(proto_root)
    with tempfile.TemporaryDirectory(prefix=".generate-", dir=out_dir) as temp:
        staging_protos = Path(temp) / "protos"
        staging_out = Path(temp) / "out"
        staging_out.mkdir()
        stage_health_proto(proto_root, staging_protos)
        run_protoc(args.protoc, args.plugin, proto_root, protos, staging_out)
        run_protoc(args.protoc, args.plugin, staging_protos, [HEALTH_STAGED],
                   staging_out)
        add_init_files(staging_out)
        write_marker(staging_out, protos, protoc_version(args.protoc))
        swap_in(staging_out, out_dir)
    if args.stamp is not None:
        args.stamp.parent.mkdir(parents=True, exist_ok=True)
        args.stamp.touch()


def main(argv: list[str]) -> int:
    """Entry point."""
    args = parse_args(argv)
    generate(args)
    print(f"generate.py: Python stubs in {args.out_dir.resolve()}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
