"""An open poll's secrecy, checked before each ballot is sealed against a database changed
behind veche's back.

A secret poll's ballots are sealed with the public key stored beside the poll
(``poll.seal_key``), and only the holder of the server key file can open them
(``veche.sealing``). Someone who can write to the database but does not hold the key file
could otherwise put a public key of their own in that column, or empty it, or mark the poll
as named (roll-call), and read every ballot cast afterwards, with its voter. So before a
ballot is sealed, the poll's key is checked against the private key wrapped at its opening,
which no one can wrap without the server key; a poll that was sealed and now says it is
named is caught by what its opening left behind. A poll found changed takes no ballot.

The wrapped key is read at a poll's first ballot in each process, not at every ballot: the
count rewrites the table of wrapped keys whole (``veche.scrubbing``), under a lock that no
ballot then waits for.
"""

from __future__ import annotations

import logging

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from veche.actions.journal_actions import JournalAction
from veche.errors import Conflict
from veche.i18n import _
from veche.models import JournalEntry, Participation, Poll, PollSecret
from veche.models.polls import PollState, Secrecy
from veche.sealing import configured_server_key

log = logging.getLogger(__name__)

#: Said when a poll's secrecy is not as it was opened, to every voter, who can do nothing but
#: tell the officers; the operator reads the rest in the log of the refusal.
CHANGED = _(
    "“%(title)s” takes no ballot: its secrecy is not as it was opened (its key or its "
    "setting was changed in the database, not through veche), so a ballot cast now might "
    "not stay secret. Tell the meeting's officers: the poll should be cancelled and held again."
)


#: Said when the server's key file is not the one the poll was opened under: nothing is
#: wrong with the poll, but only the operator can put the right key file back.
OTHER_KEY = _(
    "“%(title)s” takes no ballot for now: this server cannot open the poll's ballots with "
    "the key it holds. Tell the operator who runs veche: the server's log says what to restore."
)


def check_poll_seal(session: Session, poll: Poll) -> None:
    """Refuse (409) a ballot to an open electronic poll whose secrecy is not as it was
    opened: a secret poll whose public key is missing or is not the one its wrapped
    private key belongs to, or a poll that says it is named but was opened sealed or was
    created secret."""
    if not poll.electronic:
        return
    if poll.secrecy is Secrecy.NAMED:
        # A named poll is opened without a key (``do_open_poll``).
        if (
            poll.seal_key is not None
            or _sealed_before(session, poll)
            or _created_secret(session, poll)
        ):
            raise Conflict(CHANGED % {"title": poll.title})
        return
    server_key = configured_server_key() if poll.seal_key is not None else None
    if server_key is not None and server_key.vouches_for(poll.id, poll.seal_key):
        return
    secret = session.get(PollSecret, poll.id)
    if secret is None and _closed_since(session, poll):
        return  # its close deleted the key: the ballot is refused as to a poll closed
    if poll.seal_key is None or secret is None or server_key is None:
        raise Conflict(CHANGED % {"title": poll.title})
    public_key = server_key.public_key_of(secret.wrapped_key)
    if public_key is None:
        # The path is the operator's to read, in the log; voters and chairs are told whom to ask.
        log.warning(
            "poll %s takes no ballot: it was opened under another server key than the one in "
            "%s (its wrapped key does not open with it); restore the key file this server "
            "used when the poll was opened (VECHE_KEY_FILE)",
            poll.id,
            server_key.path,
        )
        raise Conflict(OTHER_KEY % {"title": poll.title})
    if public_key != poll.seal_key:
        raise Conflict(CHANGED % {"title": poll.title})
    server_key.vouch_for(poll.id, public_key)


def _closed_since(session: Session, poll: Poll) -> bool:
    """Whether the poll, read open, has been closed or cancelled since, which deletes its key:
    on PostgreSQL each statement reads what is committed when it runs, so a close committed
    between reading the poll and reading its key is seen here."""
    return session.scalar(select(Poll.state).where(Poll.id == poll.id)) is not PollState.OPEN


def _sealed_before(session: Session, poll: Poll) -> bool:
    """Whether a ballot of the poll was sealed: it was secret when that ballot came."""
    sealed = exists().where(Participation.poll_id == poll.id, Participation.sealed.is_not(None))
    return bool(session.scalar(select(sealed)))


def _created_secret(session: Session, poll: Poll) -> bool:
    """Whether the journal's entry of the poll's creation says it is secret (a poll's secrecy
    is never changed after): a poll marked named before its first ballot, its key deleted,
    is caught here, unless the journal was rewritten too, which ``veche verify`` finds."""
    said = session.scalar(
        select(JournalEntry.payload["secrecy"].as_string()).where(
            JournalEntry.action == JournalAction.CREATE_POLL,
            JournalEntry.payload["poll_id"].as_integer() == poll.id,
        )
    )
    return said == Secrecy.SECRET
