"""`veche init`: a real organization and its first secretary from the command line, by flags
or by prompts; bad input exits 2 and changes nothing; a second set-up is refused."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from tests.helpers import row_counts
from veche import cli
from veche.actions.access import Caller, holds
from veche.actions.actor import Actor
from veche.actions.auth import check_password
from veche.actions.journal import verify_journal
from veche.actions.journal_actions import JournalAction
from veche.models import JournalEntry, Organization, User
from veche.permissions import Permission

runner = CliRunner()
PASSPHRASE = "the first secretary's passphrase"


def _counts(sessions: sessionmaker[Session]) -> tuple[int, ...]:
    return row_counts(sessions, Organization, User, JournalEntry)


def _init(database_url: str, *args: str, input: str | None = None) -> tuple[int, str]:
    result = runner.invoke(cli.app, ["init", "--db", database_url, *args], input=input)
    return result.exit_code, result.output


def test_flags_set_up_the_organization_and_its_administrator(
    database_url: str, sessions: sessionmaker[Session]
) -> None:
    code, output = _init(
        database_url,
        "--organization",
        "Union of Rail Workers",
        "--short-name",
        "URW",
        "--username",
        "Secretary",
        "--password",
        PASSPHRASE,
    )
    assert code == 0, output
    assert "Set up Union of Rail Workers" in output and "'secretary'" in output
    with sessions() as session:
        organization = session.scalars(select(Organization)).one()
        assert (organization.name, organization.short_name) == ("Union of Rail Workers", "URW")
        user = session.scalars(select(User)).one()
        chief = Caller(Actor(user.id, user.username), None, False, organization.id)
        for permission in (Permission.ORGANIZATION_MANAGE, Permission.ACCOUNTS_MANAGE):
            assert holds(session, chief, permission, organization.id)
        journaled = session.execute(
            select(JournalEntry.action, JournalEntry.actor_name).order_by(JournalEntry.seq)
        ).all()
        assert verify_journal(session).holds
    assert journaled == [
        (JournalAction.CREATE_ORGANIZATION, "system: veche init"),
        (JournalAction.CREATE_USER, "system: veche init"),
        (JournalAction.GRANT_ROLE, "system: veche init"),
    ]
    assert check_password(sessions, "secretary", PASSPHRASE).user_id == user.id

    again, refusal = _init(
        database_url,
        "--organization",
        "Another Union",
        "--username",
        "usurper",
        "--password",
        PASSPHRASE,
    )
    assert again == 2 and "set up already, for Union of Rail Workers" in refusal
    assert _counts(sessions) == (1, 1, 3)


def test_at_a_terminal_it_asks_and_asks_again_for_a_weak_password(
    database_url: str, sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli, "_at_a_terminal", lambda: True)
    answers = ["Union of Dockers", "", "harbour-master", "short", PASSPHRASE, PASSPHRASE]
    code, output = _init(database_url, input="\n".join(answers) + "\n")
    assert code == 0, output
    assert "The organization's full name:" in output and "Their password:" in output
    assert "at least 12 characters" in output  # why "short" was asked again
    assert PASSPHRASE not in output  # typed unseen
    with sessions() as session:
        organization = session.scalars(select(Organization)).one()
        assert (organization.name, organization.short_name) == ("Union of Dockers", None)
        assert session.scalars(select(User.username)).one() == "harbour-master"


def test_at_a_terminal_given_flags_are_not_asked_again(
    database_url: str, sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli, "_at_a_terminal", lambda: True)
    monkeypatch.setenv("VECHE_INIT_PASSWORD", PASSPHRASE)
    code, output = _init(database_url, "--organization", "Union of Bakers", input="UB\nbaker\n")
    assert code == 0, output
    assert "full name" not in output and "Their password" not in output
    assert check_password(sessions, "baker", PASSPHRASE)


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["--organization", "Union"], "give --organization, --username and --password"),
        (
            ["--organization", "Union", "--username", "chief", "--password", "too short"],
            "at least 12 characters",
        ),
        (
            ["--organization", "Union", "--username", "chief", "--password", "password123456"],
            "most common",
        ),
        (
            ["--organization", "   ", "--username", "chief", "--password", PASSPHRASE],
            "the organization's name must not be empty",
        ),
        (
            ["--organization", "Union", "--username", "", "--password", PASSPHRASE],
            "--username: String should have at least 1 character",
        ),
        (
            [
                *("--organization", "Union", "--short-name", "U" * 41),
                *("--username", "chief", "--password", PASSPHRASE),
            ],
            "--short-name: String should have at most 40 characters",
        ),
    ],
)
def test_bad_input_exits_2_saying_why_and_creates_nothing(
    database_url: str, sessions: sessionmaker[Session], args: list[str], reason: str
) -> None:
    code, output = _init(database_url, *args)
    assert code == 2 and reason in output, output
    assert _counts(sessions) == (0, 0, 0)
