"""The command line: serve (the default), migrate, demo, init, import, verify, count, report."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from fastapi import FastAPI
from sqlalchemy import Engine
from sqlalchemy.orm import Session

import veche
from veche.actions._findings import listed
from veche.config import PORTS, SettingError, Settings, masked_text, masked_url, read_settings
from veche.db import make_engine, make_reader, make_sessionmaker, transaction
from veche.errors import VecheError
from veche.whole_numbers import signed_number, whole_number

if TYPE_CHECKING:
    from veche.actions._findings import Findings

app = typer.Typer(
    help="veche: meetings, votes and elections of a deliberative body.",
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Docstrings are wrapped at 100 columns; Markdown joins a paragraph's lines again.
    rich_markup_mode="markdown",
)
import_app = typer.Typer(help="Import records from files.", no_args_is_help=True)
app.add_typer(import_app, name="import")
export_app = typer.Typer(help="Export records to files.", no_args_is_help=True)
app.add_typer(export_app, name="export")

#: What each process of `veche serve --workers N` calls to build its application.
APP_FACTORY = "veche.web.app:app_from_settings"
#: How long a stopping server waits for the requests under way before it ends them. Live
#: event streams never end by themselves: the stopping signal ends them at once
#: (``veche.web.stopping``), and each page reconnects to another process, or to this one
#: restarted, and is sent what it missed.
STOP_WAIT_SECONDS = 5

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="Database URL; default: VECHE_DATABASE_URL or ./veche.sqlite3."),
]


def fail(message: str) -> NoReturn:
    """Report a user error on stderr and exit with code 2, as every veche command does."""
    typer.echo(f"Error: {message}", err=True)
    raise typer.Exit(2)


def _settings(db: str | None) -> Settings:
    try:
        settings = read_settings()
    except SettingError as error:
        fail(str(error))
    return settings.model_copy(update={"database_url": db}) if db else settings


def _cannot_open(settings: Settings, error: Exception) -> NoReturn:
    """Refuse a database that cannot be reached, on one line, its password masked."""
    from sqlalchemy.exc import DBAPIError

    cause = error.orig if isinstance(error, DBAPIError) and error.orig else error
    reason = masked_text(" ".join(str(cause).split()), settings.database_url)
    fail(f"cannot open the database {masked_url(settings.database_url)}: {reason}")


@contextmanager
def open_database(settings: Settings) -> Iterator[Engine]:
    """An engine on a migrated database, disposed of when the command ends.

    The embedded default is created and migrated on first use; any other
    database must be migrated explicitly, so that an operator decides when a
    production schema changes.
    """
    from veche import migrate

    try:
        engine = make_engine(settings.database_url)
        newer = migrate.unknown_revision(engine)
        up_to_date = migrate.is_up_to_date(engine)
    except Exception as error:  # a bad URL or an unreachable server
        _cannot_open(settings, error)
    try:
        if newer is not None:
            fail(migrate.newer_database(newer))
        if not up_to_date and settings.uses_embedded_default:
            _upgrade(engine, settings)
        elif not up_to_date:
            _refuse_unmigrated(settings)
        yield engine
    finally:
        engine.dispose()


def _upgrade(engine: Engine, settings: Settings) -> None:
    """Migrate the database to this veche's newest revision, or end the command saying why
    it could not (a file it may not write, a server that went away), the password masked."""
    from veche import migrate

    try:
        migrate.upgrade(engine)
    except Exception as error:
        reason = masked_text(" ".join(str(error).split()), settings.database_url)
        fail(f"cannot migrate {masked_url(settings.database_url)}: {reason}")


@contextmanager
def changing(db: str | None) -> Iterator[Session]:
    """One transaction on the database ``db`` names, committed when the block ends; a
    refusal on the way rolls it back and ends the command with its message (exit code 2)."""
    try:
        with (
            open_database(_settings(db)) as engine,
            transaction(make_sessionmaker(engine)) as session,
        ):
            yield session
    except VecheError as error:
        fail(error.message)


def _refuse_unmigrated(settings: Settings) -> NoReturn:
    shown = masked_url(settings.database_url)
    fail(
        f"the database {shown} is not migrated to this version of veche; "
        f"run: veche migrate --db '{shown}'"
    )


def _refuse_unwritable(engine: Engine, settings: Settings) -> None:
    """End ``veche serve`` on a database it cannot write to: served, it would answer every
    login, vote and change 503 (a read-only SQLite file, or a folder it cannot make the
    write-ahead log in; a read-only PostgreSQL role or standby)."""
    from veche import migrate

    problem = migrate.write_problem(engine)
    if problem is None:
        return
    where = (
        "the user veche runs as needs to write to the file and to its folder (for the "
        "write-ahead log beside it)"
        if engine.dialect.name == "sqlite"
        else "connect as a role that may write to it, to the primary server"
    )
    fail(
        f"cannot write to the database {masked_url(settings.database_url)} "
        f"({masked_text(problem, settings.database_url)}); veche writes to it to serve: {where}"
    )


def _check_server_key(session: Session, settings: Settings) -> None:
    """Before serving: the server key file (``VECHE_KEY_FILE``) is read, or made if missing,
    and a file that cannot be used ends the command naming it. A new key is never made while
    the database holds the keys of open secret polls, which only the old key unwraps: a
    server started from another folder would otherwise seal and count nothing of theirs."""
    from sqlalchemy import select

    from veche.models import PollSecret
    from veche.sealing import KeyFileError, load_server_key

    path = settings.key_file.expanduser().absolute()
    sealed = session.execute(select(PollSecret.poll_id, PollSecret.wrapped_key)).all()
    if sealed and not path.exists():
        polls = listed(f"poll {poll_id}" for poll_id, _ in sorted(sealed))
        fail(
            f"no server key file at {path} ({_key_file_source(settings)}), and the database "
            f"holds the sealed keys of open secret polls ({polls}), which only the key file "
            "the server used when they were opened unwraps: veche makes no new key in its "
            "place and does not start; set VECHE_KEY_FILE to that file"
            + _key_beside_database(settings, path)
        )
    try:
        key = load_server_key(path)
    except KeyFileError as error:
        fail(str(error))
    if key.path.stat().st_mode & 0o077:
        typer.echo(
            f"Warning: the server key file {key.path} may be read by others than the user veche "
            "runs as; with a copy of the database it opens secret ballots: make it readable by "
            f"that user alone (chmod 600 {key.path})",
            err=True,
        )
    unopened = [poll_id for poll_id, wrapped in sealed if key.public_key_of(wrapped) is None]
    if unopened:
        typer.echo(
            f"Warning: the server key in {key.path} did not seal "
            f"{listed(f'poll {poll_id}' for poll_id in sorted(unopened))}: those polls take "
            "no ballot and cannot be counted until the key file they were opened under is "
            "restored (VECHE_KEY_FILE); if it is lost for good, cancel them and vote again.",
            err=True,
        )


def _key_file_source(settings: Settings) -> str:
    """Where the server key file was looked for, and why there."""
    given = settings.key_file
    if "key_file" not in settings.model_fields_set:
        return f"VECHE_KEY_FILE is not set: veche.key in the folder veche runs from, {Path.cwd()}"
    if given.expanduser().is_absolute():
        return f"VECHE_KEY_FILE={str(given)!r}"
    return f"VECHE_KEY_FILE={str(given)!r}, from the folder veche runs from, {Path.cwd()}"


def _key_beside_database(settings: Settings, path: Path) -> str:
    """Where an SQLite database's own key file most likely is: beside it."""
    from sqlalchemy.engine import make_url

    url = make_url(settings.database_url)
    database = url.database
    if url.get_backend_name() != "sqlite" or not database or database.startswith(":"):
        return ""
    database = database.removeprefix("file:").split("?")[0]
    beside = Path(database).absolute().parent / path.name
    return f" (there is one beside the database: {beside})" if beside.is_file() else ""


def _version(value: bool) -> None:
    if value:
        typer.echo(f"veche {veche.__version__}")
        raise typer.Exit()


@app.callback(invoke_without_command=True)
def main_callback(
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """With no command, veche serves (like `veche serve`)."""
    if ctx.invoked_subcommand is None:
        serve(host=None, port=None, db=None, get=None)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    db: DbOption = None,
    get: Annotated[
        str | None,
        typer.Option(
            "--get",
            metavar="PATH",
            help="Answer one request for PATH in-process, print the body and exit "
            "(non-zero unless the status is 2xx).",
        ),
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            help="Server processes (PostgreSQL only): they share the port, and live events "
            "reach every page through LISTEN/NOTIFY.",
        ),
    ] = 1,
    access_log: Annotated[
        bool,
        typer.Option(
            "--access-log",
            help="Log a line for every request. Off by default: the journal records every "
            "change, a proxy in front usually logs requests, and during a vote a line per "
            "ballot takes about an eighth of the server's time.",
        ),
    ] = False,
) -> None:
    """Serve veche over HTTP. The embedded database is set up, with the demo, on first start."""
    import uvicorn

    from veche.web.app import create_app

    settings = _settings(db)
    host = host or settings.host
    port = settings.port if port is None else port
    if port not in PORTS:
        fail(f"--port {port}: a port is a number from 1 to {PORTS.stop - 1}")
    with open_database(settings) as engine:
        if workers > 1 and engine.dialect.name == "sqlite":
            fail(
                "SQLite is served by one process (its writers queue inside it); "
                "use PostgreSQL for --workers"
            )
        _refuse_unwritable(engine, settings)
        with make_sessionmaker(engine)() as session:
            _check_server_key(session, settings)
        if settings.uses_embedded_default:
            _load_demo_if_empty(engine)
        if get is not None:
            _answer_one_request(create_app(engine), get)
            return
        if workers == 1:
            uvicorn.run(
                create_app(engine),
                host=host,
                port=port,
                access_log=access_log,
                timeout_graceful_shutdown=STOP_WAIT_SECONDS,
            )
            return
    # Each worker process builds its own application and engine from the environment.
    os.environ["VECHE_DATABASE_URL"] = settings.database_url
    uvicorn.run(
        APP_FACTORY,
        factory=True,
        workers=workers,
        host=host,
        port=port,
        access_log=access_log,
        timeout_graceful_shutdown=STOP_WAIT_SECONDS,
    )


def _answer_one_request(application: FastAPI, path: str) -> None:
    from fastapi.testclient import TestClient

    with TestClient(application) as client:
        response = client.get(path)
    typer.echo(response.text)
    if not 200 <= response.status_code < 300:
        typer.echo(f"HTTP {response.status_code} for {path}", err=True)
        raise typer.Exit(1)


def _load_demo_if_empty(engine: Engine) -> None:
    from veche.demo import load_demo
    from veche.models import Organization

    factory = make_sessionmaker(engine)
    with transaction(factory) as session:
        if session.query(Organization).first() is None:
            load_demo(session, meeting=True)
            typer.echo("Loaded the demo organization into the new embedded database.", err=True)


@app.command("migrate")
def migrate_command(db: DbOption = None) -> None:
    """Create or upgrade the database schema to this version of veche."""
    from veche import migrate

    settings = _settings(db)
    try:
        engine = make_engine(settings.database_url)
        before = migrate.current_revision(engine)
        newer = migrate.unknown_revision(engine)
    except Exception as error:  # a bad URL or an unreachable server
        _cannot_open(settings, error)
    try:
        if newer is not None:
            fail(migrate.newer_database(newer))
        _upgrade(engine, settings)
        after = migrate.current_revision(engine)
    finally:
        engine.dispose()
    if before == after:
        typer.echo(f"The database is up to date (revision {after}).")
    else:
        typer.echo(f"Migrated the database from revision {before or 'none'} to {after}.")


@app.command()
def demo(db: DbOption = None) -> None:
    """Load the demo organization (a fictional federation of unions)."""
    from veche.demo import DEMO_NAME, demo_loaded, load_demo

    settings = _settings(db)
    with changing(db) as session:
        if demo_loaded(session):
            fail(f"the demo organization ({DEMO_NAME}) is loaded already")
        # Its meeting opens secret polls, sealed with the server key.
        _check_server_key(session, settings)
        load_demo(session, meeting=True)
    typer.echo(f"Loaded the demo organization: {DEMO_NAME}.")


def _at_a_terminal() -> bool:
    """Whether someone is there to answer prompts (the tests pretend so, to answer them)."""
    return sys.stdin.isatty()


@app.command()
def init(
    organization: Annotated[str | None, typer.Option(help="The organization's full name.")] = None,
    short_name: Annotated[
        str | None, typer.Option(help="A short name for the pages' header (optional).")
    ] = None,
    username: Annotated[str | None, typer.Option(help="The first secretary's user name.")] = None,
    password: Annotated[
        str | None,
        typer.Option(
            envvar="VECHE_INIT_PASSWORD",
            help="Their password: at least 12 characters, or a passphrase of 4 words; not a "
            "common one. VECHE_INIT_PASSWORD keeps it out of the list of processes.",
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Set up a real organization on a database without one: its name and its first
    secretary's login, an administrator. At a terminal, asks for what is not given."""
    from pydantic import ValidationError

    from veche.web.inputs_accounts import SetupIn

    if organization is None or username is None or password is None:
        if not _at_a_terminal():
            fail(
                "give --organization, --username and --password (or VECHE_INIT_PASSWORD) "
                "when not run at a terminal"
            )
        organization, short_name, username, password = _ask_first_start(
            organization, short_name, username, password
        )
    try:
        start = SetupIn(
            organization=organization,
            short_name=short_name or "",
            username=username,
            password=password,
        )
    except ValidationError as error:
        fail("; ".join(_option_problem(problem) for problem in error.errors()))
    with changing(db) as session:
        done = start.set_up(session, via="veche init")
        name, login = done.organization.name, done.user.username
    typer.echo(f"Set up {name}. Its secretary logs in as {login!r} (an administrator).")


def _ask_first_start(
    organization: str | None, short_name: str | None, username: str | None, password: str | None
) -> tuple[str, str, str, str]:
    """What ``veche init`` was not given, asked for; a password that breaks the rule is asked
    for again, saying why."""
    from veche.passwords import check_new_password

    organization = organization or typer.prompt("The organization's full name")
    if short_name is None:
        short_name = typer.prompt(
            "A short name for the pages' header (Enter for none)", default="", show_default=False
        )
    username = username or typer.prompt("The first secretary's user name")
    # Asked until it meets the rule and is typed twice alike (typer's own check of a hidden
    # answer would not say what was wrong with it).
    while password is None:
        typed = typer.prompt("Their password", hide_input=True)
        try:
            check_new_password(typed, username)
        except VecheError as error:
            typer.echo(f"Error: {error.message}", err=True)
            continue
        if typer.prompt("Repeat for confirmation", hide_input=True) == typed:
            password = typed
        else:
            typer.echo("Error: the two passwords differ; once more.", err=True)
    return organization, short_name, username, password


def _option_problem(problem: Mapping[str, Any]) -> str:
    """A problem of ``veche init``'s input, named by its option: "--username: …"."""
    where = "-".join(str(step) for step in problem.get("loc", ())).replace("_", "-")
    return f"--{where}: {problem.get('msg', 'invalid')}" if where else str(problem.get("msg"))


@import_app.command("members")
def import_members_command(
    file: Annotated[
        Path, typer.Argument(help="CSV with columns name, body, term, role, email, unit.")
    ],
    db: DbOption = None,
) -> None:
    """Import people and their memberships; any bad row aborts the whole import."""
    from veche.actions.access import Caller
    from veche.actions.actor import Actor
    from veche.actions.imports import import_members
    from veche.queries.org import get_organization

    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        fail(f"cannot read {file}: {error}")
    with changing(db) as session:
        organization = get_organization(session)
        operator = Caller(Actor.system("import members"), None, True, None)
        summary = import_members(session, operator, organization, text, str(file))
    typer.echo(
        f"Imported {summary.memberships_created} memberships "
        f"({summary.people_created} new people) from {file}."
    )


@import_app.command("follow-up")
def import_follow_up_command(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="CSV files of goals, assignments, indicators, weights, targets or values (as "
            "`veche export follow-up` writes them); each file's kind is told by its header. "
            "A folder stands for the files of an export found in it."
        ),
    ],
    db: DbOption = None,
) -> None:
    """Import the follow-up of resolutions; any bad line aborts the whole import."""
    from veche.actions.access import Caller
    from veche.actions.actor import Actor
    from veche.actions.follow_up_csv import CsvSource, import_follow_up
    from veche.queries.org import get_organization

    files = [found for given in files for found in _exported_files(given)]
    sources = []
    for file in files:
        try:
            sources.append(CsvSource(str(file), file.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError) as error:
            fail(f"cannot read {file}: {error}")
    with changing(db) as session:
        organization = get_organization(session)
        operator = Caller(Actor.system("import follow-up"), None, True, organization.id)
        summary = import_follow_up(session, operator, sources)
    done = ", ".join(
        f"{count} {name.replace('_', ' ')}" for name, count in summary.counts().items()
    )
    typer.echo(f"Imported {', '.join(map(str, files))}: {done}.")


def _exported_files(path: Path) -> list[Path]:
    """``path``, or, for a folder, the files of a follow-up export found in it, in the order
    the export writes them."""
    from veche.queries.follow_up_csv import FILE_KINDS

    if not path.is_dir():
        return [path]
    found = [path / kind.file_name for kind in FILE_KINDS if (path / kind.file_name).is_file()]
    if not found:
        names = ", ".join(kind.file_name for kind in FILE_KINDS)
        fail(f"{path} is a folder with none of the files an export writes ({names})")
    return found


@export_app.command("follow-up")
def export_follow_up_command(
    folder: Annotated[
        Path,
        typer.Argument(
            help="The folder to write goals.csv, assignments.csv, indicators.csv, weights.csv, "
            "targets.csv and values.csv into (made if missing)."
        ),
    ],
    db: DbOption = None,
) -> None:
    """Export the follow-up of resolutions as CSV files that `veche import follow-up` reads."""
    from veche.queries.follow_up_csv import FILE_KINDS, follow_up_file
    from veche.queries.org import get_organization

    with open_database(_settings(db)) as engine, make_sessionmaker(engine)() as session:
        try:
            organization = get_organization(session)
            written = [follow_up_file(session, organization, kind.name) for kind in FILE_KINDS]
        except VecheError as error:
            fail(error.message)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for file in written:
            (folder / file.name).write_text(file.text, encoding="utf-8", newline="")
    except OSError as error:
        fail(f"cannot write into {folder}: {error.strerror or error}")
    typer.echo(f"Wrote {', '.join(file.name for file in written)} into {folder}.")


@app.command()
def verify(
    db: DbOption = None,
    expect_head: Annotated[
        str | None,
        typer.Option(
            "--expect-head",
            metavar="SEQ:HASH",
            help="A journal head printed earlier (on a published report): fail unless the "
            "journal still holds that entry with that hash.",
        ),
    ] = None,
) -> None:
    """Recompute the journal's hash chain, recount every closed poll against its close, hold
    its ballots against the entries that took them and its casts against the rights the
    journal gave their voters, hold every meeting's check-ins, weights, proxies and
    substitutions against their entries, hash every frozen period's figures and every motion's and resolution's text
    again, hold every published report against its publication and its record, and hold the
    roles held against their grants and what each role grants against its definition; exit 1
    naming the first entry, or each poll, meeting, period, motion, resolution, report, grant
    or role, that does not match."""
    from veche.actions.journal import verify_journal
    from veche.actions.verify_attendance import verify_attendance
    from veche.actions.verify_casts import verify_casts
    from veche.actions.verify_grants import verify_grants
    from veche.actions.verify_periods import verify_periods
    from veche.actions.verify_polls import verify_polls
    from veche.actions.verify_reports import verify_reports
    from veche.actions.verify_rights import verify_rights
    from veche.actions.verify_roles import verify_roles
    from veche.actions.verify_texts import verify_texts
    from veche.queries.journal_head import check_head, current_head, parse_head

    expected: tuple[int, str] | None = None
    if expect_head is not None:
        try:
            expected = parse_head(expect_head)
        except ValueError as error:
            fail(str(error))
    with open_database(_settings(db)) as engine, _snapshot(engine) as session:
        chain = verify_journal(session)
        head = current_head(session)
        lost = check_head(session, *expected) if expected is not None else None
        polls = verify_polls(session)
        casts = verify_casts(session)
        rights = verify_rights(session)
        attendance = verify_attendance(session)
        periods = verify_periods(session)
        texts = verify_texts(session)
        reports = verify_reports(session)
        grants = verify_grants(session)
        roles = verify_roles(session)
    failed = False
    if chain.holds:
        typer.echo(f"The journal holds: {chain.entries} entries, each chained to the one before.")
    else:
        typer.echo(
            f"The journal is broken at entry {chain.first_bad_seq}: {chain.problem}", err=True
        )
        failed = True
    if expected is not None:
        if lost is None:
            typer.echo(f"It still holds entry {expected[0]} with the hash {expected[1]}.")
        else:
            typer.echo(f"The head expected is not in the journal: {lost}", err=True)
            failed = True
    failed |= _reported(
        polls,
        "Counted polls do not match the journal:",
        f"Recounted {_polls(polls.recounted)} from their stored ballots: each matches "
        "the ballots, result and outcome recorded at its close.",
    )
    if polls.not_recounted:
        typer.echo(
            f"{_polls(len(polls.not_recounted)).capitalize()} closed before results were "
            "recorded in the journal: only their number of ballots could be checked "
            f"({listed(f'poll {note.poll_id}' for note in polls.not_recounted)})."
        )
    failed |= _reported(
        casts,
        "Counted polls' ballots do not match the journal entries that took them:",
        casts.checked
        and f"Held the ballots and rights used of {_polls(casts.checked)} against the journal "
        "entries that cast or entered them: each matches.",
    )
    failed |= _reported(
        rights,
        "Counted polls' ballots were cast with rights the journal does not give:",
        rights.casts
        and f"Held {_counted(rights.casts, 'cast')} into counted polls against the rights the "
        "journal gave their voters (check-ins, proxies, substitutions, weights): each had its "
        "right"
        + (
            f"; not checked: the weight of {rights.unweighed}, which the journal does not "
            "record (a right invited by name, or a cast journalled before casts recorded it)."
            if rights.unweighed
            else "."
        ),
    )
    failed |= _reported(
        attendance,
        "Meetings' attendance, weights and stand-ins do not match the journal:",
        attendance.meetings
        and "Held the check-ins, participants' weights, proxies and substitutions of "
        f"{_counted(attendance.meetings, 'meeting')} against the journal: each matches.",
    )
    unknown = [
        f"the attendance of {_counted(attendance.unknown_attendance, 'participant')}, whose "
        "check-ins the journal records without their day"
        if attendance.unknown_attendance
        else "",
        f"the weight of {_counted(attendance.unknown_weights, 'participant')}, invited "
        "before invitations recorded it"
        if attendance.unknown_weights
        else "",
        f"the attendance and weights of {_counted(attendance.not_held, 'meeting')}, whose "
        "creation the journal does not record or whose entries it cannot tell apart"
        if attendance.not_held
        else "",
    ]
    if any(unknown):
        typer.echo(f"Not checked: {'; '.join(part for part in unknown if part)}.")
    failed |= _reported(
        periods,
        "Frozen periods do not match the journal:",
        periods.checked
        and f"Hashed the figures of {_counted(periods.checked, 'frozen period')} again: each "
        "matches its freeze.",
    )
    failed |= _reported(
        texts,
        "Motions and resolutions do not match the journal:",
        (texts.resolutions or texts.versions)
        and f"Hashed the texts of {_counted(texts.resolutions, 'resolution')} and "
        f"{_counted(texts.versions, 'motion version')} again: each matches the journal.",
    )
    if texts.unhashed_resolutions or texts.unhashed_versions:
        typer.echo(
            f"Not checked: the texts of {_counted(texts.unhashed_resolutions, 'resolution')} "
            f"and {_counted(texts.unhashed_versions, 'motion version')}, journalled before "
            "texts were hashed."
        )
    failed |= _reported(
        reports,
        "Published reports do not match the journal or the record:",
        reports.meetings
        and f"Held the published reports of {_counted(reports.meetings, 'meeting')} against "
        "their publication: each text is the one published and, where this veche published "
        "it, its record still renders it.",
    )
    if reports.not_rerendered:
        typer.echo(f"Not re-rendered: {listed(reports.not_rerendered)}.")
    if reports.changed_through_veche:
        typer.echo(
            "Changed through veche since their publication, and standing as published: "
            f"{listed(reports.changed_through_veche)}."
        )
    if reports.not_kept:
        typer.echo(
            f"Not checked: the reports of {_counted(len(reports.not_kept), 'meeting')}, "
            "published before published reports were kept "
            f"({listed(f'meeting {meeting_id}' for meeting_id in reports.not_kept)})."
        )
    failed |= _reported(
        grants,
        "Roles held do not match the journal:",
        grants.checked
        and f"Held {_counted(grants.checked, 'grant')} of a role against the journal entries "
        "that made them: each matches.",
    )
    if grants.unjournalled:
        typer.echo(
            f"Not in the journal, so not checked: {listed(grants.unjournalled)} — granted "
            "before grants were journalled (the first administrators of an older database)."
        )
    failed |= _reported(
        roles,
        "Roles do not grant what the journal or the migrations say:",
        roles.checked
        and f"Held what {_counted(roles.checked, 'role')} grant against their definitions in "
        "the journal, or the migrations that made them: each matches.",
    )
    if failed:
        raise typer.Exit(1)
    if head is not None:
        typer.echo(f"Journal head: entry {head[0]}, {head[1]}")


def _reported(check: Findings[Any], failing: str, summary: str | int) -> bool:
    """One check's lines: where it found problems, ``failing`` and each problem (on stderr),
    and True; else its ``summary``, if it has one (0: nothing was checked)."""
    if not check.holds:
        typer.echo(failing, err=True)
        for problem in check.problems:
            typer.echo(f"- {problem}", err=True)
        return True
    if summary:
        typer.echo(summary)
    return False


def _counted(n: int, thing: str) -> str:
    return f"1 {thing}" if n == 1 else f"{n} {thing}s"


@contextmanager
def _snapshot(engine: Engine) -> Iterator[Session]:
    """A session that reads one snapshot of the database and takes no lock, so that a server
    may go on writing while every check sees the same journal, polls and ballots: SQLite's
    reader (a deferred transaction in WAL mode), PostgreSQL's REPEATABLE READ."""
    reader = make_reader(engine)
    try:
        if reader.dialect.name == "postgresql":
            reader = reader.execution_options(isolation_level="REPEATABLE READ")
        with make_sessionmaker(reader)() as session, session.begin():
            yield session
    finally:
        if reader.dialect.name == "sqlite" and reader is not engine:
            reader.dispose()


def _polls(n: int) -> str:
    return "1 poll" if n == 1 else f"{n} polls"


@app.command()
def count(
    file: Annotated[
        Path | None, typer.Argument(help="Ballots: .blt, .soc/.soi/.toc/.toi, .csv or .json.")
    ] = None,
    method: Annotated[
        str | None, typer.Option("--method", "-m", help="Counting method, e.g. scottish-stv.")
    ] = None,
    seats: Annotated[int | None, typer.Option(help="Seats to fill (default: the file's).")] = None,
    output: Annotated[
        str, typer.Option("--format", help="text (an explanation) or json.")
    ] = "text",
    seed: Annotated[int | None, typer.Option(help="Seed for ties broken by lot.")] = None,
    ballot_format: Annotated[
        str | None, typer.Option("--input-format", help="Ballot format when not the extension's.")
    ] = None,
    option: Annotated[
        list[str] | None,
        typer.Option("--option", "-o", metavar="NAME=VALUE", help="A method option; repeatable."),
    ] = None,
    list_methods: Annotated[
        bool, typer.Option("--list-methods", help="Name every method, its ballot and its options.")
    ] = False,
) -> None:
    """Count ballots from a file and explain every round."""
    from veche.tally import TallyError, available_methods, read_ballots
    from veche.tally import count as run_count

    if list_methods:
        for name, info in available_methods().items():
            typer.echo(f"{name}: {info.summary}")
            limit = ", at most one choice per seat" if info.limited_to_seats else ""
            fills = (
                "a decision, fills no seat"
                if info.decision
                else "fills one or more seats"
                if info.multi_winner
                else "fills one seat"
            )
            typer.echo(f"  ballot: {info.ballot}{limit}; {fills}")
            for option_name, meaning in info.options.items():
                typer.echo(f"    {option_name}: {meaning}")
        return
    if file is None or method is None:
        fail("give a ballot file and --method (see `veche count --list-methods`)")
    if output not in ("text", "json"):
        fail(f"--format must be text or json, not {output!r}")
    options = dict(_parse_option(item) for item in option or [])
    try:
        profile = read_ballots(file, format=ballot_format)
        result = run_count(profile, method, seats=seats, seed=seed, **options)
    except TallyError as error:
        fail(str(error))
    except OSError as error:
        fail(f"cannot read {file}: {error.strerror or error}")
    typer.echo(result.to_json() if output == "json" else result.explain())


#: ``veche report summing-up``: a reporting cycle's interim summing-up, not a meeting's report.
SUMMING_UP = "summing-up"


@app.command()
def report(
    what: Annotated[
        str,
        typer.Argument(
            metavar="MEETING|summing-up",
            help="The meeting's id, or summing-up for a reporting cycle's interim summing-up.",
        ),
    ],
    kind: Annotated[
        str, typer.Option("--kind", help="communique, minutes or motions (the motion book).")
    ] = "communique",
    output_format: Annotated[str, typer.Option("--format", help="md, html or pdf.")] = "md",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of to stdout.")
    ] = None,
    cycle: Annotated[
        int | None, typer.Option("--cycle", help="The reporting cycle summed up (summing-up).")
    ] = None,
    period: Annotated[
        int | None,
        typer.Option(
            "--period",
            help="The period summed up (summing-up); default: the latest no longer open.",
        ),
    ] = None,
    resolution: Annotated[
        int | None,
        typer.Option("--resolution", help="Only this resolution's goals (summing-up)."),
    ] = None,
    db: DbOption = None,
) -> None:
    """Render a meeting's communiqué, minutes or motion book from its record, or a reporting
    cycle's interim summing-up from its accepted progress reports."""
    from veche.models import Meeting
    from veche.reports import render_report

    summing_up = what == SUMMING_UP
    meeting_id = whole_number(what)
    if not summing_up and meeting_id is None:
        fail(f"give a meeting's id or {SUMMING_UP}, not {what!r}")
    if summing_up and cycle is None:
        fail("a summing-up is of a reporting cycle: add --cycle ID (GET /api/cycles lists them)")
    if not summing_up and (cycle, period, resolution) != (None, None, None):
        fail(f"--cycle, --period and --resolution go with {SUMMING_UP}, not with a meeting")
    if output_format == "pdf" and output is None:
        fail("a PDF goes to a file: add --output FILE.pdf")
    with open_database(_settings(db)) as engine, make_sessionmaker(engine)() as session:
        try:
            if summing_up:
                assert cycle is not None
                content = _summing_up(session, cycle, period, resolution, output_format)
                written = f"the summing-up of reporting cycle {cycle}"
            else:
                found = session.get(Meeting, meeting_id)
                if found is None:
                    fail(f"there is no meeting {what}")
                content = render_report(session, found, kind, output_format)
                written = f"the {kind} of meeting {what}"
        except VecheError as error:
            fail(error.message)
    if output is None:
        typer.echo(content.decode("utf-8"), nl=False)
        return
    try:
        output.write_bytes(content)
    except OSError as error:
        fail(f"cannot write {output}: {error.strerror or error}")
    typer.echo(f"Wrote {written} to {output}.", err=True)


def _summing_up(
    session: Session, cycle_id: int, period_id: int | None, resolution_id: int | None, form: str
) -> bytes:
    """The cycle's interim summing-up, read as the database holds it (no caller is asked)."""
    from veche.actions.follow_up_figures import check_period_of
    from veche.models import ReportingCycle, ReportingPeriod, Resolution
    from veche.queries.follow_up_cycle import FiguresAsked
    from veche.reports import render_summing_up

    cycle = session.get(ReportingCycle, cycle_id)
    if cycle is None:
        fail(f"there is no reporting cycle {cycle_id}")
    period = None
    if period_id is not None:
        period = session.get(ReportingPeriod, period_id)
        if period is None:
            fail(f"there is no period {period_id}")
        check_period_of(cycle, period)
    resolution = None
    if resolution_id is not None:
        resolution = session.get(Resolution, resolution_id)
        if resolution is None:
            fail(f"there is no resolution {resolution_id}")
    asked = FiguresAsked(cycle.term.body.organization, cycle, period, resolution)
    return render_summing_up(session, asked, form)


def _parse_option(item: str) -> tuple[str, object]:
    """NAME=VALUE, with integers and true/false recognised; fractions stay text for the method."""
    name, sep, value = item.partition("=")
    if not sep or not name.strip():
        fail(f"an option is written NAME=VALUE, not {item!r}")
    key = name.strip().replace("-", "_")
    text = value.strip()
    if text.lower() in ("true", "false"):
        return key, text.lower() == "true"
    number = signed_number(text)
    return key, text if number is None else number


def main() -> None:
    """Entry point of the `veche` command."""
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
