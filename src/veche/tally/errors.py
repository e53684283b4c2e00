"""Errors raised by the counting engine, each saying what was wrong."""


class TallyError(ValueError):
    """A count cannot be made as asked (bad options, unsuitable ballots)."""


class BallotFormatError(TallyError):
    """A ballot file is malformed; the message names the file, the line and the problem."""

    def __init__(self, source: str, line: int | None, problem: str) -> None:
        self.source = source
        self.line = line
        self.problem = problem
        where = f"{source}, line {line}" if line is not None else source
        super().__init__(f"{where}: {problem}")
