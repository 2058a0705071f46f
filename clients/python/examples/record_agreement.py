#!/usr/bin/python3
r"""Records a bilateral agreement and its signatures, the way a loader would.

    python3 clients/python/examples/record_agreement.py --server 127.0.0.1:50051 \
        [--id ID] [--sector energy] [--party kz:KZ --party kr:KR] \
        [--request-id-prefix PREFIX] [--token-file F --ca-file F]

1. Registers each party unless it exists (GetParty, then RegisterParty).
2. Records the agreement in DRAFT with a request id, so that running the script
   again with the same --request-id-prefix replays instead of recording twice.
3. Signs it for each party with ApplyAgreementChange, each change with its own
   request id and the revision the previous answer gave as expected revision:
   had anyone changed the agreement in between, the change would fail (ABORTED,
   error.is_wrong_revision) instead of being applied to a state it was not
   decided on.

Prints one line per step, then the agreement's status and revision.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

# The agreements_client package is in clients/python.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# pylint: disable=wrong-import-position
import agreements_client as ac  # noqa: E402
from agreements_client import cli, v1  # noqa: E402

# Names of the parties the example knows; others are registered with their id as name.
KNOWN_NAMES = {"kz": "Republic of Kazakhstan", "kr": "Republic of Korea"}


def parse_args() -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--id", default="",
                        help="agreement id (default: the server assigns one)")
    parser.add_argument("--sector", default="energy", help="registry sector (%(default)s)")
    parser.add_argument("--party", action="append", metavar="ID:COUNTRY",
                        help="a state party, e.g. kz:KZ (default: kz:KZ and kr:KR)")
    parser.add_argument("--title", help="English title",
                        default="Agreement on cooperation in the field of energy")
    parser.add_argument("--request-id-prefix", default="",
                        help="prefix of the request ids; the same prefix again replays "
                             "(default: a random one)")
    cli.add_connection_arguments(parser)
    args = parser.parse_args()
    args.party = args.party or ["kz:KZ", "kr:KR"]
    args.request_id_prefix = args.request_id_prefix or ac.new_request_id("example")
    return args


def parse_party(spec: str) -> tuple[str, str]:
    """"kz:KZ" -> ("kz", "KZ")."""
    party_id, _, country = spec.partition(":")
    if not party_id or len(country) != 2:
        raise SystemExit(f"--party {spec}: expected ID:COUNTRY, e.g. kz:KZ")
    return party_id, country


def ensure_party(client: ac.RegistryClient, party_id: str, country: str,
                 prefix: str) -> None:
    """Registers a state party unless it exists."""
    try:
        client.get_party(party_id)
        print(f"party {party_id}: exists")
        return
    except ac.NotFoundError:
        pass
    party = v1.Party(id=party_id, type=v1.PARTY_TYPE_STATE, country_code=country,
                     names=[ac.text("en", KNOWN_NAMES.get(party_id, party_id))])
    response = client.register_party(party, request_id=f"{prefix}-party-{party_id}")
    print(f"party {party_id}: registered at position {response.result.last_position}")


def new_agreement(args: argparse.Namespace, party_ids: list[str]) -> "v1.Agreement":
    """The agreement to record: a bilateral treaty between the parties."""
    return v1.Agreement(
        id=args.id, designation="Agreement", instrument_kind=v1.INSTRUMENT_KIND_AGREEMENT,
        legal_nature=v1.LEGAL_NATURE_BINDING_INTERNATIONAL,
        arity=v1.ARITY_BILATERAL if len(party_ids) == 2 else v1.ARITY_MULTILATERAL,
        titles=[ac.text("en", args.title)], place_of_conclusion="Astana",
        participations=[v1.Participation(party_id=p, roles=[v1.PARTICIPANT_ROLE_PARTY])
                        for p in party_ids],
        classifications=[ac.sector(args.sector)])


def replayed(result: "v1.CommitResult") -> str:
    """" (replayed)" for an answer that replays an earlier request."""
    return " (replayed)" if result.replayed else ""


def revision_after(result: "v1.CommitResult") -> int:
    """The agreement's revision right after the request: from the commit result,
    which a replay returns unchanged (unlike the state, which is today's)."""
    return result.streams[0].revision


def sign(client: ac.RegistryClient, agreement_id: str, revision: int, party_id: str,
         prefix: str) -> int:
    """Signs the agreement for one party, expecting `revision`; the new revision."""
    change = v1.EventPayload(participant_signed=v1.ParticipantSigned(
        party_id=party_id,
        signature=v1.Signature(date=ac.date(2009, 5, 13), kind=v1.SIGNATURE_KIND_SIMPLE,
                               place="Astana")))
    response = client.apply_change(agreement_id, change, expected_revision=revision,
                                   request_id=f"{prefix}-sign-{party_id}")
    revision = revision_after(response.result)
    print(f"signed by {party_id} at position {response.result.last_position} "
          f"(revision {revision}){replayed(response.result)}")
    return revision


def main() -> int:
    """Registers the parties, records the agreement and signs it."""
    args = parse_args()
    parties = [parse_party(spec) for spec in args.party]
    with cli.connect_from_args(args) as client:
        for party_id, country in parties:
            ensure_party(client, party_id, country, args.request_id_prefix)
        recorded = client.record_agreement(new_agreement(args, [p for p, _ in parties]),
                                           request_id=f"{args.request_id_prefix}-record")
        agreement_id = recorded.agreement.id
        revision = revision_after(recorded.result)
        print(f"recorded {agreement_id} at position {recorded.result.last_position} "
              f"(revision {revision}){replayed(recorded.result)}")
        for party_id, _ in parties:
            revision = sign(client, agreement_id, revision, party_id,
                            args.request_id_prefix)
        agreement = client.get_agreement(agreement_id)
        print(f"agreement {agreement.id}: {v1.AgreementStatus.Name(agreement.status)}, "
              f"revision {agreement.revision}")
    return 0


if __name__ == "__main__":
    cli.run(main)
