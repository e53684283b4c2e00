"""The command line: version, serve --get, migrate, demo, and refusing unmigrated databases."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx2
import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

import veche
from tests.helpers import load_demo_into
from veche.cli import app
from veche.db import make_engine

#: Every test here starts from the demo organization (see tests/conftest.py).
pytestmark = pytest.mark.demo

runner = CliRunner()


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"veche {veche.__version__}"


def test_serve_get_prints_the_body_and_exits_zero(
    database_url: str, sessions: sessionmaker[Session]
) -> None:
    load_demo_into(sessions)
    result = runner.invoke(app, ["serve", "--db", database_url, "--get", "/api/health"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["status"] == "ok"


def test_serve_get_exits_non_zero_on_an_error_status(database_url: str) -> None:
    result = runner.invoke(app, ["serve", "--db", database_url, "--get", "/api/nothing-here"])
    assert result.exit_code == 1
    assert "HTTP 404" in result.output


def test_demo_refuses_to_load_twice(database_url: str, sessions: sessionmaker[Session]) -> None:
    load_demo_into(sessions)
    result = runner.invoke(app, ["demo", "--db", database_url])
    assert result.exit_code == 2 and "loaded already" in result.output


def test_an_unmigrated_database_is_refused_with_the_command_to_run(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    result = runner.invoke(app, ["serve", "--db", url, "--get", "/api/health"])
    assert result.exit_code == 2
    assert "veche migrate" in result.output
    migrated = runner.invoke(app, ["migrate", "--db", url])
    assert migrated.exit_code == 0 and "Migrated" in migrated.output
    again = runner.invoke(app, ["migrate", "--db", url])
    assert again.exit_code == 0 and "up to date" in again.output


def test_an_unmigrated_postgres_database_is_refused(postgres_url: str) -> None:
    admin = make_engine(postgres_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("DROP DATABASE IF EXISTS veche_unmigrated"))
        connection.execute(text("CREATE DATABASE veche_unmigrated"))
    admin.dispose()
    url = postgres_url.rsplit("/", 1)[0] + "/veche_unmigrated?" + postgres_url.split("?", 1)[1]
    result = runner.invoke(app, ["verify", "--db", url])
    assert result.exit_code == 2 and "veche migrate" in result.output


def test_bare_veche_sets_up_the_embedded_default_with_the_demo(tmp_path: Path) -> None:
    """What a newcomer gets: no arguments, no database yet → migrated SQLite with the demo."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("VECHE_")}
    command = [sys.executable, "-m", "veche", "serve", "--get", "/api/organization"]
    done = subprocess.run(
        command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["name"] == "Riverlands Federation of Trade Unions"
    assert (tmp_path / "veche.sqlite3").exists()
    again = subprocess.run(
        command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert again.returncode == 0 and "Loaded the demo" not in again.stderr


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_workers_are_refused_on_sqlite(database_url: str) -> None:
    result = runner.invoke(app, ["serve", "--db", database_url, "--workers", "2"])
    assert result.exit_code == 2 and "use PostgreSQL for --workers" in result.output


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_workers_serve_one_postgresql_database(database_url: str) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "veche", "serve", "--db", database_url]
    server = subprocess.Popen(
        [*command, "--workers", "2", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while True:
            assert server.poll() is None, "the server stopped"
            assert time.monotonic() < deadline, "the server did not answer within 90 s"
            try:
                answer = httpx2.get(f"{base}/api/health", timeout=2)
                break
            except httpx2.HTTPError:
                time.sleep(0.3)
        assert answer.status_code == 200 and answer.json()["database"] == "postgresql"
        assert _worker_processes(server.pid) == 2
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _worker_processes(parent: int) -> int:
    """How many processes ``parent`` has spawned to serve (not its resource tracker)."""
    found = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue  # ended meanwhile
        parent_id = int(stat.rsplit(")", 1)[1].split()[1])
        found += parent_id == parent and b"spawn_main" in command
    return found


@pytest.mark.parametrize(
    ("variable", "value"),
    [("VECHE_PORT", "abc"), ("VECHE_TOKEN_LIFETIME_HOURS", "0"), ("VECHE_PORT", "99999")],
)
def test_a_bad_setting_is_named_on_one_line(variable: str, value: str) -> None:
    result = runner.invoke(app, ["migrate", "--db", "sqlite://"], env={variable: value})
    assert result.exit_code == 2, result.output
    assert result.output.startswith(f"Error: {variable}={value!r}: ")
    assert result.output.count("\n") == 1 and "Traceback" not in result.output


@pytest.mark.parametrize("port", ["99999", "0", "-1"])
def test_serve_refuses_a_port_no_server_listens_on(port: str) -> None:
    """uvicorn would say it runs on :99999 and listen on another port."""
    result = runner.invoke(app, ["serve", "--db", "sqlite://", "--port", port])
    assert result.exit_code == 2, result.output
    assert result.output == f"Error: --port {port}: a port is a number from 1 to 65535\n"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("command", ["migrate", "serve", "verify"])
def test_a_database_migrated_by_a_newer_veche_is_refused(
    database_url: str, sessions: sessionmaker[Session], command: str
) -> None:
    with sessions() as session, session.begin():
        session.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    result = runner.invoke(app, [command, "--db", database_url])
    assert result.exit_code == 2, result.output
    assert result.output.startswith(
        "Error: this database was migrated by a newer veche (revision 0099; "
    )
    assert result.output.endswith("; upgrade veche\n")


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://veche:s3cret%21@127.0.0.1:1/veche",  # no server there
        "postgresql://veche:s3cret%21@127.0.0.1:port/veche",  # not a URL SQLAlchemy reads
    ],
)
@pytest.mark.parametrize("command", ["migrate", "serve"])
def test_the_databases_password_is_masked_in_errors(url: str, command: str) -> None:
    result = runner.invoke(app, [command, "--db", url])
    assert result.exit_code == 2, result.output
    assert result.output.startswith("Error: cannot open the database postgresql://veche:***@")
    assert "s3cret" not in result.output and result.output.count("\n") == 1


def test_the_command_to_migrate_shows_no_password(postgres_url: str) -> None:
    admin = make_engine(postgres_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("DROP DATABASE IF EXISTS veche_unmigrated_masked"))
        connection.execute(text("CREATE DATABASE veche_unmigrated_masked"))
    url = admin.url.set(password="s3cret", database="veche_unmigrated_masked")
    try:
        result = runner.invoke(
            app, ["serve", "--db", url.render_as_string(hide_password=False), "--get", "/"]
        )
    finally:
        with admin.connect() as connection:
            connection.execute(text("DROP DATABASE veche_unmigrated_masked WITH (FORCE)"))
        admin.dispose()
    assert result.exit_code == 2, result.output
    assert "s3cret" not in result.output and "veche migrate --db 'postgresql" in result.output


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("read_only", ["opened read-only", "file and folder read-only"])
def test_serve_refuses_a_database_it_cannot_write(
    database_url: str, tmp_path: Path, read_only: str
) -> None:
    """Served, every login would be answered 503 "the database is not answering"."""
    path = Path(database_url.removeprefix("sqlite:///"))
    url = f"sqlite:///file:{path}?mode=ro&uri=true"
    if read_only == "file and folder read-only":
        if os.geteuid() == 0:
            pytest.skip("root writes to read-only files; the URL's mode=ro stands for it")
        url = database_url
        path.chmod(0o444)
        path.parent.chmod(0o555)
    try:
        result = runner.invoke(app, ["serve", "--db", url, "--get", "/api/health"])
    finally:
        path.parent.chmod(0o755)
        path.chmod(0o644)
    assert result.exit_code == 2, result.output
    assert result.output.startswith(f"Error: cannot write to the database {url} (")
    assert "needs to write to the file and to its folder" in result.output
    assert result.output.count("\n") == 1
