"""The command line: version, serve --get, migrate, demo, and refusing unmigrated databases."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

import veche
from tests.helpers import load_demo_into
from veche.cli import app
from veche.db import make_engine

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
