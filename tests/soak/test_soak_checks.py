#!/usr/bin/python3
"""Offline tests of the soak test's own checks: each must pass what is sound and
fail what is not, or the soak could pass while blind.

    /usr/bin/python3 tests/soak/test_soak_checks.py

Needs the generated stubs (as the soak does) and python3-cryptography for the
signature test; no server."""

from __future__ import annotations

import base64
import hashlib
import os
import sys
import tempfile
import unittest
from pathlib import Path

# No __pycache__ next to the sources (nor in the worker processes).
sys.dont_write_bytecode = True
os.environ["PYTHONDONTWRITEBYTECODE"] = "1"
SOAK_DIR = Path(__file__).resolve().parent
for _entry in (str(SOAK_DIR), str(SOAK_DIR.parents[1] / "clients" / "python")):
    if _entry not in sys.path:
        sys.path.insert(0, _entry)

# pylint: disable=wrong-import-position
from soak_audit import PinnedKey, verify_consistency  # noqa: E402
from soak_feeds import (SubscriberReport, check_reports, plan_subscribers,  # noqa: E402
                        record_position)
from soak_sampler import Sample, analyse, default_bounds  # noqa: E402
from soak_util import slope_per_minute  # noqa: E402
from soak_views import compare  # noqa: E402


def leaf(data: bytes) -> bytes:
    """RFC 9162 leaf hash."""
    return hashlib.sha256(b"\x00" + data).digest()


def mth(leaves: list[bytes]) -> bytes:
    """RFC 9162 Merkle tree hash of leaf inputs."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaf(leaves[0])
    k = 1 << ((len(leaves) - 1).bit_length() - 1)
    return hashlib.sha256(b"\x01" + mth(leaves[:k]) + mth(leaves[k:])).digest()


def subproof(m: int, leaves: list[bytes], whole: bool) -> list[bytes]:
    """RFC 9162 SUBPROOF(m, D[n], b)."""
    n = len(leaves)
    if m == n:
        return [] if whole else [mth(leaves)]
    k = 1 << ((n - 1).bit_length() - 1)
    if m <= k:
        return subproof(m, leaves[:k], whole) + [mth(leaves[k:])]
    return subproof(m - k, leaves[k:], False) + [mth(leaves[:k])]


class ConsistencyProofTest(unittest.TestCase):
    """verify_consistency against proofs built by the RFC's definition."""

    LEAVES = [f"event {i}".encode() for i in range(40)]

    def test_every_pair_verifies(self) -> None:
        for second in range(2, len(self.LEAVES) + 1):
            for first in range(1, second):
                proof = subproof(first, self.LEAVES[:second], True)
                verify_consistency(first, second, mth(self.LEAVES[:first]),
                                   mth(self.LEAVES[:second]), proof)

    def test_tampering_fails(self) -> None:
        for first, second in ((1, 2), (3, 7), (4, 8), (6, 40), (16, 33), (31, 32)):
            leaves = self.LEAVES[:second]
            proof = subproof(first, leaves, True)
            old, new = mth(self.LEAVES[:first]), mth(leaves)
            for index in range(len(proof)):
                bad = list(proof)
                bad[index] = bytes([bad[index][0] ^ 1]) + bad[index][1:]
                with self.assertRaises(ValueError):
                    verify_consistency(first, second, old, new, bad)
            with self.assertRaises(ValueError):
                verify_consistency(first, second, new, old, proof)
            with self.assertRaises(ValueError):
                verify_consistency(first, second, old, new, proof[:-1])
            with self.assertRaises(ValueError):
                verify_consistency(first, second, old, new, proof + [old])

    def test_same_size_needs_same_root(self) -> None:
        root = mth(self.LEAVES[:5])
        verify_consistency(5, 5, root, root, [])
        with self.assertRaises(ValueError):
            verify_consistency(5, 5, root, mth(self.LEAVES[:6]), [])


class NoteSignatureTest(unittest.TestCase):
    """PinnedKey reads a signing key file and checks a signed note."""

    def setUp(self) -> None:
        try:
            from cryptography.hazmat.primitives import serialization
            from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
        except ImportError:
            self.skipTest("python3-cryptography is not installed")
        self.private = Ed25519PrivateKey.generate()
        seed = self.private.private_bytes(serialization.Encoding.Raw,
                                          serialization.PrivateFormat.Raw,
                                          serialization.NoEncryption())
        public = self.private.public_key().public_bytes(serialization.Encoding.Raw,
                                                        serialization.PublicFormat.Raw)
        self.key_id = hashlib.sha256(b"soak-test\n\x01" + public).digest()[:4]
        encoded = base64.b64encode(b"\x01" + seed).decode()
        self.directory = tempfile.TemporaryDirectory()
        self.path = Path(self.directory.name) / "checkpoint.key"
        self.path.write_text(f"PRIVATE+KEY+soak-test+{self.key_id.hex()}+{encoded}\n")

    def tearDown(self) -> None:
        self.directory.cleanup()

    def note(self, body: str) -> str:
        """A note of `body` signed with the test key."""
        signature = self.private.sign(body.encode())
        blob = base64.b64encode(self.key_id + signature).decode()
        return f"{body}\n\u2014 soak-test {blob}\n"

    def test_signed_note_verifies_and_tampered_fails(self) -> None:
        key = PinnedKey.from_signing_key(self.path)
        body = "soak-test\n12\n" + base64.b64encode(b"r" * 32).decode() + "\n"
        key.verify_note(self.note(body))
        self.assertTrue(key.verifier_key.startswith(f"soak-test+{self.key_id.hex()}+"))
        with self.assertRaises(ValueError):
            key.verify_note(self.note(body).replace("\n12\n", "\n13\n"))
        with self.assertRaises(ValueError):
            key.verify_note(body + "\n")


class SubscriberCheckTest(unittest.TestCase):
    """Gaps, duplicates, short subscribers and dropped idle streams are caught."""

    def reading(self, positions: list[int]) -> dict:
        """A reading subscriber's report after `positions`."""
        report = SubscriberReport(index=1, idle=False, batch=64)
        for position in positions:
            record_position(report, position)
        return report.__dict__

    def test_complete_feed_passes(self) -> None:
        self.assertEqual(check_reports([self.reading(list(range(1, 11)))], 10), [])

    def test_gap_duplicate_and_short_fail(self) -> None:
        gap = self.reading([1, 2, 4, 5])
        self.assertEqual(gap["gaps"], 1)
        self.assertTrue(check_reports([gap], 5))
        duplicate = self.reading([1, 2, 2, 3])
        self.assertEqual(duplicate["duplicates"], 1)
        self.assertTrue(check_reports([duplicate], 3))
        self.assertTrue(check_reports([self.reading([1, 2, 3])], 4))

    def test_dropped_idle_stream_fails(self) -> None:
        idle = SubscriberReport(index=0, idle=True, batch=0, open_at_drain=False).__dict__
        self.assertTrue(check_reports([idle], 0))

    def test_plan(self) -> None:
        specs = plan_subscribers(200, 40, 16, 64)
        self.assertEqual(sum(s["idle"] for s in specs), 40)
        self.assertEqual(sum(not s["idle"] and s["batch"] == 1 for s in specs), 16)


class GrowthTest(unittest.TestCase):
    """The resource verdict: steady growth fails, warm-up, steps and saw-teeth pass."""

    BOUNDS = default_bounds(2.0, 16.0)

    @staticmethod
    def samples(rss) -> list[Sample]:
        """600 samples, one a second, of rss(t) with constant fds and threads."""
        return [Sample(t=float(t), rss_mib=rss(t), fds=50, fds_sst=10, fds_deleted=0,
                       threads=30) for t in range(600)]

    def verdict(self, rss) -> bool:
        """Whether the RSS metric passes."""
        return analyse(self.samples(rss), self.BOUNDS)[0].ok

    def test_flat_and_warm_up_pass(self) -> None:
        self.assertTrue(self.verdict(lambda t: 100.0))
        self.assertTrue(self.verdict(lambda t: 100.0 + min(t, 200) * 0.3))

    def test_saw_tooth_passes(self) -> None:
        self.assertTrue(self.verdict(lambda t: 100.0 + (t % 60) * 0.5))

    def test_steady_leak_fails(self) -> None:
        self.assertFalse(self.verdict(lambda t: 100.0 + t * 5.0 / 60))

    def verdicts(self, samples: list[Sample]) -> dict:
        """{metric: ok} of the judged metrics."""
        return {r.bound.metric: r.ok for r in analyse(samples, self.BOUNDS)
                if r.bound.judged}

    def test_fd_leak_fails(self) -> None:
        samples = [Sample(t=float(t), rss_mib=100.0, fds=50 + t // 30, fds_sst=10,
                          fds_deleted=0, threads=30) for t in range(600)]
        self.assertEqual(self.verdicts(samples), {"rss_mib": True, "fds_other": False,
                                                  "fds_deleted": True, "threads": True})

    def test_sst_files_growing_with_data_pass_but_deleted_ones_fail(self) -> None:
        growing = [Sample(t=float(t), rss_mib=100.0, fds=50 + t // 30, fds_sst=10 + t // 30,
                          fds_deleted=0, threads=30) for t in range(600)]
        self.assertTrue(all(self.verdicts(growing).values()))
        pinned = [Sample(t=float(t), rss_mib=100.0, fds=50 + t // 30, fds_sst=10,
                         fds_deleted=t // 30, threads=30) for t in range(600)]
        self.assertEqual(self.verdicts(pinned), {"rss_mib": True, "fds_other": True,
                                                 "fds_deleted": False, "threads": True})

    def test_slope(self) -> None:
        self.assertAlmostEqual(slope_per_minute([0, 60, 120], [1, 2, 3]), 1.0)


class ViewCompareTest(unittest.TestCase):
    """compare() reports every kind of difference."""

    def test_differences(self) -> None:
        before = {"sectors": {"energy": 2}, "summaries": {"energy": "a"}, "statistics": "s",
                  "agreements": {"x": "1", "y": "2"}, "parties": {"p": "3"}}
        self.assertEqual(compare(before, before), [])
        after = {**before, "agreements": {"x": "1", "y": "changed", "z": "4"},
                 "parties": {}}
        differences = compare(before, after)
        self.assertIn("agreement y changed", differences)
        self.assertIn("agreement z appeared", differences)
        self.assertIn("party p disappeared", differences)


if __name__ == "__main__":
    unittest.main()
