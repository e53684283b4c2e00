"""Real elections: Burlington's 2009 mayoral IRV count and the Knesset's D'Hondt seats."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from veche.tally import Profile, count, read_ballots

BURLINGTON = "irv/burlington_2009_mayor.csv"


@pytest.fixture(scope="module")
def burlington(elections: Path) -> Profile:
    return read_ballots(elections / BURLINGTON)


def test_burlington_irv_elects_kiss(burlington: Profile) -> None:
    # Published final round, counted from the cast-vote records: Kiss 4,313, Wright 4,060,
    # 607 exhausted (data README; ranked.vote).
    result = count(burlington, "irv")
    assert result.elected == ["Bob Kiss"]
    final = result.rounds[-1]
    assert final.tallies == {"Bob Kiss": 4313, "Kurt Wright": 4060}
    assert final.exhausted == 607
    assert final.excluded == ["Andy Montroll"]
    assert result.ballots == 8980
    for rnd in result.rounds:
        assert rnd.exhausted is not None
        assert sum(int(votes) for votes in rnd.tallies.values()) + int(rnd.exhausted) == 8980


@pytest.mark.parametrize("method", ["schulze", "ranked-pairs", "copeland", "minimax"])
def test_burlington_condorcet_methods_elect_montroll(burlington: Profile, method: str) -> None:
    # Montroll, excluded by IRV, beats every rival head to head (data README).
    result = count(burlington, method)
    assert result.elected == ["Andy Montroll"]
    assert result.details["condorcet_winner"] == "Andy Montroll"
    montroll = result.details["pairwise"]["Andy Montroll"]
    for rival, votes in montroll.items():
        assert votes > result.details["pairwise"][rival]["Andy Montroll"]


def knesset_elections(elections: Path) -> list[dict[str, Any]]:
    data = json.loads((elections / "apportionment" / "knesset.json").read_text())
    elections_list: list[dict[str, Any]] = data["elections"]
    return elections_list


@pytest.mark.parametrize("knesset", [19, 20, 21, 22])
def test_knesset_dhondt_gives_the_official_seats(elections: Path, knesset: int) -> None:
    (election,) = [e for e in knesset_elections(elections) if e["knesset"] == knesset]
    profile = Profile.from_totals({entry["name"]: entry["votes"] for entry in election["lists"]})
    result = count(profile, "dhondt", seats=election["seats"])
    official = {entry["name"]: entry["official_seats"] for entry in election["lists"]}
    assert result.details["seats"] == official
    assert len(result.elected) == 120
