"""Real Scottish council elections: the declared results, and agreement with pref_voting."""

from __future__ import annotations

import json
import random
import re
from decimal import Decimal
from pathlib import Path

import pytest
from pref_voting.profiles_with_ties import ProfileWithTies
from pref_voting.proportional_methods import stv_scottish
from pref_voting.rankings import Ranking

from tests.tally.conftest import elections_path
from veche.tally.formats import read_ballots
from veche.tally.profile import Profile
from veche.tally.registry import count

SCOTLAND = elections_path() / "scotland"
EDINBURGH = json.loads((SCOTLAND / "edinburgh_2017_official.json").read_text(encoding="utf-8"))
WARDS = sorted((SCOTLAND / "blt").glob("*.blt"))


@pytest.mark.parametrize("ward", sorted(EDINBURGH["elected"]))
def test_edinburgh_2017_elects_the_declared_councillors(ward: str) -> None:
    profile = read_ballots(SCOTLAND / "blt" / ward)
    result = count(profile, "scottish-stv")
    assert sorted(result.elected) == sorted(EDINBURGH["elected"][ward])
    # Nothing in these counts was left to chance.
    assert all(r.tie_break is None for r in result.rounds)


def test_every_edinburgh_ward_and_every_election_is_there() -> None:
    assert len(EDINBURGH["elected"]) == 17
    assert len(WARDS) == 1076


def test_renfrewshire_2017_ward_3_equal_surpluses_go_by_the_earlier_stage() -> None:
    # The only tie in the 1,076 counts: after Catriona Campbell's exclusion Neill Graham and
    # Jim Sharkey both have 1,311 votes. Rule 49(2) transfers first the surplus of the one
    # with more votes at the latest stage where they differed: Sharkey, 1,167 to 1,103.
    profile = read_ballots(SCOTLAND / "blt" / "renfrewshire_2017_ward3.blt")
    result = count(profile, "scottish-stv")
    stage = result.rounds[5]
    assert stage.tallies["Neill GRAHAM (C)"] == stage.tallies["JIM SHARKEY (Lab)"] == 1311
    assert result.rounds[4].tallies["JIM SHARKEY (Lab)"] == Decimal(1167)
    assert stage.elected == ["JIM SHARKEY (Lab)", "Neill GRAHAM (C)"]
    transfer = result.rounds[6]
    assert transfer.action == "transfer surplus of JIM SHARKEY (Lab)"
    assert transfer.tie_break is not None
    assert transfer.tie_break.resolved_by == "earlier stages"
    assert result.seed is None


def _pref_voting_profile(profile: Profile) -> ProfileWithTies:
    """Our ballots as pref_voting's, each distinct ballot once with its count.

    ``ProfileWithTies`` tabulates every pairwise comparison when it is built, which takes
    longer than the count itself and which ``stv_scottish`` never reads; so it is built empty
    and given its rankings afterwards, the two attributes ``rankings_counts`` returns.
    """
    candidates = list(range(profile.n_candidates))
    converted = ProfileWithTies([], rcounts=[], candidates=candidates)
    converted._rankings = [
        Ranking({int(c): rank for rank, c in enumerate(row) if c >= 0}) for row in profile.rankings
    ]
    converted.rcounts = profile.counts.tolist()
    return converted


def _council(path: Path) -> str:
    return re.sub(r"_20\d\d.*", "", path.stem)


#: The 1,076 wards by council (33 councils), so that the test runners share the work.
COUNCILS = sorted({_council(path) for path in WARDS})


@pytest.mark.slow
@pytest.mark.parametrize("council", COUNCILS)
def test_every_scottish_election_elects_the_same_councillors_as_pref_voting(council: str) -> None:
    # pref_voting's stv_scottish (floating point, written independently from SSI 2007/42)
    # agrees with every official result its authors checked; our exact count must agree with
    # it on all 1,076 wards. None needs a lot, so the seeds cannot make them differ.
    disagreements = []
    for path in (ward for ward in WARDS if _council(ward) == council):
        profile = read_ballots(path)
        assert profile.seats is not None
        ours = set(count(profile, "scottish-stv", seed=1).elected)
        winners = stv_scottish(
            _pref_voting_profile(profile), num_seats=profile.seats, rng=random.Random(1)
        )
        theirs = {profile.candidates[c] for c in winners}
        if ours != theirs:
            disagreements.append((path.name, sorted(ours), sorted(theirs)))
    assert disagreements == []
