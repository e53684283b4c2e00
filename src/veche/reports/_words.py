"""Small phrases the reports share: dates, durations, lists of names, figures of a count, and
the words for an agenda item's kind (which the agenda's pages show too)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from veche.actions._clauses import clauses
from veche.i18n import _
from veche.models.agenda import ItemKind
from veche.queries.capacities import CapacityGroup
from veche.queries.record import AmendmentRecord, DecisionVote, MeetingRecord, PollRecord
from veche.tally import Round
from veche.tally.numbers import Number


def day(value: date) -> str:
    """16 June 2026."""
    return f"{value.day} {_(value.strftime('%B'))} {value.year}"


def days(first: date, last: date) -> str:
    if first == last:
        return _("on {day}").format(day=day(first))
    return _("from {first} to {last}").format(first=day(first), last=day(last))


def day_span(first: date, last: date) -> str:
    """16 June 2026; 12–14 June 2026; 30 June – 2 July 2026; 30 December 2026 – 2 January 2027."""
    if first == last:
        return day(first)
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{day(last)}"
    if first.year == last.year:
        return f"{first.day} {_(first.strftime('%B'))} – {day(last)}"
    return f"{day(first)} – {day(last)}"


def meeting_heading(record: MeetingRecord) -> str:
    """The meeting as a report's heading names it: its number, kind and title, its body's term
    and its dates: "1st Enlarged Plenary Meeting of the 8th General Council, 16–18 June 2026"."""
    return _("{meeting}, {days}").format(
        meeting=record.name, days=day_span(record.starts_on, record.ends_on)
    )


def duration(seconds: int | None) -> str:
    """12:05 for twelve minutes and five seconds; a dash when not recorded."""
    if seconds is None:
        return "—"
    return f"{seconds // 60}:{seconds % 60:02d}"


def names(people: list[str]) -> str:
    if len(people) <= 1:
        return "".join(people)
    return _("{first} and {last}").format(first=", ".join(people[:-1]), last=people[-1])


def with_lots(outcome: str, result: dict[str, Any] | None) -> str:
    """The outcome recorded at the close, with every tie a lot settled in the stored
    ``result``, and between whom: "chosen by lot among the tied Oxblood red, Forest green and
    Slate grey: Oxblood red"; "elected: A, B (B by lot among the tied B and C)". The outcome
    recorded stays as it was (``veche verify`` compares it); the lot is said where it is shown."""
    rounds = [Round.from_dict(data) for data in (result or {}).get("rounds", [])]
    lots = [(r, r.tie_break) for r in rounds if r.tie_break and r.tie_break.resolved_by == "lot"]
    if not lots:
        return outcome
    elected = list((result or {}).get("elected", []))
    head, colon, rest = outcome.partition(": ")
    if len(lots) == 1 and elected == [lots[0][1].chosen] and colon:
        return _("{outcome} by lot among the tied {tied}: {chosen}").format(
            outcome=head, tied=names(lots[0][1].tied), chosen=rest
        )
    said = []
    for counted_round, tie in lots:
        tied = names(tie.tied)
        if tie.chosen in counted_round.excluded:
            said.append(_("{name} excluded by lot among the tied {tied}"))
        elif tie.chosen in elected:
            said.append(_("{name} by lot among the tied {tied}"))
        else:
            said.append(_("a lot among the tied {tied} drew {name}"))
        said[-1] = said[-1].format(name=tie.chosen, tied=tied)
    return f"{outcome} ({'; '.join(said)})"


def amendment_part(amendment: AmendmentRecord) -> str:
    """What the amendment changes, as the motion book and the minutes name it: "clause 3" when
    it is one whole numbered clause, else its paragraph or lines ("lines 4–6")."""
    found = clauses(amendment.original_text)
    whole = (1, len(amendment.original_text.rstrip("\n").split("\n")))
    # A lettered clause alone does not say which numbered one it belongs to: by its lines.
    if found and (found[0].first_line, found[0].last_line) == whole and found[0].key[0].isdigit():
        return _("clause {number}").format(number=found[0].label.rstrip("."))
    return amendment.target


KINDS = {
    "report": "report",
    "co_report": "co-report",
    "speech": "speech",
    "point_of_order": "point of order",
}


def kind(value: str) -> str:
    return _(KINDS.get(value, value.replace("_", " ")))


#: What each kind of agenda item is called, in the reports and on the agenda's pages.
ITEM_KINDS = {
    ItemKind.REPORT: "Report and discussion",
    ItemKind.MOTION: "Motion",
    ItemKind.ELECTION: "Election",
    ItemKind.INFORMATION: "Information",
}


def item_kind(value: str) -> str:
    """ "Report and discussion" for an item of kind ``report``."""
    return _(ITEM_KINDS[ItemKind(value)])


def item_kinds() -> list[tuple[ItemKind, str]]:
    """Every kind of agenda item with its words, in order."""
    return [(value, item_kind(value)) for value in ItemKind]


def figure(value: Number) -> str:
    """A figure of a count as the reports and the result page print it: whole when it is whole,
    else rounded (half to even) to two decimals, without trailing noughts: 12, 1,200, 7.5,
    2.29. A figure that is not whole but rounds to a whole number keeps its two decimals
    ("5.00", a little under or over 5), so that it is never read as exact, and no figure ever
    reads "-0"."""
    exact = Fraction(value)
    if exact.denominator == 1:
        return f"{exact.numerator:,}"
    hundredths = round(exact * 100)  # exact, and half to even
    if hundredths == 0:
        return "0.00"
    cents = Decimal(hundredths).scaleb(-2)
    if hundredths % 100 == 0:
        return f"{cents:,.2f}"
    return f"{cents.normalize():,f}"


def change(value: Number) -> str:
    """What a count's round added to a total, signed: +2.5, −3."""
    return f"+{figure(value)}" if value > 0 else f"−{figure(-value)}"


def capitalized(text: str) -> str:
    """The text with its first letter a capital, the rest as written (names keep theirs)."""
    return text[:1].upper() + text[1:]


def submitted_by(body: str | None, people: list[str]) -> str:
    """ "the Executive Bureau and Ada Arnold": who submitted a motion; "" for no one."""
    return names(([_("the {body}").format(body=body)] if body else []) + people)


def counted(number: int, one: str, many: str) -> str:
    """ "1 member", "3 members"."""
    return f"{number} {_(one) if number == 1 else _(many)}"


def vote(cast: DecisionVote) -> str:
    """How a decision was voted, and by which rule: "unanimously, 26 votes in favour (rule:
    …)", "by 22 votes to 3, with 1 abstention (rule: …)"."""
    if cast.unanimous:
        words = _("unanimously, {votes} in favour").format(votes=counted(cast.yes, "vote", "votes"))
    else:
        words = _("by {yes} to {no}").format(yes=counted(cast.yes, "vote", "votes"), no=cast.no)
        if cast.abstain:
            words += ", " + _("with {abstentions}").format(
                abstentions=counted(cast.abstain, "abstention", "abstentions")
            )
    if cast.rule:
        words += " (" + _("rule: {rule}").format(rule=_(cast.rule)) + ")"
    return words


#: How a vote counted in the hall was taken, as the reports say it.
TAKEN_BY = {"show_of_hands": "by show of hands", "standing": "by standing vote"}


def taken_by(poll: PollRecord) -> str:
    """ "by show of hands", "by standing vote"; "" for a vote by ballot."""
    words = TAKEN_BY.get(poll.vote_by)
    return _(words) if words else ""


def how_voted(poll: PollRecord) -> str:
    """How a decision was voted, to follow the verb it qualifies: its figures and rule, and how
    the hall counted it: "unanimously, 26 votes in favour (rule: …), by show of hands"; "" for
    a vote on record without either."""
    words = [vote(poll.vote)] if poll.vote else []
    hall = taken_by(poll)
    if hall:
        words.append(hall)
    return ", ".join(words)


def with_vote(poll: PollRecord, voted: str, plain: str) -> str:
    """``voted`` with how ``poll`` was voted in its ``{vote}``, or ``plain`` for a vote on record
    without figures or a way of counting (see ``how_voted``)."""
    how = how_voted(poll)
    return voted.format(vote=how) if how else plain


def decision(poll: PollRecord) -> str:
    """A decision's outcome with its vote: "adopted unanimously, 26 votes in favour (rule:
    …)", and ", by show of hands" when it was counted in the hall; one that was not counted
    for want of a quorum gives its figures alone. An election's or a choice's outcome ends
    with the names chosen, so how it was taken goes in brackets: "elected: A, B (by standing
    vote)"."""
    hall = taken_by(poll)
    if not hall:
        return _decision(poll)
    return _decision(poll) + (f", {hall}" if poll.kind == "decision" else f" ({hall})")


def _decision(poll: PollRecord) -> str:
    outcome = _(poll.outcome or "no decision")
    if poll.vote is None:
        return outcome
    if poll.outcome in ("adopted", "rejected"):
        return f"{outcome} {vote(poll.vote)}"
    return (
        outcome
        + " ("
        + _("{yes} for, {no} against, {abstain} abstaining").format(
            yes=poll.vote.yes, no=poll.vote.no, abstain=poll.vote.abstain
        )
        + ")"
    )


MEETING_KINDS = {
    "ordinary": "An ordinary meeting",
    "extraordinary": "An extraordinary meeting",
    "enlarged": "An enlarged meeting: observers were invited beside the members",
}


def meeting_kind(value: str) -> str:
    return _(MEETING_KINDS.get(value, value))


def capacity(group: CapacityGroup) -> str:
    """Who the group's people attended as: "members of the Executive Bureau", "observers:
    heads of departments"."""
    if group.role == "observer":
        if not group.category:
            return _("other observers")
        return _("observers: {category}").format(category=group.category)
    if group.body is None:
        return (
            _("invited as members") if group.role == "member" else _("invited as alternate members")
        )
    if group.role == "member":
        return _("members of the {body}").format(body=group.body)
    return _("alternate members of the {body}").format(body=group.body)
