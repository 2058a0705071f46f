"""The checkpoint monitor of the soak test (docs/audit.md): every few seconds it
fetches the latest signed checkpoint, checks the note's signature against the key
pinned from the signing key file, checks that the tree only grows, and verifies
the RFC 9162 consistency proof from the previous checkpoint."""

from __future__ import annotations

import base64
import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence

import agreements_client as ac
from agreements_client import v1

from soak_util import Failures, GuardedThread

try:  # Debian's python3-cryptography; without it signatures are not checked.
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (Ed25519PrivateKey,
                                                                   Ed25519PublicKey)
except ImportError:  # pragma: no cover
    Ed25519PrivateKey = None

SIGNATURE_PREFIX = "\u2014 "


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 9162 interior node hash."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def verify_consistency(first: int, second: int, first_root: bytes, second_root: bytes,
                       proof: Sequence[bytes]) -> None:
    """RFC 9162 section 2.1.4.2; raises ValueError naming what does not hold."""
    if first == second:
        if proof or first_root != second_root:
            raise ValueError(f"same size {first}: roots differ or the proof is not empty")
        return
    if not 0 < first < second:
        raise ValueError(f"sizes {first} -> {second}: not 0 < first < second")
    path = list(proof)
    if not path:
        raise ValueError("empty consistency proof")
    if first & (first - 1) == 0:
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for value in path[1:]:
        if sn == 0:
            raise ValueError("consistency proof longer than the tree")
        if fn & 1 or fn == sn:
            fr, sr = node_hash(value, fr), node_hash(value, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, value)
        fn, sn = fn >> 1, sn >> 1
    if fr != first_root or sr != second_root or sn != 0:
        raise ValueError(f"consistency proof {first} -> {second} does not verify")


@dataclass(frozen=True)
class PinnedKey:
    """The checkpoint verifier key, derived from the signing key file."""

    name: str
    key_id: bytes
    public_key: bytes

    @classmethod
    def from_signing_key(cls, path: Path) -> Optional["PinnedKey"]:
        """Reads PRIVATE+KEY+<name>+<key id>+<base64(0x01 || seed)>; None without
        the cryptography package."""
        if Ed25519PrivateKey is None:
            return None
        text = path.read_text().strip()
        if not text.startswith("PRIVATE+KEY+"):
            raise ValueError(f"{path}: not a signing key file")
        name, key_id, encoded = text[len("PRIVATE+KEY+"):].split("+", 2)
        seed = base64.b64decode(encoded)[1:]
        public = Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        computed = hashlib.sha256(name.encode() + b"\n\x01" + public).digest()[:4]
        if computed.hex() != key_id:
            raise ValueError(f"{path}: key id {key_id} does not match the key")
        return cls(name=name, key_id=computed, public_key=public)

    @property
    def verifier_key(self) -> str:
        """The note-format verifier key, as GetCheckpoint returns it."""
        encoded = base64.b64encode(b"\x01" + self.public_key).decode()
        return f"{self.name}+{self.key_id.hex()}+{encoded}"

    def verify_note(self, note: str) -> None:
        """Raises ValueError unless a signature line of this key signs the body."""
        body, _, signatures = note.partition("\n\n")
        body += "\n"
        public = Ed25519PublicKey.from_public_bytes(self.public_key)
        for line in signatures.splitlines():
            if not line.startswith(SIGNATURE_PREFIX + self.name + " "):
                continue
            blob = base64.b64decode(line.rsplit(" ", 1)[1])
            if blob[:4] != self.key_id:
                continue
            try:
                public.verify(blob[4:], body.encode())
                return
            except InvalidSignature as error:
                raise ValueError("the note's signature does not verify") from error
        raise ValueError(f"no signature of {self.name} in the note")


def check_note_fields(response: "v1.GetCheckpointResponse") -> None:
    """The note's size and root lines must be the response's fields."""
    lines = response.note.split("\n")
    if len(lines) < 3 or lines[1] != str(response.tree_size) or \
            base64.b64decode(lines[2]) != response.root_hash:
        raise ValueError(f"note does not match tree_size {response.tree_size} and the "
                         f"root: {lines[:3]}")


class CheckpointMonitor(GuardedThread):
    """Fetches and checks the latest checkpoint every `interval` seconds."""

    def __init__(self, client: ac.RegistryClient, key: Optional[PinnedKey],
                 interval: float, failures: Failures, stop: threading.Event) -> None:
        super().__init__("checkpoint-monitor", failures)
        self._client = client
        self._key = key
        self._interval = interval
        self._failures = failures
        self._stop_event = stop
        self._lock = threading.Lock()
        self.first: Optional[v1.GetCheckpointResponse] = None
        self.last: Optional[v1.GetCheckpointResponse] = None
        self.fetched = 0
        self.proofs_verified = 0

    def body(self) -> None:
        """Checks until stopped."""
        while not self._stop_event.wait(self._interval):
            self.check_latest()

    def rebind(self, client: ac.RegistryClient) -> None:
        """Checks the next checkpoints through another client (a restarted server)."""
        self._client = client

    def check_latest(self) -> Optional["v1.GetCheckpointResponse"]:
        """Fetches and checks the latest checkpoint; None when that failed."""
        try:
            response = self._client.call(self._client.audit.GetCheckpoint,
                                         v1.GetCheckpointRequest())
            self.accept(response)
            return response
        except (ac.AgreementsError, ValueError) as error:
            self._failures.add("checkpoint", str(error))
            return None

    def accept(self, response: "v1.GetCheckpointResponse") -> None:
        """Checks one checkpoint against the pinned key and the previous one."""
        with self._lock:
            self.fetched += 1
            self._check_signature(response)
            check_note_fields(response)
            previous = self.last
            if previous is not None:
                self._check_growth(previous, response)
            if response.tree_size > 0 and self.first is None:
                self.first = response
            self.last = response

    def verify_span(self) -> bool:
        """One consistency proof from the first checkpoint seen to the last."""
        with self._lock:
            first, last = self.first, self.last
        if first is None or last is None or first.tree_size == last.tree_size:
            return True
        try:
            self._prove(first, last)
            return True
        except (ac.AgreementsError, ValueError) as error:
            self._failures.add("checkpoint", f"first to last: {error}")
            return False

    def summary(self) -> dict:
        """Counts and sizes for the report."""
        with self._lock:
            return {"fetched": self.fetched,
                    "consistency_proofs_verified": self.proofs_verified,
                    "signature_checked": self._key is not None,
                    "first_size": self.first.tree_size if self.first else 0,
                    "last_size": self.last.tree_size if self.last else 0}

    def _check_signature(self, response: "v1.GetCheckpointResponse") -> None:
        """The note is signed by the pinned key, which the server also names."""
        if self._key is None:
            return
        if response.verifier_key != self._key.verifier_key:
            raise ValueError(f"server's verifier key {response.verifier_key} is not the "
                             f"pinned {self._key.verifier_key}")
        self._key.verify_note(response.note)

    def _check_growth(self, previous: "v1.GetCheckpointResponse",
                      current: "v1.GetCheckpointResponse") -> None:
        """The tree never shrinks; a larger one is consistent with the smaller."""
        if current.tree_size < previous.tree_size:
            raise ValueError(f"checkpoint size went back: {previous.tree_size} -> "
                             f"{current.tree_size}")
        if current.tree_size == previous.tree_size:
            if current.root_hash != previous.root_hash:
                raise ValueError(f"two roots at size {current.tree_size}")
            return
        if previous.tree_size > 0:
            self._prove(previous, current)

    def _prove(self, first: "v1.GetCheckpointResponse",
               second: "v1.GetCheckpointResponse") -> None:
        """Fetches and verifies the consistency proof between two checkpoints."""
        proof = self._client.call(self._client.audit.GetConsistencyProof,
                                  v1.GetConsistencyProofRequest(
                                      first_size=first.tree_size,
                                      second_size=second.tree_size))
        verify_consistency(first.tree_size, second.tree_size, first.root_hash,
                           second.root_hash, list(proof.proof))
        self.proofs_verified += 1
