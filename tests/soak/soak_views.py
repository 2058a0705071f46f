"""What the views hold, read through the query service, so that the soak can
compare them before the server stops and after the offline rebuild: every sector
with its count and summary, the statistics, every agreement and every party
(each as its exact serialized state)."""

from __future__ import annotations

import hashlib

import agreements_client as ac
from agreements_client import v1

from soak_load import SECTORS

PAGE_SIZE = 1000
DIFFERENCES_KEPT = 10


def _digest(message) -> str:
    """SHA-256 of a message's deterministic serialization."""
    return hashlib.sha256(message.SerializeToString(deterministic=True)).hexdigest()


def snapshot(client: ac.RegistryClient) -> dict:
    """The views' contents as digests: {"sectors": {...}, "summaries": {...},
    "statistics": digest, "agreements": {id: digest}, "parties": {id: digest}}."""
    sectors = {info.sector: info.agreement_count for info in client.list_sectors()}
    summaries = {sector: _digest(client.sector_summary(sector, top_parties=100))
                 for sector in SECTORS}
    statistics = client.call(client.queries.GetStatistics, v1.GetStatisticsRequest())
    agreements = {a.id: _digest(a) for a in client.list_agreements(page_size=PAGE_SIZE)}
    parties = {p.id: _digest(p) for p in client.list_parties(page_size=PAGE_SIZE)}
    return {"sectors": sectors, "summaries": summaries,
            "statistics": _digest(_without_position(statistics)),
            "agreements": agreements, "parties": parties}


def _without_position(response: "v1.GetStatisticsResponse") -> "v1.GetStatisticsResponse":
    """The statistics without the position they were read at."""
    copy = v1.GetStatisticsResponse()
    copy.CopyFrom(response)
    copy.position = 0
    return copy


def compare(before: dict, after: dict) -> list[str]:
    """The differences between two snapshots (at most DIFFERENCES_KEPT per part)."""
    differences = []
    if before["sectors"] != after["sectors"]:
        differences.append(f"sector counts {before['sectors']} != {after['sectors']}")
    for sector in SECTORS:
        if before["summaries"].get(sector) != after["summaries"].get(sector):
            differences.append(f"summary of sector {sector} differs")
    if before["statistics"] != after["statistics"]:
        differences.append("statistics differ")
    differences += _compare_items("agreement", before["agreements"], after["agreements"])
    differences += _compare_items("party", before["parties"], after["parties"])
    return differences


def _compare_items(kind: str, before: dict, after: dict) -> list[str]:
    """Items missing, added or changed between two {id: digest} maps."""
    problems = [f"{kind} {key} {_change(before.get(key), after.get(key))}"
                for key in sorted(before.keys() | after.keys())
                if before.get(key) != after.get(key)]
    if len(problems) > DIFFERENCES_KEPT:
        problems = problems[:DIFFERENCES_KEPT] + [
            f"... {len(problems) - DIFFERENCES_KEPT} more {kind} differences"]
    return problems


def _change(old, new) -> str:
    """How one item changed."""
    if old is None:
        return "appeared"
    if new is None:
        return "disappeared"
    return "changed"


def counts(view: dict) -> dict:
    """Sizes of a snapshot, for the report."""
    return {"agreements": len(view["agreements"]), "parties": len(view["parties"]),
            "sectors": view["sectors"]}
