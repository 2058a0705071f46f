"""Test support: a real agreements-server in a subprocess, TLS material made with the
openssl command, token files, and bounded waits.

Configuration (run_tests.py sets it from its flags): AGREEMENTS_SERVER_BIN, the
server binary (default <repository>/build/bin/agreements-server);
AGREEMENTS_DEMO_DATA, the demo load file (default deploy/demo/state-visit-2009.jsonl);
AGREEMENTS_PY_GEN, the generated stubs (agreements_client/_gen.py);
AGREEMENTS_KEEP_TEST_DIRS, set to keep the servers' data and logs in /tmp.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unittest
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping, Optional, Sequence, TypeVar

PYTHON_DIR = Path(__file__).resolve().parents[1]
REPOSITORY = PYTHON_DIR.parents[1]
EXAMPLES_DIR = PYTHON_DIR / "examples"
if str(PYTHON_DIR) not in sys.path:
    sys.path.insert(0, str(PYTHON_DIR))

# pylint: disable=wrong-import-position
import agreements_client as ac  # noqa: E402
from agreements_client import v1  # noqa: E402
from agreements_client.local_server import LocalServer  # noqa: E402

SERVER_BIN_ENV = "AGREEMENTS_SERVER_BIN"
# Set (to anything) to keep each test class's directory: server data and log.
KEEP_ENV = "AGREEMENTS_KEEP_TEST_DIRS"
DEMO_DATA_ENV = "AGREEMENTS_DEMO_DATA"
# Bounds of every wait, seconds.
STOP_TIMEOUT = 20.0
WAIT_TIMEOUT = 30.0
EXAMPLE_TIMEOUT = 60.0

T = TypeVar("T")


def server_binary() -> Path:
    """The agreements-server binary under test."""
    value = os.environ.get(SERVER_BIN_ENV, "")
    return Path(value) if value else REPOSITORY / "build" / "bin" / "agreements-server"


def demo_data() -> Path:
    """The demo load file (one ExecuteBatchRequest in protobuf JSON per line)."""
    value = os.environ.get(DEMO_DATA_ENV, "")
    default = REPOSITORY / "deploy" / "demo" / "state-visit-2009.jsonl"
    return Path(value) if value else default


def unique(prefix: str) -> str:
    """A fresh id, valid for agreements and parties: prefix-<8 hex digits>."""
    return f"{prefix}-{secrets.token_hex(4)}"


class ServerProcess(LocalServer):
    """One agreements-server on loopback, with its own data directory and its log
    beside it (<data>.log).

    Without --tokens, --policy and --tls_client_ca it serves in development mode.
    """

    def __init__(self, data_dir: Path, args: Sequence[str] = (),
                 listen: str = "127.0.0.1:0") -> None:
        super().__init__(
            [str(server_binary()), f"--listen={listen}", f"--data_dir={data_dir}",
             "--metrics_listen=", "--http_listen=", "--log_format=text", *args],
            log_path=data_dir.with_name(data_dir.name + ".log"))
        self.data_dir = data_dir


@dataclass(frozen=True)
class TlsFiles:
    """A test CA and a server certificate for registry.test, localhost, 127.0.0.1."""

    ca: Path
    cert: Path
    key: Path


def openssl(*args: str, cwd: Path) -> None:
    """Runs the openssl command; raises with its output on failure."""
    result = subprocess.run(["openssl", *args], cwd=cwd, capture_output=True, text=True,
                            timeout=60, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"openssl {' '.join(args)} failed:\n{result.stderr}")


def make_ca(directory: Path, name: str) -> Path:
    """A self-signed EC P-256 CA (name.pem, name.key); returns the certificate."""
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
            "-nodes", "-days", "2", "-keyout", f"{name}.key", "-out", f"{name}.pem",
            "-subj", f"/CN={name} test CA", cwd=directory)
    return directory / f"{name}.pem"


def make_tls_files(directory: Path) -> TlsFiles:
    """A CA and a server certificate signed by it, as docs/security.md makes them."""
    directory.mkdir(parents=True, exist_ok=True)
    ca = make_ca(directory, "ca")
    openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
            "-out", "server.key", cwd=directory)
    openssl("req", "-new", "-key", "server.key", "-out", "server.csr",
            "-subj", "/CN=registry.test",
            "-addext", "subjectAltName=DNS:registry.test,DNS:localhost,IP:127.0.0.1",
            "-addext", "extendedKeyUsage=serverAuth", cwd=directory)
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-days", "2", "-copy_extensions", "copy",
            "-out", "server.pem", cwd=directory)
    return TlsFiles(ca=ca, cert=directory / "server.pem", key=directory / "server.key")


def write_token_file(path: Path, grants: Mapping[str, str]) -> None:
    """The server's token file: token -> "principal grant..." per line."""
    lines = [f"sha256:{hashlib.sha256(token.encode()).hexdigest()} {entry}"
             for token, entry in grants.items()]
    path.write_text("\n".join(lines) + "\n")
    path.chmod(0o600)


def write_secret(path: Path, text: str) -> Path:
    """A client's token file (mode 600)."""
    path.write_text(text)
    path.chmod(0o600)
    return path


ADMIN_PRINCIPAL = "py-admin"
READER_PRINCIPAL = "Python Reader"


@dataclass(frozen=True)
class SecureSetup:
    """Files of a server with TLS and a token file: an admin and a reader token."""

    tls: TlsFiles
    tokens: Path
    admin_token: str
    reader_token: str
    admin_token_file: Path

    @property
    def server_arguments(self) -> list[str]:
        """The server's flags for these files."""
        return [f"--tls_cert={self.tls.cert}", f"--tls_key={self.tls.key}",
                f"--tokens={self.tokens}"]


def make_secure_setup(directory: Path) -> SecureSetup:
    """Certificates, a token file (ADMIN_PRINCIPAL admin, READER_PRINCIPAL reader)
    and the admin's client token file, in directory."""
    admin, reader = secrets.token_hex(32), secrets.token_hex(32)
    tokens = directory / "tokens"
    tls = make_tls_files(directory / "tls")
    write_token_file(tokens, {admin: f"{ADMIN_PRINCIPAL} admin",
                              reader: f'"{READER_PRINCIPAL}" reader'})
    admin_file = write_secret(directory / "admin.token", admin + "\n")
    return SecureSetup(tls=tls, tokens=tokens, admin_token=admin, reader_token=reader,
                       admin_token_file=admin_file)


def bounded(target: Callable[[], T], stop: Callable[[], None],
            timeout: float = WAIT_TIMEOUT) -> T:
    """target() on a thread; if it has not returned within `timeout`, stop() and
    fail. Re-raises what target raised."""
    outcome: dict = {}

    def run() -> None:
        try:
            outcome["value"] = target()
        except BaseException as error:  # pylint: disable=broad-except  # re-raised below
            outcome["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        stop()
        thread.join(STOP_TIMEOUT)
        raise AssertionError(f"not done within {timeout}s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def wait_for(condition: Callable[[], bool], what: str,
             timeout: float = WAIT_TIMEOUT) -> None:
    """Polls condition() until it holds; fails naming `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"no {what} within {timeout}s")
        time.sleep(0.02)


def state_party(party_id: str, country: str) -> "v1.Party":
    """A state party with an English name."""
    return v1.Party(id=party_id, type=v1.PARTY_TYPE_STATE, country_code=country,
                    names=[ac.text("en", f"State {party_id}")])


def bilateral_treaty(agreement_id: str, party_ids: Sequence[str],
                     sector: str = "energy") -> "v1.Agreement":
    """A bilateral, binding agreement between two parties in one sector."""
    return v1.Agreement(
        id=agreement_id, designation="Agreement",
        instrument_kind=v1.INSTRUMENT_KIND_AGREEMENT,
        legal_nature=v1.LEGAL_NATURE_BINDING_INTERNATIONAL, arity=v1.ARITY_BILATERAL,
        titles=[ac.text("en", f"Agreement {agreement_id}")],
        participations=[v1.Participation(party_id=p, roles=[v1.PARTICIPANT_ROLE_PARTY])
                        for p in party_ids],
        classifications=[ac.sector(sector)])


def signature_change(party_id: str) -> "v1.EventPayload":
    """participant_signed for a party on 13 May 2009."""
    return v1.EventPayload(participant_signed=v1.ParticipantSigned(
        party_id=party_id,
        signature=v1.Signature(date=ac.date(2009, 5, 13), kind=v1.SIGNATURE_KIND_SIMPLE)))


class ServerTestCase(unittest.TestCase):
    """Tests against one server per class (development mode unless
    server_arguments() says otherwise), with a client connected to it."""

    workdir: Path
    server: ServerProcess
    client: ac.RegistryClient

    @classmethod
    def setUpClass(cls) -> None:
        cls.workdir = Path(tempfile.mkdtemp(prefix="agreements-py-test-"))
        if not os.environ.get(KEEP_ENV):
            cls.addClassCleanup(shutil.rmtree, cls.workdir, ignore_errors=True)
        arguments = cls.server_arguments(cls.workdir)
        cls.server = ServerProcess(cls.workdir / "data", arguments)
        cls.addClassCleanup(cls.server.stop)
        cls.server.start()
        cls.client = cls.new_client()
        cls.addClassCleanup(cls.client.close)
        cls.client.wait_for_healthy(WAIT_TIMEOUT)

    @classmethod
    def server_arguments(cls, workdir: Path) -> list[str]:
        """Extra server flags; may write files into workdir."""
        return []

    @classmethod
    def client_fields(cls) -> dict:
        """ConnectionOptions fields of the class's client besides the target."""
        return {}

    @classmethod
    def new_client(cls, **fields) -> ac.RegistryClient:
        """A client of the class's server (fields override client_fields())."""
        merged = {**cls.client_fields(), **fields}
        return ac.RegistryClient(ac.ConnectionOptions(target=cls.server.address, **merged))

    def register_parties(self, count: int = 2) -> list[str]:
        """Registers `count` fresh state parties; their ids."""
        ids = [unique("py-state") for _ in range(count)]
        for party_id in ids:
            self.client.register_party(state_party(party_id, "KZ"))
        return ids

    def record_treaty(self, sector: str = "energy") -> tuple[str, list[str]]:
        """A fresh bilateral treaty between two fresh parties: (id, party ids)."""
        parties = self.register_parties(2)
        agreement_id = unique("py-treaty")
        self.client.record_agreement(bilateral_treaty(agreement_id, parties, sector))
        return agreement_id, parties

    def run_example(self, name: str, *args: str, check: bool = True,
                    env: Optional[Mapping[str, str]] = None) -> subprocess.CompletedProcess:
        """Runs examples/<name> with this Python against the class's server."""
        command = [sys.executable, str(EXAMPLES_DIR / name), "--server",
                   self.server.address, *args]
        result = subprocess.run(command, capture_output=True, text=True,
                                timeout=EXAMPLE_TIMEOUT, check=False,
                                env={**os.environ, **(env or {})})
        if check and result.returncode != 0:
            self.fail(f"{name} exited {result.returncode}:\n"
                      f"{result.stdout}\n{result.stderr}")
        return result
