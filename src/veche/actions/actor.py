"""Who is acting: a user account, or the system itself (the CLI, the demo loader)."""

from __future__ import annotations

from dataclasses import dataclass

from veche.models import User


@dataclass(frozen=True)
class Actor:
    """The acting user, as the journal names them."""

    user_id: int | None
    name: str

    @classmethod
    def of(cls, user: User) -> Actor:
        return cls(user.id, user.username)

    @classmethod
    def system(cls, what: str) -> Actor:
        """The system acting on an operator's command, e.g. ``Actor.system("cli import")``."""
        return cls(None, f"system: {what}")
