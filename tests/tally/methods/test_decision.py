"""Decisions on motions: each majority rule, quorum, exact thresholds and refused input."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest

from veche.tally import Profile, TallyError, count


def decide(yes: int, no: int, abstain: int = 0, **options: Any) -> Any:
    return count(
        Profile.from_totals({"yes": yes, "no": no, "abstain": abstain}), "majority", **options
    )


def test_simple_majority_needs_more_yes_than_no_and_ignores_abstentions() -> None:
    result = decide(51, 49, 30)
    assert result.decision == "adopted"
    assert result.elected == []
    assert result.details["required"] == 50
    assert result.details["rule"].startswith("simple majority")


def test_a_tie_fails_under_simple_majority() -> None:
    # Robert's Rules §44: a majority is more than half; a tie is not.
    assert decide(50, 50).decision == "rejected"


def test_nothing_adopted_without_a_single_yes() -> None:
    assert decide(0, 0, 12).decision == "rejected"
    assert decide(0, 0, 0, rule="qualified", fraction="2/3").decision == "rejected"


def test_absolute_majority_of_cast_counts_abstentions_only_when_asked() -> None:
    # 51 yes of 100 yes-or-no votes is more than half; of 130 votes with abstentions it is not.
    assert decide(51, 49, 30, rule="absolute-of-cast").decision == "adopted"
    counted = decide(51, 49, 30, rule="absolute-of-cast", abstentions_count=True)
    assert counted.decision == "rejected"
    assert counted.details["base"] == 130
    assert counted.details["required"] == 66


def test_absolute_majority_of_members_present_and_of_all_members() -> None:
    assert decide(75, 10, 5, rule="absolute-of-present", members_present=150).decision == (
        "rejected"
    )
    assert decide(76, 10, 5, rule="absolute-of-present", members_present=150).decision == (
        "adopted"
    )
    assert decide(100, 0, rule="absolute-of-members", members_total=200).decision == "rejected"
    adopted = decide(101, 0, rule="absolute-of-members", members_total=200)
    assert adopted.decision == "adopted"
    assert adopted.details["rule"] == "absolute majority of all members"
    assert (adopted.details["base"], adopted.details["required"]) == (200, 101)


def test_qualified_two_thirds_is_exact_at_the_boundary() -> None:
    # 66 of 99 is exactly two-thirds: adopted ("at least two-thirds"); 65 of 98 falls short
    # of 65 1/3.
    exactly = decide(66, 33, rule="qualified", fraction="2/3")
    assert exactly.decision == "adopted"
    assert exactly.details["required"] == 66
    short = decide(65, 33, rule="qualified", fraction="2/3")
    assert short.decision == "rejected"
    assert short.details["required"] == 66


def test_decimal_fractions_are_exact() -> None:
    # 55% of 100 is 55; in binary floating point 0.55 * 100 is 55.00000000000001, whose
    # ceiling would demand 56.
    result = decide(55, 45, rule="qualified", fraction="0.55")
    assert result.details["required"] == 55
    assert result.decision == "adopted"


def test_qualified_majority_reports_the_rule_and_numbers_compared() -> None:
    result = decide(80, 15, 5, rule="qualified", fraction="2/3", abstentions_count=True)
    assert result.decision == "adopted"
    assert result.details["rule"] == "qualified 2/3 of votes cast, abstentions included"
    assert (result.details["yes"], result.details["required"], result.details["base"]) == (
        80,
        67,
        100,
    )


@pytest.mark.parametrize("fraction", ["3/4", "0.75", "75/100", Fraction(3, 4), 0.75])
def test_fractions_in_any_exact_spelling_mean_the_same(fraction: object) -> None:
    result = decide(75, 25, rule="qualified", fraction=fraction)
    assert result.decision == "adopted"
    assert result.details["required"] == 75
    assert decide(74, 26, rule="qualified", fraction=fraction).decision == "rejected"


def test_qualified_of_members_uses_the_membership_as_base() -> None:
    result = decide(60, 5, rule="qualified", fraction="2/3", base="members", members_total=100)
    assert result.decision == "rejected"
    assert (result.details["base"], result.details["required"]) == (100, 67)


def test_unanimity_blocks_on_any_no_and_on_abstentions_only_if_they_count() -> None:
    assert decide(10, 0, 2, rule="unanimity").decision == "adopted"
    assert decide(10, 0, 2, rule="unanimity", abstentions_count=True).decision == "rejected"
    assert decide(10, 1, 0, rule="unanimity").decision == "rejected"


def test_no_quorum_when_too_few_present() -> None:
    result = decide(30, 10, members_present=50, members_total=100, quorum="majority")
    assert result.decision == "no quorum"
    assert result.details["quorum"] == {"required": 51, "present": 50, "met": False}
    assert result.elected == []


def test_quorum_as_a_number_or_a_fraction_of_members() -> None:
    assert decide(5, 1, members_present=20, quorum=20).decision == "adopted"
    assert decide(5, 1, members_present=19, quorum=20).decision == "no quorum"
    # A third of 100 is 33 1/3 members; a quorum needs 34.
    met = decide(20, 5, members_present=34, members_total=100, quorum="1/3")
    assert met.details["quorum"]["required"] == 34
    assert met.decision == "adopted"
    assert decide(20, 5, members_present=33, members_total=100, quorum="1/3").decision == (
        "no quorum"
    )


def test_result_explains_the_count() -> None:
    text = decide(80, 20, rule="qualified", fraction="2/3").explain()
    assert "Decision: adopted" in text
    assert "67 needed" in text


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"rule": "plurality"}, "rule must be one of"),
        ({"rule": "qualified"}, "needs option fraction"),
        ({"rule": "qualified", "fraction": "4/3"}, "at most 1"),
        ({"rule": "qualified", "fraction": "two thirds"}, "must be a number"),
        ({"fraction": "2/3"}, "apply to rule 'qualified' only"),
        ({"abstentions_count": True}, "abstentions_count applies"),
        ({"abstentions_count": "yes"}, "true or false"),
        ({"rule": "absolute-of-present"}, "needs option members_present"),
        ({"rule": "absolute-of-members"}, "needs option members_total"),
        ({"quorum": 10}, "members_present"),
        ({"quorum": "1/2", "members_present": 40}, "give members_total"),
        ({"members_present": 10}, "only 10 members are present"),
        ({"members_present": 50, "members_total": 40}, "exceeds members_total"),
        ({"members_present": -1}, "whole number"),
        ({"colour": "red"}, "does not take option"),
    ],
)
def test_unsuitable_options_are_refused_with_a_reason(
    options: dict[str, Any], message: str
) -> None:
    with pytest.raises(TallyError, match=message):
        decide(12, 3, **options)


def test_ballots_must_be_yes_no_abstain_single_choices() -> None:
    with pytest.raises(TallyError, match="'yes', 'no' and optionally 'abstain'"):
        count(Profile.from_totals({"yes": 3, "maybe": 2}), "majority")
    double = Profile.from_rankings(["yes", "no"], [((0, 1), 2), ((0,), 3)])
    with pytest.raises(TallyError, match="exactly one"):
        count(double, "majority")


def test_abstain_may_be_left_off_the_ballot() -> None:
    result = count(Profile.from_totals({"yes": 3, "no": 2}), "majority")
    assert result.decision == "adopted"
    assert result.details["abstain"] == 0
