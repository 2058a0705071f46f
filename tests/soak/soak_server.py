"""The server side of the soak test: the security files (tokens and policy, which
SIGHUP reloads), the agreements-server process, private copies of the binaries,
and the offline agreements-admin commands (verify, rebuild)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence

from agreements_client.local_server import LocalServer
from soak_util import log

METRICS = re.compile(r"agreements-server metrics on (\S+)")
METRICS_LINE_TIMEOUT = 5.0
START_TIMEOUT = 60.0
# The server's own grace is 10 s (--shutdown_grace); SIGKILL after this.
STOP_TIMEOUT = 30.0
BINARY_WAIT = 600.0
ADMIN_TIMEOUT = 900.0

# Principals of the soak and their grants (docs/security.md). The auditor's role
# comes from the policy file, the others' from their token lines.
PRINCIPALS = {
    "soak-admin": "admin",
    "soak-writer": "registrar",
    "soak-reader": "reader",
    "soak-subscriber": "reader",
    "soak-idle": "reader",
    "soak-auditor": "",
}
POLICY_LINES = ("soak-auditor auditor",)
ROTATING_PRINCIPAL = "soak-rotating"


class SecurityFiles:
    """The token and policy files of the server. rotate() replaces the rotating
    principal's token (and toggles a policy line), as an operator revoking one
    credential and issuing another would, before a SIGHUP."""

    def __init__(self, directory: Path) -> None:
        self.tokens_path = directory / "tokens"
        self.policy_path = directory / "policy"
        self.tokens = {name: secrets.token_hex(32) for name in PRINCIPALS}
        self.rotation = 0
        self.rotating_token = secrets.token_hex(32)
        self._write()

    def token(self, principal: str) -> str:
        """The bearer token of a fixed principal."""
        return self.tokens[principal]

    @property
    def rotating_principal(self) -> str:
        """The principal the current rotating token authenticates as."""
        return f"{ROTATING_PRINCIPAL}-{self.rotation}"

    def rotate(self) -> str:
        """A new rotating token replaces the old one in the files; returns it."""
        self.rotation += 1
        self.rotating_token = secrets.token_hex(32)
        self._write()
        return self.rotating_token

    def _write(self) -> None:
        """Writes both files atomically (temporary file, then rename)."""
        lines = [_token_line(token, name, PRINCIPALS[name])
                 for name, token in self.tokens.items()]
        lines.append(_token_line(self.rotating_token, self.rotating_principal, "reader"))
        policy = list(POLICY_LINES)
        if self.rotation % 2:
            policy.append(f'"soak policy probe {self.rotation}" reader')
        _write_atomically(self.tokens_path, "\n".join(lines) + "\n")
        _write_atomically(self.policy_path, "\n".join(policy) + "\n")


def _token_line(token: str, principal: str, grant: str) -> str:
    """One line of the token file: sha256:<hex> principal [grant]."""
    digest = hashlib.sha256(token.encode()).hexdigest()
    return f"sha256:{digest} {principal} {grant}".rstrip()


def _write_atomically(path: Path, text: str) -> None:
    """Replaces `path` with `text` by a rename, mode 0600."""
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text)
    temporary.chmod(0o600)
    os.replace(temporary, path)


@dataclass(frozen=True)
class Binaries:
    """Private copies of the binaries, so that a rebuild of the build tree during
    the run changes nothing under the soak."""

    server: Path
    admin: Path


def copy_binaries(bin_dir: Path, destination: Path,
                  wait: float = BINARY_WAIT) -> Binaries:
    """Copies agreements-server and agreements-admin from bin_dir; waits (bounded)
    while one is missing or does not run (being rebuilt)."""
    destination.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait
    copies = {}
    for name in ("agreements-server", "agreements-admin"):
        copies[name] = _copy_when_runnable(bin_dir / name, destination / name, deadline)
    return Binaries(server=copies["agreements-server"], admin=copies["agreements-admin"])


def _copy_when_runnable(source: Path, target: Path, deadline: float) -> Path:
    """Copies one binary and checks that the copy answers --version."""
    last = "missing"
    while time.monotonic() < deadline:
        try:
            shutil.copy2(source, target)
            result = subprocess.run([str(target), "--version"], capture_output=True,
                                    text=True, timeout=30, check=False)
            if result.returncode == 0:
                log(f"using {source} ({result.stdout.splitlines()[0]})")
                return target
            last = f"--version exited {result.returncode}"
        except (OSError, subprocess.TimeoutExpired) as error:
            last = str(error)
        log(f"waiting for {source}: {last}")
        time.sleep(10)
    raise RuntimeError(f"{source} not usable within {BINARY_WAIT:.0f}s: {last}")


@dataclass(frozen=True)
class ServerConfig:
    """How the soak runs agreements-server."""

    binary: Path
    data_dir: Path
    signing_key: Path
    security: SecurityFiles
    log_path: Path
    extra_flags: Sequence[str] = ()

    def command(self) -> list[str]:
        """The command line: loopback, metrics on a loopback port of their own (the
        sampler reads RocksDB's memory from them), no HTTP listener, the security
        files, the signing key outside the data directory."""
        return [str(self.binary), "--listen=127.0.0.1:0", f"--data_dir={self.data_dir}",
                "--metrics_listen=127.0.0.1:0", "--http_listen=", "--log_format=json",
                f"--signing_key={self.signing_key}",
                f"--tokens={self.security.tokens_path}",
                f"--policy={self.security.policy_path}", *self.extra_flags]


class ServerProcess(LocalServer):
    """One agreements-server as the soak runs it (ServerConfig), with its metrics
    address. Start it from the main thread (the death signal follows that thread)."""

    def __init__(self, config: ServerConfig) -> None:
        super().__init__(config.command(), config.log_path)
        self.config = config
        self.metrics_address = ""

    def start(self, timeout: float = START_TIMEOUT) -> "ServerProcess":
        """Starts the server and waits (bounded) for its "listening on" line, then for
        the "metrics on" line that follows it ("" if none comes in time)."""
        super().start(timeout)
        match, _ = self.wait_for_line(METRICS, METRICS_LINE_TIMEOUT)
        self.metrics_address = match.group(1) if match else ""
        return self

    def sighup(self) -> None:
        """Asks the server to reload its security files."""
        self.send_signal(signal.SIGHUP)

    def stop(self, timeout: float = STOP_TIMEOUT) -> tuple[Optional[int], float]:
        """SIGTERM, then SIGKILL after `timeout`; (exit code, seconds to exit)."""
        if self.pid == 0:
            return None, 0.0
        started = time.monotonic()
        if not super().stop(timeout):
            log(f"server {self.pid} was still running {timeout:.0f}s after SIGTERM: "
                "killed")
        return self.returncode, time.monotonic() - started


def log_levels(log_path: Path) -> tuple[dict[str, int], list[str]]:
    """Counts the server log's records by level; the error records themselves."""
    counts: dict[str, int] = {}
    errors: list[str] = []
    try:
        lines = log_path.read_text(errors="replace").splitlines()
    except OSError:
        return counts, errors
    for line in lines:
        try:
            level = json.loads(line).get("level", "?")
        except ValueError:
            level = "unparsed"
        counts[level] = counts.get(level, 0) + 1
        if level == "error":
            errors.append(line)
    return counts, errors


@dataclass(frozen=True)
class AdminResult:
    """One agreements-admin run."""

    command: str
    code: Optional[int]
    output: str
    seconds: float


def run_admin(admin: Path, arguments: Sequence[str],
              timeout: float = ADMIN_TIMEOUT) -> AdminResult:
    """Runs agreements-admin with the arguments; stdout and stderr together."""
    command = [str(admin), *arguments]
    started = time.monotonic()
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                                check=False)
        code, output = result.returncode, result.stdout + result.stderr
    except subprocess.TimeoutExpired as error:
        code = None
        output = f"timed out after {timeout:.0f}s\n{error.stdout or ''}{error.stderr or ''}"
    seconds = time.monotonic() - started
    text = " ".join(arguments)
    log(f"agreements-admin {text}: exit {code} in {seconds:.1f}s")
    return AdminResult(command=text, code=code, output=_without_progress(output),
                       seconds=seconds)


def _without_progress(output: str) -> str:
    """The output without rebuild's progress lines."""
    return "\n".join(line for line in output.splitlines()
                     if not line.startswith("rebuild: ")).strip()


VERIFIED = re.compile(r"verified (\d+) events against the stored tree and (\d+) signed")
REBUILT = re.compile(r"replayed (\d+) events \(head (\d+), views at (\d+)\), compared "
                     r"(\d+) keys: (\d+) differences")
REPLACED = re.compile(r"replayed (\d+) events \(head (\d+)\)")


def verify_store(admin: Path, data_dir: Path, signing_key: Path) -> dict:
    """`agreements-admin verify`: {"ok", "events", "checkpoints", "output", ...}."""
    result = run_admin(admin, ["verify", f"--data_dir={data_dir}",
                               f"--signing_key={signing_key}"])
    match = VERIFIED.search(result.output)
    return {"ok": result.code == 0 and match is not None, "code": result.code,
            "events": int(match.group(1)) if match else None,
            "checkpoints": int(match.group(2)) if match else None,
            "seconds": round(result.seconds, 1), "output": result.output}


def rebuild_compare(admin: Path, data_dir: Path) -> dict:
    """`agreements-admin rebuild` (compare only): {"ok", "events", "differences"...}."""
    result = run_admin(admin, ["rebuild", f"--data_dir={data_dir}"])
    match = REBUILT.search(result.output)
    return {"ok": result.code == 0 and match is not None and match.group(5) == "0",
            "code": result.code, "events": int(match.group(1)) if match else None,
            "head": int(match.group(2)) if match else None,
            "applied": int(match.group(3)) if match else None,
            "keys_compared": int(match.group(4)) if match else None,
            "differences": int(match.group(5)) if match else None,
            "seconds": round(result.seconds, 1), "output": result.output}


def rebuild_replace(admin: Path, data_dir: Path) -> dict:
    """`agreements-admin rebuild --replace`: every view written anew from the log."""
    result = run_admin(admin, ["rebuild", f"--data_dir={data_dir}", "--replace"])
    match = REPLACED.search(result.output)
    return {"ok": result.code == 0 and match is not None, "code": result.code,
            "events": int(match.group(1)) if match else None,
            "seconds": round(result.seconds, 1), "output": result.output}
