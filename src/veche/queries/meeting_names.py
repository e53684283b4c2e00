"""How a meeting is named in reports and pages, whatever title was typed for it: its number,
its kind and its title, of its body's term."""

from __future__ import annotations

import re

from veche.models.meetings import MeetingKind
from veche.queries.org import ordinal

#: The kinds a name says, unless the title says so already.
KIND_WORDS = {MeetingKind.ENLARGED: "Enlarged", MeetingKind.EXTRAORDINARY: "Extraordinary"}
#: A title made of words alone — letters, with hyphens or apostrophes inside them — may name
#: a kind of meeting ("Plenary Meeting", "Annual Congress"), after which the number comes.
_WORDS_ONLY = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*(?: [^\W\d_]+(?:['’-][^\W\d_]+)*)*")
#: Words that count a meeting, or say that the title names something of its own.
_OWN_WORDS = frozenset(
    [
        "first",
        "second",
        "third",
        "fourth",
        "fifth",
        "sixth",
        "seventh",
        "eighth",
        "ninth",
        "tenth",
        "eleventh",
        "twelfth",
        "last",
        "next",
        "previous",
        "of",
        "for",
        "on",
        "in",
        "at",
        "from",
        "to",
        "and",
    ]
)


def named_meeting(title: str, number: int, kind: MeetingKind, term: str, body: str) -> str:
    """The meeting's name, to follow "the" ("the {name} was held"; ``term`` is the term's own
    name, "1st Executive Board", of the body ``body``).

    A title naming a kind of meeting — words alone, counting nothing, naming neither the body
    nor anything "of" another — follows the number and the kind and comes before the term:
    "8th Enlarged Plenary Meeting of the 8th General Council". Any other title names the
    meeting its own way and is kept whole, with the number and the term after it:
    "Executive Board — January meeting (2nd meeting of the 1st Executive Board)". Either
    way a leading "The", a trailing full stop and runs of spaces are left out, and the kind
    is said unless the title says it already."""
    words = " ".join(title.split()).rstrip(". ")
    while words.casefold().startswith("the "):
        words = words[4:].lstrip()
    if words.casefold() == "the":
        words = ""
    counted = f"{ordinal(number)} "
    if words.casefold().startswith(counted):  # "2nd Plenary Meeting", the 2nd: said once
        words = words[len(counted) :]
    said = KIND_WORDS.get(kind, "")
    folded = re.findall(r"\w+", words.casefold())
    if said.casefold() in folded:
        said = ""
    of_term = f"of the {term}"
    if not words:
        return f"{ordinal(number)} {said + ' ' if said else ''}Meeting {of_term}"
    generic = (
        _WORDS_ONLY.fullmatch(words) is not None
        and not _OWN_WORDS.intersection(folded)
        and body.casefold() not in words.casefold()
    )
    if generic:
        return f"{ordinal(number)} {said + ' ' if said else ''}{words} {of_term}"
    return f"{words} ({ordinal(number)} {said.lower() + ' ' if said else ''}meeting {of_term})"
