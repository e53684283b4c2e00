"""Errors on user input, each mapped to an HTTP status and a CLI exit code of 2."""

from __future__ import annotations


class VecheError(Exception):
    """A request that cannot be carried out; the message says what was wrong and what to do."""

    status_code = 400
    retry_after: int | None = None  # seconds, sent as Retry-After, when waiting will help

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(VecheError):
    """The input is malformed or breaks a rule."""

    status_code = 422


class NotFound(VecheError):
    status_code = 404


class Forbidden(VecheError):
    status_code = 403


class NotAuthenticated(VecheError):
    status_code = 401


class Conflict(VecheError):
    """The request clashes with the current state (a duplicate, a wrong state)."""

    status_code = 409


class TooLarge(VecheError):
    """The request's body is larger than anything it could sensibly carry."""

    status_code = 413


class StorageFault(VecheError):
    """Not the client's doing: the database (or veche) failed to carry out a valid request.
    Nothing was changed; the same request may succeed when sent again."""

    status_code = 503
    retry_after = 2
