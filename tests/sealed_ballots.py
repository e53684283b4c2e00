"""A secret decision with ballots cast, and what an attacker with the database would look
for in its files: every sealed ballot and the poll's wrapped key."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.actions.test_poll_guarantees import _open_decision
from tests.assembly import client_key
from tests.helpers import voter
from veche.actions.ballots import SentBallot, do_cast_ballot
from veche.db import transaction
from veche.models import Participation, PollSecret


def cast_sealed(sessions: sessionmaker[Session], voters: int = 5) -> tuple[int, list[bytes], bytes]:
    """A decision open with ``voters`` ballots cast: its id, its sealed ballots and its
    wrapped key, as stored."""
    poll_id, members, yes = _open_decision(sessions)
    for person_id in members[:voters]:
        with transaction(sessions) as session:
            do_cast_ballot(
                session, voter(person_id), SentBallot(poll_id, {"option": yes}, client_key())
            )
    with sessions() as session:
        sealed = session.scalars(
            select(Participation.sealed).where(Participation.poll_id == poll_id)
        ).all()
        secret = session.get(PollSecret, poll_id)
        assert secret is not None and len(sealed) == voters and all(sealed)
        return poll_id, [copy for copy in sealed if copy], secret.wrapped_key
