"""Finds the generated messages and stubs (clients/python/generate.py) and makes
them importable.

The generated modules keep their proto paths as import paths (agreements.v1,
google.rpc, grpc_health.v1), so their directory goes on sys.path. It is
$AGREEMENTS_PY_GEN when set, else <repository>/build/clients/python, where the
build (and generate.py without an argument) writes them.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

GEN_ENV = "AGREEMENTS_PY_GEN"
# Written by generate.py next to the generated packages.
MARKER = "AGREEMENTS_PY_GEN.txt"
DEFAULT_DIR = Path(__file__).resolve().parents[3] / "build" / "clients" / "python"


def generated_dir() -> Path:
    """The directory that should hold the generated modules."""
    value = os.environ.get(GEN_ENV, "")
    return Path(value) if value else DEFAULT_DIR


def install() -> Path:
    """Puts the generated modules' directory first on sys.path (once) and returns it.

    First, so that the registry's google.rpc modules win over another copy that
    an installed package may bring. Raises ImportError, saying how to generate
    them, when the directory holds no generated modules.
    """
    directory = generated_dir()
    if not (directory / MARKER).is_file():
        raise ImportError(
            f"agreements_client: no generated stubs in {directory} (${GEN_ENV} "
            f"{'set' if os.environ.get(GEN_ENV) else 'unset'}); generate them with "
            f"`python3 clients/python/generate.py {directory}` or build the project")
    entry = str(directory)
    if entry not in sys.path:
        sys.path.insert(0, entry)
    return directory
