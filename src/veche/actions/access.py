"""Who is calling, what they may do, and the helpers that load guarded rows only for those
allowed to see them.

What a caller may do is data (``veche.permissions``): the permissions of the roles they hold
in a scope or in a scope enclosing it, read in one query and remembered for the rest of the
transaction. Every action asks ``authorize`` for the permission it needs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    cast,
    event,
    exists,
    false,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Session

from veche.actions.actor import Actor
from veche.errors import Forbidden, NotFound
from veche.models import (
    Body,
    Meeting,
    Membership,
    Organization,
    Panel,
    PanelChair,
    Participant,
    Person,
    Poll,
    Role,
    RoleGrant,
    RolePermission,
    Term,
    Unit,
)
from veche.models.base import MAX_INT, Base
from veche.models.polls import PollState
from veche.permissions import ADMINISTRATOR, Permission, Scope

_KNOWN = {permission.value: permission for permission in Permission}
#: What a panel's chair may do for the panel, which no role grants: what this permission lets
#: the meeting's chair and secretary do there (``panels.require_panel_chair``). Whoever gives
#: a panel's chair a way in must hold it in the panel's meeting (``reach_of``).
PANEL_CHAIR_PERMISSION = Permission.MOTIONS_MANAGE


@dataclass(frozen=True)
class Caller:
    """An authenticated caller: the journal's actor and their person (if any).

    ``unrestricted`` is the operator's own command (the CLI, the demo loader): it may do
    everything, as whoever runs the server can anyway. Everyone else holds what their roles grant.

    ``card_meeting_id`` is the meeting of the access card a page login was made with: such a
    caller acts only as its holder's place and office in that meeting, never with the
    person's grants nor in another meeting. The meeting's chair or secretary prints cards for
    whomever they invite, so a card must not carry more than that invitation gives.
    """

    actor: Actor
    person_id: int | None
    unrestricted: bool
    organization_id: int | None
    card_meeting_id: int | None = None


def participant_of(session: Session, meeting_id: int, person_id: int | None) -> Participant | None:
    if person_id is None:
        return None
    return session.scalar(
        select(Participant).where(
            Participant.meeting_id == meeting_id, Participant.person_id == person_id
        )
    )


# --- What a caller holds -------------------------------------------------------------------

_CACHE = "veche.permissions"
#: Rows whose change can change what someone may do: the cache is dropped when one is written.
_GRANTING = (Participant, Role, RolePermission, RoleGrant)
#: A participant holds the roles named after their place and their office (``Role.name``
#: against the ``Participant`` row a query reads).
_ROLE_BY_PLACE = or_(
    cast(Participant.role, String) == Role.name,
    cast(Participant.office, String) == Role.name,
)


def held_permissions(
    session: Session, caller: Caller, scope: Scope, scope_id: int
) -> frozenset[Permission]:
    """The permissions ``caller`` holds in one scope: through grants in it or in a scope that
    encloses it, and, in a meeting, through their place and office in it."""
    if caller.unrestricted:
        return frozenset(Permission)
    key = (caller.actor.user_id, caller.person_id, caller.card_meeting_id, scope, scope_id)
    remembered: dict[tuple[Any, ...], frozenset[Permission]] = session.info.setdefault(_CACHE, {})
    if key not in remembered:
        remembered[key] = _read_permissions(session, caller, scope, scope_id)
    return remembered[key]


def holds(session: Session, caller: Caller, permission: Permission, scope_id: int) -> bool:
    """Whether ``caller`` holds ``permission`` in the scope it is asked in (``permission.scope``)."""
    return permission in held_permissions(session, caller, permission.scope, scope_id)


def authorize(session: Session, caller: Caller, permission: Permission, scope_id: int) -> None:
    """Refuse (403) unless ``caller`` holds ``permission`` in the scope named by ``scope_id``."""
    if not holds(session, caller, permission, scope_id):
        raise Forbidden(refusal(session, permission, scope_id))


def units_holding(
    session: Session, caller: Caller, permission: Permission, organization_id: int
) -> set[int] | None:
    """The units of an organization in which ``caller`` holds a unit's ``permission``, as
    ``holds`` asks it of each (a grant in a unit holds in the units below it): read with one
    query for the grants and one for the tree, where asking unit by unit would read once a
    unit. None for every unit: an unrestricted caller, or a grant for the whole organization."""
    assert permission.scope is Scope.UNIT
    if caller.unrestricted:
        return None
    holder = _grants_held(caller)
    if not holder:
        return set()
    granting = select(RolePermission.role_id).where(RolePermission.permission == permission.value)
    grants = session.execute(
        select(RoleGrant.scope, RoleGrant.scope_id).where(
            or_(*holder),
            RoleGrant.role_id.in_(granting),
            or_(
                and_(RoleGrant.scope == Scope.ORGANIZATION, RoleGrant.scope_id == organization_id),
                RoleGrant.scope == Scope.UNIT,
            ),
        )
    ).all()
    if any(scope is Scope.ORGANIZATION for scope, _ in grants):
        return None
    below: dict[int | None, list[int]] = {}
    for unit_id, parent_id in session.execute(
        select(Unit.id, Unit.parent_id).where(Unit.organization_id == organization_id)
    ):
        below.setdefault(parent_id, []).append(unit_id)
    known = {unit for units in below.values() for unit in units}
    reached: set[int] = set()
    waiting = [scope_id for _, scope_id in grants if scope_id in known]
    while waiting:
        unit = waiting.pop()
        if unit not in reached:
            reached.add(unit)
            waiting.extend(below.get(unit, ()))
    return reached


def person_holds(session: Session, person_id: int, permission: Permission, meeting_id: int) -> bool:
    """Whether a person (not the caller: e.g. the proposer named in an amendment) holds a
    permission in a meeting."""
    as_person = Caller(Actor(None, ""), person_id, False, None)
    return holds(session, as_person, permission, meeting_id)


def _grants_held(caller: Caller) -> list[ColumnElement[bool]]:
    """Conditions that pick the role grants the caller holds: those to their account and
    those to their person, either of which they may lack; none for a login by access card."""
    holder: list[ColumnElement[bool]] = []
    if caller.card_meeting_id is not None:
        return holder
    if caller.actor.user_id is not None:
        holder.append(RoleGrant.user_id == caller.actor.user_id)
    if caller.person_id is not None:
        holder.append(RoleGrant.person_id == caller.person_id)
    return holder


def _read_permissions(
    session: Session, caller: Caller, scope: Scope, scope_id: int
) -> frozenset[Permission]:
    holder = _grants_held(caller)
    in_place = _in_place(caller, scope, scope_id)
    if not holder and not in_place:
        return frozenset()
    granted: ColumnElement[bool] = false()
    if holder:
        granted = Role.id.in_(
            select(RoleGrant.role_id).where(or_(*holder), _grant_reaches(scope, scope_id))
        )
    by_place: ColumnElement[bool] = false()
    if in_place:
        by_place = exists().where(
            Participant.meeting_id == scope_id,
            Participant.person_id == caller.person_id,
            _ROLE_BY_PLACE,
        )
    query = (
        select(RolePermission.permission)
        .distinct()
        .join(Role, Role.id == RolePermission.role_id)
        .where(or_(granted, by_place))
    )
    return frozenset(_KNOWN[name] for name in session.scalars(query) if name in _KNOWN)


def _in_place(caller: Caller, scope: Scope, scope_id: int) -> bool:
    """Whether the caller's place and office in a meeting count in ``scope``: in a meeting,
    for a person, and for a login by access card only in the card's meeting."""
    return (
        scope is Scope.MEETING
        and caller.person_id is not None
        and caller.card_meeting_id in (None, scope_id)
    )


def _grant_reaches(scope: Scope, scope_id: int) -> ColumnElement[bool]:
    """Grants in the scope or in a scope around it: a meeting lies in its term's body, a body
    and a unit in the organization, and a unit in the units above it (a grant for a region
    holds in its branches)."""
    here = and_(RoleGrant.scope == scope, RoleGrant.scope_id == scope_id)
    if scope is Scope.ORGANIZATION:
        return here
    if scope is Scope.MEETING:
        body = (
            select(Term.body_id)
            .join(Meeting, Meeting.term_id == Term.id)
            .where(Meeting.id == scope_id)
            .scalar_subquery()
        )
        return or_(
            here,
            _in_body(body),
            _in_organization(select(Body.organization_id).where(Body.id == body)),
        )
    if scope is Scope.BODY:
        return or_(here, _in_organization(select(Body.organization_id).where(Body.id == scope_id)))
    tree = (
        select(Unit.id, Unit.parent_id).where(Unit.id == scope_id).cte("unit_tree", recursive=True)
    )
    above = tree.union_all(select(Unit.id, Unit.parent_id).where(Unit.id == tree.c.parent_id))
    return or_(
        and_(RoleGrant.scope == Scope.UNIT, RoleGrant.scope_id.in_(select(above.c.id))),
        _in_organization(select(Unit.organization_id).where(Unit.id == scope_id)),
    )


def _in_body(body_id: Any) -> ColumnElement[bool]:
    return and_(RoleGrant.scope == Scope.BODY, RoleGrant.scope_id == body_id)


def _in_organization(organization_id: Select[Any]) -> ColumnElement[bool]:
    return and_(
        RoleGrant.scope == Scope.ORGANIZATION,
        RoleGrant.scope_id == organization_id.scalar_subquery(),
    )


@event.listens_for(Session, "after_flush")
def _forget_on_change(session: Session, _context: object) -> None:
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(row, _GRANTING) for row in changed):
        session.info.pop(_CACHE, None)


@event.listens_for(Session, "after_transaction_end")
def _forget_at_end(session: Session, _transaction: object) -> None:
    # Another transaction may have changed the grants meanwhile.
    session.info.pop(_CACHE, None)


def refusal(session: Session, permission: Permission, scope_id: int) -> str:
    """Why a caller without ``permission`` is refused, naming the roles that grant it: "only a
    chair or a secretary of meeting 3, or an administrator, may create, open … polls"."""
    if permission is Permission.MEETING_SEE:
        return f"you are not a participant of meeting {scope_id}"
    roles = session.execute(
        select(Role.name, Role.label)
        .join(RolePermission, RolePermission.role_id == Role.id)
        .where(RolePermission.permission == permission.value)
        .order_by(Role.id)
    ).all()
    local = [with_article(label or name) for name, label in roles if name != ADMINISTRATOR]
    by_administrator = any(name == ADMINISTRATOR for name, _label in roles)
    doing = permission.description
    if not local:
        return f"only {'an administrator' if by_administrator else 'no one at present'} may {doing}"
    named = local[0] if len(local) == 1 else ", ".join(local[:-1]) + f" or {local[-1]}"
    # A role held in one meeting does not reach the organization's or a body's business: the
    # refusal says where the role is needed, so that a meeting's chair is not told "a chair".
    elsewhere = "a role held in one meeting is not enough"
    where = {
        Scope.MEETING: f" of meeting {scope_id}",
        Scope.ORGANIZATION: f" for the whole organization ({elsewhere})",
    }
    if permission.scope is Scope.UNIT:
        unit = session.scalar(select(Unit.name).where(Unit.id == scope_id))
        where[Scope.UNIT] = f" of {unit}" if unit is not None else f" of unit {scope_id}"
    if permission.scope is Scope.BODY:
        body = session.scalar(select(Body.name).where(Body.id == scope_id))
        named_body = f"the {body}" if body is not None else f"body {scope_id}"
        where[Scope.BODY] = f" of {named_body} or the whole organization ({elsewhere})"
    administrator = ", or an administrator," if by_administrator else ""
    return f"only {named}{where.get(permission.scope, '')}{administrator} may {doing}"


def with_article(label: str) -> str:
    """'a teller', 'an alternate member'."""
    noun = label.lower()
    return ("an " if noun[:1] in "aeiou" else "a ") + noun


# --- Rows guarded by the meeting they belong to --------------------------------------------


def could_be_stored(row_id: int) -> bool:
    """Whether a number could be a row's id: others (a client's 2**63) would make the database
    driver fail before the database could answer that there is no such row."""
    return 1 <= row_id <= MAX_INT


def access_meeting(
    session: Session,
    caller: Caller,
    meeting_id: int,
    *,
    needs: Permission = Permission.MEETING_SEE,
) -> Meeting:
    """A meeting the caller may see (``meeting.see``: its participants, and those granted it);
    a view that shows one permission's controls (the chair's console) ``needs`` that too."""
    meeting = stored_row(session, Meeting, meeting_id)
    if meeting is None:
        raise NotFound(f"there is no meeting {meeting_id}")
    authorize(session, caller, Permission.MEETING_SEE, meeting_id)
    if needs is not Permission.MEETING_SEE:
        authorize(session, caller, needs, meeting_id)
    return meeting


def access_poll(session: Session, caller: Caller, poll_id: int, *, lock: bool = False) -> Poll:
    """A poll of a meeting the caller may see; ``lock`` takes the row for a change of state."""
    query = select(Poll).where(Poll.id == poll_id)
    if lock:
        query = query.with_for_update()
    poll = session.scalar(query) if could_be_stored(poll_id) else None
    if poll is None:
        raise NotFound(f"there is no poll {poll_id}")
    access_meeting(session, caller, poll.meeting_id)
    return poll


Row = TypeVar("Row", bound=Base)


def access_row(
    session: Session,
    caller: Caller,
    model: type[Row],
    row_id: int,
    what: str,
    *,
    lock: bool = False,
) -> Row:
    """A row that belongs to a meeting (by its ``meeting_id``) the caller may see; ``lock``
    takes the row for a change of state."""
    row = stored_row(session, model, row_id, lock=lock)
    if row is None:
        raise NotFound(f"there is no {what} {row_id}")
    access_meeting(session, caller, row.meeting_id)  # type: ignore[attr-defined]
    return row


def stored_row(
    session: Session, model: type[Row], row_id: int, *, lock: bool = False
) -> Row | None:
    """The row by its id; None for a number no row could have (a client's 2**63, which would
    make the database driver fail before the database could answer)."""
    if not could_be_stored(row_id):
        return None
    return session.get(model, row_id, with_for_update=lock or None)


def access_meeting_row(
    session: Session,
    caller: Caller,
    model: type[Row],
    row_id: int,
    meeting_id: int,
    what: str,
) -> Row:
    """A row of the meeting an address names (``/meetings/3/polls/9``), for one who may see
    the meeting. The meeting is asked first, so that one who may not see it is refused (403)
    whatever row they name, rather than told which rows exist (404). It is read to be shown,
    never locked: an action reads the rows it changes with its ``check_*`` (``meeting_row``)."""
    access_meeting(session, caller, meeting_id)
    return meeting_row(session, model, row_id, meeting_id, what)


def meeting_row(
    session: Session,
    model: type[Row],
    row_id: int,
    meeting_id: int,
    what: str,
    *,
    lock: bool = False,
) -> Row:
    """A row of a meeting (by its ``meeting_id``), for a caller already authorized there;
    404 ("meeting 3 has no poll 9") when there is no such row or it is another meeting's.
    Actions' ``check_*`` read the rows they act on with it once they have asked
    ``authorize``, so that a refusal never depends on the id named."""
    row = stored_row(session, model, row_id, lock=lock)
    if row is None or row.meeting_id != meeting_id:  # type: ignore[attr-defined]
        raise NotFound(f"meeting {meeting_id} has no {what} {row_id}")
    return row


def caller_organization(session: Session, caller: Caller) -> Organization:
    """The organization the caller's account or person belongs to (what they may do in it is
    the actions' to ask)."""
    organization = (
        session.get(Organization, caller.organization_id)
        if caller.organization_id is not None
        else None
    )
    if organization is None:
        raise NotFound("your account belongs to no organization")
    return organization


def manage_organization(session: Session, caller: Caller) -> Organization:
    """The caller's organization, for changing its records (``organization.manage``)."""
    organization = caller_organization(session, caller)
    authorize(session, caller, Permission.ORGANIZATION_MANAGE, organization.id)
    return organization


OrganizationRow = TypeVar("OrganizationRow", Body, Membership, Person, Term, Unit)


def organization_row(
    session: Session, caller: Caller, model: type[OrganizationRow], row_id: int, what: str
) -> OrganizationRow:
    """A body, seat, person, term or unit of the caller's organization by id; 404 for another
    organization's. Whether the caller may change it is the action's to ask."""
    organization = caller_organization(session, caller)
    row = stored_row(session, model, row_id)
    if row is None or _organization_of(row) != organization.id:
        raise NotFound(f"there is no {what} {row_id}")
    return row


def _organization_of(row: Body | Membership | Person | Term | Unit) -> int:
    if isinstance(row, Term):
        return row.body.organization_id
    if isinstance(row, Membership):
        return row.person.organization_id
    return row.organization_id


def may_see_result(session: Session, caller: Caller, poll: Poll) -> bool:
    """Everyone sees a published result; those with ``results.see_closed`` see it once closed."""
    return result_visible(
        poll.state, holds(session, caller, Permission.RESULTS_SEE_CLOSED, poll.meeting_id)
    )


def result_visible(state: PollState, sees_closed: bool) -> bool:
    """A published result is everyone's; a closed one only theirs who may see it before then."""
    return state is PollState.PUBLISHED or (state is PollState.CLOSED and sees_closed)


def check_sees_result(session: Session, caller: Caller, poll: Poll, shown: str) -> None:
    """Refuse (403) what tells a poll's result to a caller who may not see the result
    (``may_see_result``): the result itself, a named poll's roll-call, and the bulletin
    board and its ballot file, from which anyone can count it. ``shown`` says what is asked
    for ("the ballots of poll 7 are shown"); the refusal adds when it will be."""
    sees_closed = holds(session, caller, Permission.RESULTS_SEE_CLOSED, poll.meeting_id)
    if result_visible(poll.state, sees_closed):
        return
    if poll.state is PollState.CANCELLED:
        raise Forbidden(f"poll {poll.id} was cancelled: it has no result and no ballots to show")
    when = "once it is closed" if sees_closed else "once it is published"
    raise Forbidden(f"{shown} {when}")


def may_see_meeting(caller: Caller) -> ColumnElement[bool]:
    """A condition on ``Meeting``: the meetings ``caller`` may see (``meeting.see`` through
    their place in it or a grant reaching it), for lists of meetings."""
    if caller.unrestricted:
        return true()
    sees = select(RolePermission.role_id).where(
        RolePermission.permission == Permission.MEETING_SEE.value
    )
    by_place: ColumnElement[bool] = (
        exists().where(
            Participant.meeting_id == Meeting.id,
            Participant.person_id == caller.person_id,
            Role.id.in_(sees),
            _ROLE_BY_PLACE,
        )
        if caller.person_id is not None
        else false()
    )
    if caller.card_meeting_id is not None:
        by_place = and_(Meeting.id == caller.card_meeting_id, by_place)
    holder = _grants_held(caller)
    if not holder:
        return by_place
    # Correlated by name: nested in EXISTS, the subquery would otherwise read every meeting
    # (on PostgreSQL an error once there are two, on SQLite the first meeting's body).
    body = (
        select(Term.body_id).where(Term.id == Meeting.term_id).correlate(Meeting).scalar_subquery()
    )
    organization = select(Body.organization_id).where(Body.id == body).scalar_subquery()
    by_grant = exists().where(
        or_(*holder),
        RoleGrant.role_id.in_(sees),
        or_(
            and_(RoleGrant.scope == Scope.MEETING, RoleGrant.scope_id == Meeting.id),
            and_(RoleGrant.scope == Scope.BODY, RoleGrant.scope_id == body),
            and_(RoleGrant.scope == Scope.ORGANIZATION, RoleGrant.scope_id == organization),
        ),
    )
    return or_(by_place, by_grant)


def reach_of(
    session: Session, *, user_id: int | None, person_id: int | None
) -> dict[tuple[Scope, int], set[Permission]]:
    """What an account and its person (or a person alone) may do, scope by scope: the roles
    granted to either, anywhere, the person's places and offices in meetings, and the panels
    they chair (as ``PANEL_CHAIR_PERMISSION`` in the panel's meeting). Whoever gives them a
    way in (a password, a token) must hold as much (``actions/accounts.py``)."""
    holder = []
    if user_id is not None:
        holder.append(RoleGrant.user_id == user_id)
    if person_id is not None:
        holder.append(RoleGrant.person_id == person_id)
    reach: dict[tuple[Scope, int], set[Permission]] = {}
    if not holder:
        return reach
    granted = (
        select(RoleGrant.scope, RoleGrant.scope_id, RolePermission.permission)
        .join(RolePermission, RolePermission.role_id == RoleGrant.role_id)
        .where(or_(*holder))
    )
    rows = [(scope, scope_id, name) for scope, scope_id, name in session.execute(granted)]
    if person_id is not None:
        by_place = (
            select(Participant.meeting_id, RolePermission.permission)
            .join(Role, _ROLE_BY_PLACE)
            .join(RolePermission, RolePermission.role_id == Role.id)
            .where(Participant.person_id == person_id)
        )
        rows += [(Scope.MEETING, meeting, name) for meeting, name in session.execute(by_place)]
        chaired = (
            select(Panel.meeting_id)
            .join(PanelChair, PanelChair.panel_id == Panel.id)
            .where(PanelChair.person_id == person_id)
            .distinct()
        )
        rows += [
            (Scope.MEETING, meeting, PANEL_CHAIR_PERMISSION.value)
            for meeting in session.scalars(chaired)
        ]
    for scope, scope_id, name in rows:
        if name in _KNOWN:
            reach.setdefault((Scope(scope), scope_id), set()).add(_KNOWN[name])
    return reach


def meeting_permissions(session: Session, caller: Caller, meeting_id: int) -> frozenset[str]:
    """The names of the permissions the caller holds in a meeting: pages show each control to
    those who hold the permission its action asks for."""
    return frozenset(p.value for p in held_permissions(session, caller, Scope.MEETING, meeting_id))


#: Callers whose permissions ``meeting_permissions_of_many`` reads with one query each: ids
#: enough for a handful of statements, few enough parameters for any database.
_CALLERS_AT_ONCE = 500


def meeting_permissions_of_many(
    session: Session, callers: Sequence[Caller], meeting_id: int
) -> list[frozenset[str]]:
    """``meeting_permissions`` of each caller, for many callers of one meeting (a hall's
    thousands, after a change of who may do what in it): the same rule as ``_read_permissions``
    asks in the meeting's scope — the roles granted to the caller's account or person in a
    scope that reaches the meeting, and those named after their place and office in it (a
    login by access card: only those, and only in its card's meeting) — read
    with two queries for each ``_CALLERS_AT_ONCE`` callers and one for what the roles grant,
    where asking caller by caller reads once a caller."""
    users = sorted({c.actor.user_id for c in callers if c.actor.user_id is not None})
    persons = sorted({c.person_id for c in callers if c.person_id is not None})
    of_user: dict[int, set[int]] = {}
    of_person: dict[int, set[int]] = {}
    of_place: dict[int, set[int]] = {}
    reaches = _grant_reaches(Scope.MEETING, meeting_id)
    for start in range(0, max(len(users), len(persons)), _CALLERS_AT_ONCE):
        some_users = users[start : start + _CALLERS_AT_ONCE]
        some_persons = persons[start : start + _CALLERS_AT_ONCE]
        granted = session.execute(
            select(RoleGrant.user_id, RoleGrant.person_id, RoleGrant.role_id).where(
                or_(RoleGrant.user_id.in_(some_users), RoleGrant.person_id.in_(some_persons)),
                reaches,
            )
        )
        for user_id, person_id, role_id in granted:
            if user_id is not None:
                of_user.setdefault(user_id, set()).add(role_id)
            if person_id is not None:
                of_person.setdefault(person_id, set()).add(role_id)
        by_place = session.execute(
            select(Participant.person_id, Role.id)
            .join(Role, _ROLE_BY_PLACE)
            .where(Participant.meeting_id == meeting_id, Participant.person_id.in_(some_persons))
        )
        for person_id, role_id in by_place:
            of_place.setdefault(person_id, set()).add(role_id)
    held: set[int] = set().union(*of_user.values(), *of_person.values(), *of_place.values())
    grants: dict[int, set[str]] = {}
    if held:
        for role_id, name in session.execute(
            select(RolePermission.role_id, RolePermission.permission).where(
                RolePermission.role_id.in_(sorted(held))
            )
        ):
            if name in _KNOWN:
                grants.setdefault(role_id, set()).add(name)
    everything = frozenset(p.value for p in Permission)
    found = []
    for caller in callers:
        roles: set[int] = set()
        if caller.actor.user_id is not None and caller.card_meeting_id is None:
            roles |= of_user.get(caller.actor.user_id, set())
        if caller.person_id is not None and caller.card_meeting_id is None:
            roles |= of_person.get(caller.person_id, set())
        if caller.person_id is not None and _in_place(caller, Scope.MEETING, meeting_id):
            roles |= of_place.get(caller.person_id, set())
        may = frozenset(name for role in roles for name in grants.get(role, ()))
        found.append(everything if caller.unrestricted else may)
    return found
