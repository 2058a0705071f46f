#!/usr/bin/python3
r"""Shows one registry sector: its summary and its agreements (or every sector).

    python3 clients/python/examples/query_sector.py --server 127.0.0.1:50051 \
        [--sector energy] [--status in_force] [--party ID] [--query WORDS] \
        [--limit N] [--token-file F --ca-file F]

Without --sector, lists every sector with its agreement count. With it, prints
the sector's summary (agreements by status, amount totals, top parties), then one
line per agreement, following the pages of ListAgreements:

    balkhash-tpp-2009  AGREEMENT_STATUS_DRAFT  signed=-  Agreement between ...
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


def parse_args() -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sector", default="", help="registry sector, e.g. energy")
    parser.add_argument("--status", default="",
                        help="only this status, e.g. in_force or AGREEMENT_STATUS_IN_FORCE")
    parser.add_argument("--party", default="", help="only agreements of this party")
    parser.add_argument("--query", default="", help="only agreements matching these words")
    parser.add_argument("--limit", type=int, default=0, help="list at most N agreements")
    parser.add_argument("--page-size", type=int, default=50,
                        help="agreements per page (%(default)s)")
    cli.add_connection_arguments(parser)
    return parser.parse_args()


def status_value(name: str) -> int:
    """An AgreementStatus from "in_force" or "AGREEMENT_STATUS_IN_FORCE"; 0 for ""."""
    if not name:
        return 0
    full = name.upper()
    if not full.startswith("AGREEMENT_STATUS_"):
        full = "AGREEMENT_STATUS_" + full
    try:
        return v1.AgreementStatus.Value(full)
    except ValueError:
        raise SystemExit(f"--status {name}: unknown status") from None


def money(value: "v1.Money") -> str:
    """1234.5 USD as "1234.500000000 USD" (exact: units and nanos, never a float)."""
    sign = "-" if value.units < 0 or value.nanos < 0 else ""
    return f"{sign}{abs(value.units)}.{abs(value.nanos):09d} {value.currency_code}"


def print_sectors(client: ac.RegistryClient) -> None:
    """Every sector with its agreement count."""
    for info in client.list_sectors():
        print(f"{info.sector}: {info.agreement_count}")


def print_summary(client: ac.RegistryClient, sector: str) -> None:
    """The sector's counts, totals and top parties."""
    summary = client.sector_summary(sector, top_parties=5)
    print(f"sector {summary.sector}: {summary.agreement_count} agreements")
    for count in summary.by_status:
        print(f"  {v1.AgreementStatus.Name(count.status)}: {count.count}")
    for total in summary.amount_totals:
        print(f"  {v1.AmountType.Name(total.type)}: {money(total.total)} "
              f"({total.agreement_count} agreements)")
    for party in summary.top_parties:
        print(f"  party {party.party_id}: {party.agreement_count} agreements")


def print_agreements(client: ac.RegistryClient, args: argparse.Namespace) -> int:
    """One line per matching agreement; how many were printed."""
    listed = 0
    for agreement in client.list_agreements(
            sector=args.sector, status=status_value(args.status), party_id=args.party,
            query=args.query, page_size=args.page_size):
        signed = ac.format_date(agreement.signed_on) or "-"
        print(f"{agreement.id}  {v1.AgreementStatus.Name(agreement.status)}  "
              f"signed={signed}  {ac.title_of(agreement)}")
        listed += 1
        if listed == args.limit:
            break
    return listed


def main() -> int:
    """Prints the sectors, or one sector's summary and agreements."""
    args = parse_args()
    with cli.connect_from_args(args) as client:
        if not args.sector:
            print_sectors(client)
            return 0
        print_summary(client, args.sector)
        listed = print_agreements(client, args)
        print(f"{listed} agreements listed", file=sys.stderr)
    return 0


if __name__ == "__main__":
    cli.run(main)
