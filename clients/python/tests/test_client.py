"""The wrapper's writes and reads against a real server in development mode.

Two tests wait for the server to send google.rpc error details
(grpc-status-details-bin): test_wrong_expected_revision_details and
test_invalid_field_details. Every other assertion holds with or without them.
"""

from __future__ import annotations

import json
import unittest

import grpc

import support
import agreements_client as ac
from agreements_client import v1


class CommandTest(support.ServerTestCase):
    """CommandService through the wrapper: request ids, expected revisions, errors."""

    def test_development_mode(self) -> None:
        whoami = self.client.whoami()
        self.assertTrue(whoami.development_mode)
        self.assertEqual(whoami.principal, "anonymous")

    def test_register_get_and_replay_a_party(self) -> None:
        party_id = support.unique("py-party")
        request_id = ac.new_request_id()
        registered = self.client.register_party(support.state_party(party_id, "KR"),
                                                request_id=request_id)
        self.assertFalse(registered.result.replayed)
        self.assertEqual(registered.party.revision, 1)
        again = self.client.register_party(support.state_party(party_id, "KR"),
                                           request_id=request_id)
        self.assertTrue(again.result.replayed)
        self.assertEqual(again.result.last_position, registered.result.last_position)
        party = self.client.get_party(party_id)
        self.assertEqual((party.country_code, party.revision), ("KR", 1))
        self.assertIn(party_id, [p.id for p in self.client.list_parties(country_code="KR")])

    def test_record_then_apply_with_request_id_and_expected_revision(self) -> None:
        parties = self.register_parties(2)
        agreement_id = support.unique("py-treaty")
        recorded = self.client.record_agreement(
            support.bilateral_treaty(agreement_id, parties), request_id=ac.new_request_id())
        self.assertEqual(recorded.agreement.status, v1.AGREEMENT_STATUS_DRAFT)
        self.assertEqual(recorded.result.streams[0].revision, 1)

        request_id = ac.new_request_id("sign")
        signature = support.signature_change(parties[0])
        signed = self.client.apply_change(agreement_id, signature, expected_revision=1,
                                          request_id=request_id, reason="signed in Astana")
        self.assertFalse(signed.result.replayed)
        self.assertEqual(signed.agreement.revision, 2)
        self.assertEqual(signed.agreement.status, v1.AGREEMENT_STATUS_SIGNED_NOT_IN_FORCE)
        self.assertEqual(ac.format_date(signed.agreement.signed_on), "2009-05-13")

        replay = self.client.apply_change(agreement_id, signature, expected_revision=1,
                                          request_id=request_id, reason="signed in Astana")
        self.assertTrue(replay.result.replayed)
        self.assertEqual(replay.result.last_position, signed.result.last_position)
        self.assertEqual(self.client.get_agreement(agreement_id).revision, 2)

        events = list(self.client.subscribe(agreement_ids=[agreement_id]).events(
            until_caught_up=True))
        self.assertEqual([e.envelope.revision for e in events], [1, 2])
        self.assertEqual(events[1].envelope.request_id, request_id)
        self.assertEqual(events[1].envelope.reason, "signed in Astana")
        self.assertEqual(events[1].payload.participant_signed.party_id, parties[0])

    def test_a_request_id_reused_for_another_request_is_refused(self) -> None:
        agreement_id, parties = self.record_treaty()
        request_id = ac.new_request_id()
        self.client.apply_change(agreement_id, support.signature_change(parties[0]),
                                 request_id=request_id)
        with self.assertRaises(ac.InvalidArgumentError) as raised:
            self.client.apply_change(agreement_id, support.signature_change(parties[1]),
                                     request_id=request_id)
        self.assertIn("request_id", raised.exception.message)

    def sign_at_stale_revision(self) -> tuple[ac.AgreementsError, str]:
        """Signs a fresh treaty at revision 1, then again expecting revision 1."""
        agreement_id, parties = self.record_treaty()
        self.client.apply_change(agreement_id, support.signature_change(parties[0]),
                                 expected_revision=1)
        with self.assertRaises(ac.AgreementsError) as raised:
            self.client.apply_change(agreement_id, support.signature_change(parties[1]),
                                     expected_revision=1)
        return raised.exception, agreement_id

    def test_wrong_expected_revision_fails_and_appends_nothing(self) -> None:
        error, agreement_id = self.sign_at_stale_revision()
        # docs/api.md, "Errors": an expected_revision mismatch is ABORTED.
        self.assertEqual(error.code, grpc.StatusCode.ABORTED)
        self.assertIsInstance(error, ac.AbortedError)
        self.assertTrue(error.is_wrong_revision)
        self.assertIn("expected_revision", error.message)
        self.assertEqual(self.client.get_agreement(agreement_id).revision, 2)

    def test_wrong_expected_revision_details(self) -> None:
        """Needs the server's google.rpc.ErrorInfo in grpc-status-details-bin."""
        error, _ = self.sign_at_stale_revision()
        self.assertEqual(error.reason, "WRONG_EXPECTED_REVISION")
        self.assertEqual(error.domain, "agreements.registry")
        if "current_revision" in error.metadata:
            self.assertEqual(error.current_revision, 2)
        for violation in error.precondition_violations:
            self.assertEqual(violation.type, "REVISION")

    def test_no_stream_and_stream_exists(self) -> None:
        agreement_id, parties = self.record_treaty()
        with self.assertRaises(ac.AbortedError):
            self.client.apply_change(agreement_id, support.signature_change(parties[0]),
                                     expected_revision=ac.NO_STREAM)
        signed = self.client.apply_change(agreement_id,
                                          support.signature_change(parties[0]),
                                          expected_revision=ac.STREAM_EXISTS)
        self.assertEqual(signed.agreement.revision, 2)

    def test_illegal_transition_is_failed_precondition(self) -> None:
        agreement_id, _ = self.record_treaty()
        change = v1.EventPayload(terminated=v1.Terminated(
            effective_date=ac.date(2010, 1, 1),
            ground=v1.TERMINATION_GROUND_BY_CONSENT))
        with self.assertRaises(ac.FailedPreconditionError) as raised:
            self.client.apply_change(agreement_id, change, expected_revision=1)
        self.assertIn("DRAFT", raised.exception.message)
        self.assertFalse(raised.exception.is_wrong_revision)

    def register_invalid_party(self) -> ac.AgreementsError:
        """A party with a lower-case country code (INVALID_ARGUMENT)."""
        with self.assertRaises(ac.AgreementsError) as raised:
            self.client.register_party(support.state_party(support.unique("py-bad"), "kz"))
        return raised.exception

    def test_invalid_field(self) -> None:
        error = self.register_invalid_party()
        self.assertIsInstance(error, ac.InvalidArgumentError)
        self.assertTrue(error.message.startswith("party.country_code"), error.message)

    def test_invalid_field_details(self) -> None:
        """Needs the server's google.rpc.BadRequest in grpc-status-details-bin."""
        error = self.register_invalid_party()
        self.assertIn("party.country_code", error.fields)

    def test_not_found(self) -> None:
        missing = support.unique("py-missing")
        with self.assertRaises(ac.NotFoundError):
            self.client.get_agreement(missing)
        with self.assertRaises(ac.NotFoundError):
            self.client.apply_change(missing, support.signature_change("kz"))

    def test_batch_is_all_or_nothing(self) -> None:
        party_id, agreement_id = support.unique("py-state"), support.unique("py-treaty")
        registered = v1.PartyRegistered(party=support.state_party(party_id, "KZ"))
        register = ac.party_command(party_id, v1.EventPayload(party_registered=registered),
                                    ac.NO_STREAM)
        unknown_partner = v1.EventPayload(agreement_recorded=v1.AgreementRecorded(
            agreement=support.bilateral_treaty(agreement_id,
                                               [party_id, support.unique("py-nobody")])))
        with self.assertRaises(ac.NotFoundError):
            self.client.execute_batch([register, ac.agreement_command(
                agreement_id, unknown_partner, ac.NO_STREAM)])
        with self.assertRaises(ac.NotFoundError):
            self.client.get_party(party_id)
        done = self.client.execute_batch([register])
        self.assertEqual([s.stream_id for s in done.result.streams], [party_id])


class QueryTest(support.ServerTestCase):
    """QueryService through the wrapper, over a known set of agreements."""

    agreement_ids: list[str]
    parties: list[str]

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.parties = [support.unique("py-state") for _ in range(2)]
        for party_id in cls.parties:
            cls.client.register_party(support.state_party(party_id, "KZ"))
        cls.agreement_ids = sorted(support.unique("py-transport") for _ in range(5))
        for agreement_id in cls.agreement_ids:
            cls.client.record_agreement(
                support.bilateral_treaty(agreement_id, cls.parties, "transport"))

    def test_list_follows_the_pages(self) -> None:
        pages = self.client.list_agreements(sector="transport", page_size=2)
        listed = [a.id for a in pages]
        self.assertEqual(listed, self.agreement_ids)
        by_party = [a.id for a in self.client.list_agreements(party_id=self.parties[0])]
        self.assertEqual(by_party, self.agreement_ids)
        self.assertEqual(list(self.client.list_agreements(sector="energy")), [])

    def test_filters_are_validated(self) -> None:
        with self.assertRaises(ac.InvalidArgumentError) as raised:
            list(self.client.list_agreements(sector="no-such-sector"))
        self.assertIn("sector", raised.exception.message)

    def test_sector_summary_and_sectors(self) -> None:
        summary = self.client.sector_summary("transport")
        self.assertEqual(summary.agreement_count, 5)
        self.assertEqual([(c.status, c.count) for c in summary.by_status],
                         [(v1.AGREEMENT_STATUS_DRAFT, 5)])
        counts = {info.sector: info.agreement_count for info in self.client.list_sectors()}
        self.assertEqual(counts["transport"], 5)
        self.assertEqual(counts["energy"], 0)

    def test_read_your_writes_with_min_position(self) -> None:
        party_id = support.unique("py-state")
        written = self.client.register_party(support.state_party(party_id, "KZ"))
        party = self.client.get_party(party_id, min_position=written.result.last_position)
        self.assertEqual(party.last_position, written.result.last_position)


class DemoDataTest(support.ServerTestCase):
    """The demo load file (the CLI's `agreements load` format), executed line by line
    through the wrapper, then queried."""

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.lines = support.demo_data().read_text().splitlines()
        for line in cls.lines:
            cls.client.execute_batch_request(json.loads(line))

    def test_energy_sector(self) -> None:
        energy = [a.id for a in self.client.list_agreements(sector="energy")]
        self.assertEqual(energy, ["balkhash-tpp-2009", "kz-kr-forum-2009-energy"])
        summary = self.client.sector_summary("energy")
        totals = [(t.type, t.total.currency_code, t.total.units)
                  for t in summary.amount_totals]
        self.assertIn((v1.AMOUNT_TYPE_ESTIMATED_VALUE, "USD", 4_500_000_000), totals)

    def test_search_and_parties(self) -> None:
        found = [a.id for a in self.client.list_agreements(query="breakthrough")]
        self.assertEqual(found, ["balkhash-tpp-2009"])
        korean = {p.id for p in self.client.list_parties(country_code="KR")}
        self.assertEqual(korean, {"kr", "kepco", "samsung", "kr-forum-business"})
        statement = self.client.get_agreement("kz-kr-joint-statement-2009")
        self.assertEqual(ac.title_of(statement)[:15], "Joint Statement")

    def test_loading_again_replays(self) -> None:
        again = self.client.execute_batch_request(json.loads(self.lines[0]))
        self.assertTrue(again.result.replayed)


if __name__ == "__main__":
    unittest.main()
