"""TLS and bearer tokens against a real server started with --tls_cert, --tls_key
and --tokens (certificates made with the openssl command, docs/security.md)."""

from __future__ import annotations

import unittest
from pathlib import Path

import grpc

import support
import agreements_client as ac
from agreements_client import v1

class TlsTokenTest(support.ServerTestCase):
    """A server with TLS and a token file (no anonymous access)."""

    secure: support.SecureSetup

    @classmethod
    def server_arguments(cls, workdir: Path) -> list[str]:
        cls.secure = support.make_secure_setup(workdir)
        return cls.secure.server_arguments

    @classmethod
    def client_fields(cls) -> dict:
        return {"ca_file": str(cls.secure.tls.ca),
                "token_file": str(cls.secure.admin_token_file)}

    def test_token_over_tls(self) -> None:
        whoami = self.client.whoami()
        self.assertEqual(whoami.principal, support.ADMIN_PRINCIPAL)
        self.assertEqual(whoami.method, v1.AUTHENTICATION_METHOD_BEARER_TOKEN)
        self.assertFalse(whoami.development_mode)

    def test_events_record_the_authenticated_actor(self) -> None:
        party_id = support.unique("py-tls")
        written = self.client.register_party(support.state_party(party_id, "KZ"))
        subscription = self.client.subscribe(written.result.last_position)
        events = support.bounded(lambda: list(subscription.events(limit=1)),
                                 subscription.stop)
        self.assertEqual(events[0].envelope.stream_id, party_id)
        self.assertEqual(events[0].envelope.actor, support.ADMIN_PRINCIPAL)
        self.assertTrue(events[0].envelope.actor_authenticated)

    def test_reader_cannot_write(self) -> None:
        with self.new_client(token_file="", token=self.secure.reader_token) as reader:
            self.assertEqual(reader.whoami().principal, support.READER_PRINCIPAL)
            list(reader.list_agreements())
            with self.assertRaises(ac.PermissionDeniedError) as raised:
                reader.register_party(support.state_party(support.unique("py-no"), "KZ"))
        self.assertTrue(raised.exception.message.startswith("missing permission"),
                        raised.exception.message)

    def test_no_or_unknown_token_is_unauthenticated(self) -> None:
        for token in ("", "not-a-known-token"):
            with self.subTest(token=token), \
                    self.new_client(token_file="", token=token) as client:
                with self.assertRaises(ac.UnauthenticatedError):
                    client.whoami()

    def test_plaintext_to_a_tls_server_is_unavailable(self) -> None:
        with self.new_client(ca_file="") as client, \
                self.assertRaises(ac.UnavailableError):
            client.whoami()

    def test_another_ca_is_refused(self) -> None:
        other_ca = support.make_ca(self.secure.tls.ca.parent, "other")
        with self.new_client(ca_file=str(other_ca)) as client, \
                self.assertRaises(ac.UnavailableError):
            client.whoami()

    def test_server_name_override(self) -> None:
        with self.new_client(server_name="registry.test") as client:
            self.assertEqual(client.whoami().principal, support.ADMIN_PRINCIPAL)
        with self.new_client(server_name="elsewhere.test") as client, \
                self.assertRaises(ac.UnavailableError):
            client.whoami()

    def test_options_from_the_environment(self) -> None:
        options = ac.ConnectionOptions(target=self.server.address).with_env({
            "AGREEMENTS_TLS_CA": str(self.secure.tls.ca),
            "AGREEMENTS_TOKEN_FILE": str(self.secure.admin_token_file)})
        with ac.RegistryClient(options) as client:
            self.assertEqual(client.whoami().principal, support.ADMIN_PRINCIPAL)

    def test_health_needs_no_token(self) -> None:
        with self.new_client(token_file="") as client:
            client.wait_for_healthy(support.WAIT_TIMEOUT)

    def test_errors_keep_their_code_over_tls(self) -> None:
        with self.assertRaises(ac.NotFoundError) as raised:
            self.client.get_agreement(support.unique("py-missing"))
        self.assertEqual(raised.exception.code, grpc.StatusCode.NOT_FOUND)


if __name__ == "__main__":
    unittest.main()
