"""The examples (clients/python/examples/), run as a user runs them, against real
servers: in development mode, and with TLS and a token file."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import unittest
from pathlib import Path

import support
import agreements_client as ac
from agreements_client import v1

EXAMPLES = ("record_agreement.py", "follow_feed.py", "query_sector.py")
EVENT_LINE = re.compile(r"^position=(\d+) stream=(\w+)/(\S+) revision=(\d+) type=(\w+) "
                        r"actor=(.+)$")


def printed_positions(output: str) -> list[int]:
    """The positions of follow_feed.py's event lines."""
    return [int(match.group(1)) for line in output.splitlines()
            if (match := EVENT_LINE.match(line))]


class ExamplesTest(support.ServerTestCase):
    """The examples against a development-mode server."""

    def history(self) -> list[int]:
        """Every position up to the head."""
        subscription = self.client.subscribe("beginning")
        return support.bounded(
            lambda: [e.envelope.position
                     for e in subscription.events(until_caught_up=True)],
            subscription.stop)

    def record(self, *args: str) -> str:
        """Runs record_agreement.py; its output."""
        return self.run_example("record_agreement.py", *args).stdout

    def test_help(self) -> None:
        for name in EXAMPLES:
            with self.subTest(name):
                self.assertIn("usage:", self.run_example(name, "--help").stdout)

    def test_record_agreement_is_idempotent_with_a_request_id_prefix(self) -> None:
        agreement_id, prefix = support.unique("py-example"), ac.new_request_id("ex")
        args = ("--id", agreement_id, "--sector", "energy", "--request-id-prefix", prefix)
        first = self.record(*args)
        final = (f"agreement {agreement_id}: AGREEMENT_STATUS_SIGNED_NOT_IN_FORCE, "
                 "revision 3")
        self.assertIn(final, first)
        self.assertNotIn("(replayed)", first)
        again = self.record(*args)
        self.assertIn(final, again)
        self.assertEqual(again.count("(replayed)"), 3, again)
        agreement = self.client.get_agreement(agreement_id)
        self.assertEqual([p.status for p in agreement.participations],
                         [v1.PARTICIPATION_STATUS_SIGNATORY] * 2)

    def test_record_agreement_reports_errors(self) -> None:
        result = self.run_example("record_agreement.py", "--party",
                                  f"{support.unique('py-bad')}:zz", check=False)
        self.assertEqual(result.returncode, 1)
        self.assertIn("error: INVALID_ARGUMENT: party.country_code", result.stderr)

    def test_query_sector(self) -> None:
        agreement_id = support.unique("py-example")
        self.record("--id", agreement_id, "--sector", "transport")
        listing = self.run_example("query_sector.py", "--sector", "transport").stdout
        self.assertIn(f"{agreement_id}  AGREEMENT_STATUS_SIGNED_NOT_IN_FORCE  "
                      "signed=2009-05-13  ", listing)
        self.assertRegex(listing, r"sector transport: \d+ agreements")
        filtered = self.run_example("query_sector.py", "--sector", "transport",
                                    "--status", "in_force").stdout
        self.assertNotIn(agreement_id, filtered)
        sectors = self.run_example("query_sector.py").stdout
        self.assertRegex(sectors, r"(?m)^transport: [1-9]\d*$")

    def test_follow_feed_resumes_with_a_state_file(self) -> None:
        self.record()
        state = self.workdir / support.unique("state")
        first = printed_positions(self.run_example(
            "follow_feed.py", "--limit", "3", "--state-file", str(state)).stdout)
        self.assertEqual(state.read_text().strip(), str(first[-1]))
        rest = printed_positions(self.run_example(
            "follow_feed.py", "--until-caught-up", "--state-file", str(state)).stdout)
        history = self.history()
        self.assertEqual(first + rest, history)
        self.record()
        newer = printed_positions(self.run_example(
            "follow_feed.py", "--until-caught-up", "--state-file", str(state)).stdout)
        self.assertEqual(newer, self.history()[len(history):])

    def test_follow_feed_filter_and_batches(self) -> None:
        agreement_id = support.unique("py-example")
        self.record("--id", agreement_id)
        output = self.run_example("follow_feed.py", "--until-caught-up", "--agreement",
                                  agreement_id, "--batch", "50").stdout
        streams = {m.group(3) for line in output.splitlines()
                   if (m := EVENT_LINE.match(line))}
        self.assertEqual(streams, {agreement_id})
        self.assertIn("type=participant_signed", output)

    def test_follow_feed_live_until_sigterm(self) -> None:
        start = self.history()[-1] + 1
        command = [sys.executable, str(support.EXAMPLES_DIR / "follow_feed.py"),
                   "--server", self.server.address, "--from", str(start)]
        with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) as follower:
            try:
                self.record()
                first_line = support.bounded(follower.stdout.readline, follower.kill)
                self.assertEqual(printed_positions(first_line), [start])
            finally:
                follower.send_signal(signal.SIGTERM)
                follower.wait(support.STOP_TIMEOUT)
            self.assertEqual(follower.returncode, 0, follower.stderr.read())


class ExamplesTlsTest(support.ServerTestCase):
    """The examples with --ca-file and --token-file (or their variables)."""

    secure: support.SecureSetup

    @classmethod
    def server_arguments(cls, workdir: Path) -> list[str]:
        cls.secure = support.make_secure_setup(workdir)
        return cls.secure.server_arguments

    @classmethod
    def client_fields(cls) -> dict:
        return {"ca_file": str(cls.secure.tls.ca),
                "token_file": str(cls.secure.admin_token_file)}

    def flags(self) -> list[str]:
        """The examples' TLS and token flags."""
        return ["--ca-file", str(self.secure.tls.ca),
                "--token-file", str(self.secure.admin_token_file)]

    def test_every_example_with_flags(self) -> None:
        agreement_id = support.unique("py-tls")
        recorded = self.run_example("record_agreement.py", "--id", agreement_id,
                                    *self.flags()).stdout
        self.assertIn(f"agreement {agreement_id}: AGREEMENT_STATUS_SIGNED_NOT_IN_FORCE",
                      recorded)
        listing = self.run_example("query_sector.py", "--sector", "energy",
                                   *self.flags()).stdout
        self.assertIn(agreement_id, listing)
        feed = self.run_example("follow_feed.py", "--until-caught-up", "--agreement",
                                agreement_id, *self.flags()).stdout
        self.assertIn(f"actor={support.ADMIN_PRINCIPAL}", feed)
        self.assertEqual(len(printed_positions(feed)), 3)

    def test_connection_from_the_environment(self) -> None:
        env = {"AGREEMENTS_SERVER": self.server.address,
               "AGREEMENTS_TLS_CA": str(self.secure.tls.ca),
               "AGREEMENTS_TOKEN_FILE": str(self.secure.admin_token_file)}
        result = subprocess.run(
            [sys.executable, str(support.EXAMPLES_DIR / "query_sector.py")],
            capture_output=True, text=True, timeout=support.EXAMPLE_TIMEOUT,
            env={**os.environ, **env}, check=False)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertRegex(result.stdout, r"(?m)^energy: \d+$")

    def test_without_a_token_the_example_fails(self) -> None:
        result = self.run_example("query_sector.py", "--ca-file", str(self.secure.tls.ca),
                                  check=False)
        self.assertEqual(result.returncode, 1)
        self.assertIn("error: UNAUTHENTICATED", result.stderr)


if __name__ == "__main__":
    unittest.main()
