"""Decisions on a motion: yes, no and abstain counted against the majority the rules require."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from veche.tally.errors import TallyError
from veche.tally.lot import Lot
from veche.tally.methods._options import bool_option, choice_option, count_option, fraction_option
from veche.tally.profile import EMPTY, Profile
from veche.tally.registry import BallotShape, method
from veche.tally.result import Result, Round

RULES = (
    "simple",
    "absolute-of-cast",
    "absolute-of-present",
    "absolute-of-members",
    "qualified",
    "unanimity",
)
BASES = ("cast", "present", "members")
CHOICES = ("yes", "no", "abstain")
_BASE_WORDS = {"cast": "votes cast", "present": "members present", "members": "all members"}


@method(
    "majority",
    "A decision on a motion: adopted or rejected by the majority the rules require, or no quorum.",
    options={
        "rule": "'simple' (default: more yes than no), 'absolute-of-cast' (yes above half the "
        "votes cast), 'absolute-of-present' (above half the members present), "
        "'absolute-of-members' (above half of all members), 'qualified' (at least `fraction` "
        "of `base`) or 'unanimity' (no vote against)",
        "fraction": "for rule 'qualified': the share of yes votes needed, e.g. '2/3', '3/4'",
        "base": "for rule 'qualified': what the fraction is of, 'cast' (default), 'present' "
        "or 'members'",
        "abstentions_count": "whether abstentions count as votes cast (default false); "
        "for 'absolute-of-cast', 'qualified' of votes cast and 'unanimity'",
        "quorum": "members who must be present: a whole number, a fraction of "
        "`members_total` such as '1/3', or 'majority' (more than half of `members_total`)",
        "members_present": "how many members are present",
        "members_total": "how many members the body has",
    },
    ballot=BallotShape.SINGLE,
    decision=True,
)
def majority(
    profile: Profile,
    *,
    seats: int,
    lot: Lot,
    rule: str = "simple",
    fraction: Any = None,
    base: Any = None,
    abstentions_count: Any = False,
    quorum: Any = None,
    members_present: Any = None,
    members_total: Any = None,
    **_: Any,
) -> Result:
    """Count a motion by the rule chosen; ``decision`` is "adopted", "rejected" or "no quorum".

    The rules follow Robert's Rules of Order Newly Revised (12th ed., 2020), §44,
    "Bases for determining a voting result": a majority is more than half, a
    two-thirds vote at least two-thirds, both of the votes cast unless the rules
    say of the members present or of the entire membership; abstentions are not
    votes cast unless ``abstentions_count``. A tie fails, since it is not more
    yes than no. A vote with no yes at all never adopts. Nobody is elected by
    a decision: ``elected`` stays empty and the outcome is in ``decision``;
    ``details`` names the rule and the numbers compared (``required`` is the
    number of yes votes needed).
    """
    rule = choice_option("rule", rule, RULES)
    abstentions_count = bool_option("abstentions_count", abstentions_count)
    present = None if members_present is None else count_option("members_present", members_present)
    total = None if members_total is None else count_option("members_total", members_total)
    votes = _count_votes(profile)
    cast = sum(votes.values())
    _check_attendance(cast, present, total)
    if rule == "qualified":
        if fraction is None:
            raise TallyError("rule 'qualified' needs option fraction, e.g. '2/3'")
        share = fraction_option("fraction", fraction)
        if not 0 < share <= 1:
            raise TallyError(f"option fraction must be above 0 and at most 1, not {share}")
        base = choice_option("base", "cast" if base is None else base, BASES)
    else:
        if fraction is not None or base is not None:
            raise TallyError(
                f"options fraction and base apply to rule 'qualified' only, not {rule!r}"
            )
        share = Fraction(1, 2)
        base = {"absolute-of-present": "present", "absolute-of-members": "members"}.get(
            rule, "cast"
        )
    if abstentions_count and (rule == "simple" or base != "cast"):
        raise TallyError(
            "abstentions_count applies when the base is the votes cast (rules "
            "absolute-of-cast, qualified of votes cast, unanimity); simple majority compares "
            "yes with no only, and members present or in office include those abstaining"
        )
    details: dict[str, Any] = {
        "yes": votes["yes"],
        "no": votes["no"],
        "abstain": votes["abstain"],
        "abstentions_count": abstentions_count,
        "quorum": _quorum(quorum, present, total),
    }
    tallies = dict(votes)
    options = {"rule": rule, "abstentions_count": abstentions_count}
    if rule == "qualified":
        options.update(fraction=share, base=base)
    for name, value in (("quorum", quorum), ("members_present", present), ("members_total", total)):
        if value is not None:
            options[name] = value
    if details["quorum"] is not None and not details["quorum"]["met"]:
        found = details["quorum"]
        details["rule"] = "quorum"
        return _decision(
            profile,
            "no quorum",
            f"no quorum: {found['present']} present, {found['required']} required",
            tallies,
            options,
            details,
        )
    counted = votes["yes"] + votes["no"] + (votes["abstain"] if abstentions_count else 0)
    base_size = {"cast": counted, "present": present, "members": total}[base]
    if base_size is None:
        needed = "members_present" if base == "present" else "members_total"
        raise TallyError(f"rule {rule!r} with base {base!r} needs option {needed}")
    base_words = _BASE_WORDS[base] + (", abstentions included" if abstentions_count else "")
    if rule == "simple":
        label = "simple majority of votes cast: more yes than no"
        required = votes["no"] + 1
    elif rule == "unanimity":
        label = f"unanimity of {base_words}"
        required = max(base_size, 1)
    elif rule == "qualified":
        label = f"qualified {share.numerator}/{share.denominator} of {base_words}"
        required = max(_ceiling(share * base_size), 1)
    else:
        label = f"absolute majority of {base_words}"
        required = base_size // 2 + 1
    details.update(rule=label, required=required, base=base_size)
    adopted = votes["yes"] >= required
    outcome = "adopted" if adopted else "rejected"
    if rule == "simple":
        note = f"{outcome}: {votes['yes']} yes against {votes['no']} no ({label})"
    else:
        note = f"{outcome}: {votes['yes']} yes, {required} needed ({label}; base {base_size})"
    return _decision(profile, outcome, note, tallies, options, details)


def _count_votes(profile: Profile) -> dict[str, int]:
    """Yes, no and abstain from single-choice ballots; anything else is refused."""
    unknown = [name for name in profile.candidates if name not in CHOICES]
    if unknown or "yes" not in profile.candidates or "no" not in profile.candidates:
        raise TallyError(
            "a decision is counted from ballots for 'yes', 'no' and optionally 'abstain'; "
            f"these ballots are for: {', '.join(profile.candidates)}"
        )
    rankings = profile.rankings
    if rankings.shape[0]:
        marks = (rankings != EMPTY).sum(axis=1)
        if rankings.shape[1] == 0 or (marks != 1).any():
            raise TallyError(
                "a decision ballot marks exactly one of yes, no or abstain, but some ballots "
                "mark none or several"
            )
    votes = dict.fromkeys(CHOICES, 0)
    for choice, count in zip(
        rankings[:, 0] if rankings.shape[0] else [], profile.counts, strict=True
    ):
        votes[profile.candidates[int(choice)]] += int(count)
    return votes


def _check_attendance(cast: int, present: int | None, total: int | None) -> None:
    if present is not None and total is not None and present > total:
        raise TallyError(f"members_present ({present}) exceeds members_total ({total})")
    if present is not None and cast > present:
        raise TallyError(f"{cast} votes were cast but only {present} members are present")
    if total is not None and cast > total:
        raise TallyError(f"{cast} votes were cast but the body has only {total} members")


def _quorum(quorum: Any, present: int | None, total: int | None) -> dict[str, Any] | None:
    """The quorum required and whether the members present meet it (None if no quorum is set)."""
    if quorum is None:
        return None
    if present is None:
        raise TallyError("a quorum can only be checked with option members_present")
    if isinstance(quorum, int) and not isinstance(quorum, bool):
        required = count_option("quorum", quorum)
    else:
        if total is None:
            raise TallyError(
                f"quorum {quorum!r} is a share of the membership; give members_total too"
            )
        if quorum == "majority":
            required = total // 2 + 1
        else:
            share = fraction_option("quorum", quorum)
            if not 0 < share <= 1:
                raise TallyError(
                    f"a quorum given as a fraction must be above 0 and at most 1, not {share}; "
                    "give a number of members as a whole number"
                )
            required = _ceiling(share * total)
    return {"required": required, "present": present, "met": present >= required}


def _ceiling(value: Fraction) -> int:
    return -(-value.numerator // value.denominator)


def _decision(
    profile: Profile,
    outcome: str,
    note: str,
    tallies: dict[str, int],
    options: dict[str, Any],
    details: dict[str, Any],
) -> Result:
    return Result(
        method="majority",
        seats=1,
        candidates=list(profile.candidates),
        elected=[],
        rounds=[Round(number=1, action="count the votes", note=note, tallies=dict(tallies))],
        decision=outcome,
        options=options,
        details=details,
    )
