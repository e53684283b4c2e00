"""veche.db: PostgreSQL's pooled connections are pinged only after lying idle."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, text

from veche import db

pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


def _pings(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The connections the engine pings from now on."""
    pinged: list[object] = []
    ping = engine.dialect.do_ping

    def counted(dbapi_connection: Any) -> bool:
        pinged.append(dbapi_connection)
        return ping(dbapi_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", counted)
    return pinged


def _backend(engine: Engine) -> int:
    with engine.connect() as connection:
        pid: int = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
        return pid


def test_a_connection_used_a_moment_ago_is_not_pinged(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under a burst of ballots, each group's checkout would otherwise cost a round trip."""
    pinged = _pings(engine, monkeypatch)
    first = _backend(engine)
    assert [_backend(engine) for _ in range(3)] == [first] * 3  # the pool's last one, again
    assert pinged == []


def test_a_connection_lost_while_idle_is_replaced_before_it_is_used(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server restarted (here: the connection's backend ended) while the pool waited."""
    pinged = _pings(engine, monkeypatch)
    lost = _backend(engine)
    other = db.make_engine(engine.url.render_as_string(hide_password=False))
    with other.connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": lost})
    other.dispose()
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.0)  # as if it had idled for long
    replaced = _backend(engine)
    assert replaced != lost
    assert len(pinged) == 1  # the lost connection; a new one needs no ping
