"""Pure vote counting: ballot profiles in, results with every round explained out.

This package knows nothing of the database or the web::

    from veche.tally import read_ballots, count
    result = count(read_ballots("ward.blt"), method="scottish-stv")
    print(result.elected, result.explain())
"""

from veche.tally.errors import BallotFormatError, TallyError
from veche.tally.formats import read_ballots
from veche.tally.profile import Profile
from veche.tally.registry import BallotShape, Method, available_methods, count, method_named
from veche.tally.result import Result, Round, TieBreak

__all__ = [
    "BallotFormatError",
    "BallotShape",
    "Method",
    "Profile",
    "Result",
    "Round",
    "TallyError",
    "TieBreak",
    "available_methods",
    "count",
    "method_named",
    "read_ballots",
]
