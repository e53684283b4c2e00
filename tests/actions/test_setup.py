"""Setting up happens once, even when two set-ups are sent at the same moment."""

from __future__ import annotations

import threading

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from veche.actions.setup import FirstStart, do_set_up
from veche.db import transaction
from veche.errors import Conflict
from veche.models import Organization, User


def test_two_set_ups_at_once_make_one_organization(sessions: sessionmaker[Session]) -> None:
    """Each names another organization and login, so no unique key would stop the second:
    only the journal head's lock, taken first, makes it find the first one's organization."""
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def set_up(number: int) -> None:
        first = FirstStart(f"Union {number}", None, f"chief-{number}", "a passphrase for now")
        start.wait()
        try:
            with transaction(sessions) as session:
                do_set_up(session, first, via="tests")
            outcomes.append("set up")
        except Conflict as refusal:
            outcomes.append(refusal.message)

    threads = [threading.Thread(target=set_up, args=(number,)) for number in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    done, refused = sorted(outcomes)
    assert done == "set up" and refused.startswith("veche is set up already, for Union ")
    with sessions() as session:
        assert len(session.scalars(select(Organization)).all()) == 1
        assert len(session.scalars(select(User)).all()) == 1
