"""The server key file (``VECHE_KEY_FILE``) is checked before veche serves: a file that cannot
be used ends ``veche serve`` on one line (exit 2), a new key is never made while open secret
polls hold keys only the old one unwraps, and a poll opened under a key file gone bad is
refused with a message, its cause in the server's log, never a 500."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from tests.actions.test_poll_guarantees import _open_decision
from tests.assembly import Assembly
from veche.cli import app
from veche.sealing import load_server_key

#: The tests on a database start from the demo organization (see tests/conftest.py); what
#: they check does not depend on the kind of database.
pytestmark = pytest.mark.demo
ON_SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

runner = CliRunner()

#: A key file's folder that cannot be made: /proc takes no new folders, even from root.
UNMAKEABLE = Path("/proc/veche-nowhere/veche.key")


def _serve(database_url: str, key_file: Path, *command: str) -> tuple[int, str]:
    result = runner.invoke(
        app,
        [*(command or ("serve", "--get", "/api/health")), "--db", database_url],
        env={"VECHE_KEY_FILE": str(key_file)},
    )
    return result.exit_code, result.output


def _garbage(tmp_path: Path) -> Path:
    (tmp_path / "veche.key").write_text("not a key\n")
    return tmp_path / "veche.key"


def _folder(tmp_path: Path) -> Path:
    return tmp_path


@pytest.mark.parametrize(
    ("make", "said"),
    [
        (_garbage, "does not hold a veche server key"),
        (_folder, "is a folder"),
        (lambda _: UNMAKEABLE, "cannot make the server key file"),
    ],
    ids=["garbage", "folder", "unmakeable"],
)
@ON_SQLITE
def test_a_key_file_that_cannot_be_used_stops_the_server_on_one_line(
    database_url: str, tmp_path: Path, make: Callable[[Path], Path], said: str
) -> None:
    key_file = make(tmp_path)
    code, output = _serve(database_url, key_file)
    assert code == 2, output
    assert output.startswith("Error: ") and said in output and str(key_file) in output
    assert output.count("\n") == 1 and "Traceback" not in output


def test_the_demo_whose_meeting_opens_secret_polls_checks_the_key_file_too(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'new.sqlite3'}"
    assert runner.invoke(app, ["migrate", "--db", url]).exit_code == 0
    code, output = _serve(url, _garbage(tmp_path), "demo")
    assert code == 2 and "does not hold a veche server key" in output, output
    assert output.count("\n") == 1


@ON_SQLITE
def test_no_new_key_is_made_while_open_secret_polls_hold_keys_of_the_old_one(
    database_url: str, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    """As when a server is started from another folder than its own: it looks for veche.key
    there, and a new key made there would open none of the ballots already sealed."""
    poll_id, _members, _yes = _open_decision(sessions)
    database_folder = Path(database_url.removeprefix("sqlite:///")).parent
    (database_folder / "veche.key").write_text("a file beside the database\n")
    elsewhere = tmp_path / "elsewhere" / "veche.key"
    code, output = _serve(database_url, elsewhere)
    assert code == 2, output
    assert f"no server key file at {elsewhere}" in output
    assert f"poll {poll_id}" in output and "set VECHE_KEY_FILE to that file" in output
    assert f"there is one beside the database: {database_folder / 'veche.key'}" in output
    assert output.count("\n") == 1
    assert not elsewhere.exists()


@ON_SQLITE
def test_a_key_that_sealed_none_of_the_open_polls_is_warned_of(
    database_url: str, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    """Served all the same, so that the chair can cancel polls whose key is lost for good."""
    poll_id, _members, _yes = _open_decision(sessions)
    another = tmp_path / "another.key"
    load_server_key(another)
    code, output = _serve(database_url, another)
    assert code == 0, output
    assert f"Warning: the server key in {another} did not seal poll {poll_id}" in output


@ON_SQLITE
def test_a_key_file_others_may_read_is_warned_of(database_url: str, tmp_path: Path) -> None:
    """Served all the same (the operator decides), but said: with a copy of the database, the
    key file opens secret ballots. One made by veche is its user's alone."""
    key_file = tmp_path / "veche.key"
    code, output = _serve(database_url, key_file)
    assert code == 0 and "may be read by others" not in output, output
    assert key_file.stat().st_mode & 0o777 == 0o600
    key_file.chmod(0o644)
    code, output = _serve(database_url, key_file)
    assert code == 0, output
    assert f"Warning: the server key file {key_file} may be read by others" in output


@ON_SQLITE
def test_with_no_open_secret_poll_a_missing_key_file_is_made_before_serving(
    database_url: str, tmp_path: Path
) -> None:
    key_file = tmp_path / "keys" / "veche.key"
    code, output = _serve(database_url, key_file)
    assert code == 0, output
    assert len(bytes.fromhex(key_file.read_text().strip())) == 32


@ON_SQLITE
@pytest.mark.parametrize("bad", ["folder", "unmakeable"])
def test_opening_a_poll_under_a_key_file_gone_bad_is_refused_without_a_500(
    assembly: Assembly,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    bad: str,
) -> None:
    """The file went bad while the server ran (checked at its start): the chair is told what
    happened and whom to tell; the path and the cause go to the operator's log alone."""
    key_file = tmp_path if bad == "folder" else UNMAKEABLE
    monkeypatch.setenv("VECHE_KEY_FILE", str(key_file))
    poll = assembly.create_poll(title="Adopt the budget", kind="decision", secrecy="secret")
    with caplog.at_level(logging.ERROR, logger="veche.sealing"):
        answer = assembly.client.post(
            f"/api/polls/{poll['id']}/open",
            json={"day": assembly.day.isoformat()},
            headers=assembly.secretary,
        )
    assert answer.status_code == 503, answer.text
    detail = answer.json()["detail"]
    assert "cannot use its key for secret ballots" in detail and "operator" in detail
    assert str(key_file) not in answer.text
    assert [str(key_file) in record.getMessage() for record in caplog.records] == [True]
    monkeypatch.undo()
    assembly.open(int(poll["id"]))  # with the key file mended, the poll opens
