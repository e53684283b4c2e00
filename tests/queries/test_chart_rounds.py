"""The result page's chart of a count round by round: one scale for every round, and the
quota (or the yes votes needed) as a line."""

from __future__ import annotations

import pytest

from veche.queries.sitting import chart_rounds
from veche.tally import count
from veche.tally.profile import Profile


def test_every_round_of_a_count_is_drawn_to_the_same_scale_with_its_quota() -> None:
    profile = Profile.from_rankings(
        ["Ada", "Bo", "Chen", "Dmitri"],
        [([0, 1], 4), ([1, 2], 3), ([2, 3], 2), ([3, 1], 2), ([0, 2], 2)],
    )
    rounds = chart_rounds(count(profile, "scottish-stv", seats=2).to_dict())
    lengths = [{bar.label: bar.share for bar in r.bars} for r in rounds]
    # Ada's 6 first preferences are the count's largest figure; her 5 after the surplus is
    # transferred are drawn shorter, not as long again as the largest of round 2.
    assert lengths[0]["Ada"] == 1.0
    assert lengths[1]["Ada"] == pytest.approx(5 / 6)
    assert lengths[1]["Bo"] == pytest.approx(3.66664 / 6)
    assert lengths[0]["Bo"] == pytest.approx(3 / 6)
    assert lengths[2]["Bo"] == pytest.approx(5.66664 / 6)
    # The quota, 5, is a line on the same scale across every bar, its figure in words.
    for chart_round in rounds:
        assert chart_round.line is not None and chart_round.line.quota
        assert chart_round.line.votes == "5"
        assert chart_round.line.share == pytest.approx(5 / 6)
        assert all(bar.measured for bar in chart_round.bars)


def test_a_quota_above_every_total_sets_the_scale() -> None:
    profile = Profile.from_rankings(["Ada", "Bo", "Chen"], [([0], 3), ([1], 3), ([2], 3)])
    (first, *_) = chart_rounds(count(profile, "scottish-stv", seats=1).to_dict())
    assert first.line is not None and first.line.votes == "5" and first.line.share == 1.0
    assert {bar.label: bar.share for bar in first.bars} == {
        "Ada": pytest.approx(3 / 5),
        "Bo": pytest.approx(3 / 5),
        "Chen": pytest.approx(3 / 5),
    }


def test_a_decision_draws_the_yes_votes_needed_across_the_yes_bar_alone() -> None:
    profile = Profile.from_totals({"yes": 11, "no": 4, "abstain": 2})
    counted = count(profile, "majority", rule="qualified", fraction="2/3", base="cast")
    (only,) = chart_rounds(counted.to_dict())
    assert only.line is not None and not only.line.quota
    assert only.line.votes == "10" and only.line.share == pytest.approx(10 / 11)
    assert [(bar.label, bar.share, bar.measured) for bar in only.bars] == [
        ("yes", 1.0, True),
        ("no", pytest.approx(4 / 11), False),
        ("abstain", pytest.approx(2 / 11), False),
    ]
