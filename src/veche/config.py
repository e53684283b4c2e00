"""Settings, read from the environment (VECHE_*) with defaults that need no server."""

from __future__ import annotations

import re
from collections.abc import Mapping
from contextlib import suppress
from datetime import timedelta
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

#: The embedded database used when VECHE_DATABASE_URL is not set: one SQLite file.
DEFAULT_DATABASE_PATH = Path("veche.sqlite3")
#: The server key's file when VECHE_KEY_FILE is not set.
DEFAULT_KEY_PATH = Path("veche.key")
#: The live streams a process holds at most when VECHE_LIVE_STREAMS_PER_PROCESS is not set.
DEFAULT_LIVE_STREAMS_PER_PROCESS = 5000
#: The ports a server may listen on (uvicorn would take 99999 and listen on another).
PORTS = range(1, 65536)


class Settings(BaseSettings):
    """veche's configuration; every field can be set as VECHE_<FIELD> in the environment."""

    model_config = SettingsConfigDict(env_prefix="VECHE_", extra="ignore")

    database_url: str = f"sqlite:///{DEFAULT_DATABASE_PATH}"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=PORTS.start, le=PORTS.stop - 1)
    organization_name: str | None = None
    #: Signs the pages' cookies; unset, a key made once and kept in the database is used.
    secret_key: str | None = None
    #: The server key that seals secret ballots until they are counted (see veche.sealing):
    #: made on first need; keep it apart from the database and its backups.
    key_file: Path = DEFAULT_KEY_PATH
    #: How long a bearer token of the API works after it is issued, in hours: 30 days by
    #: default. Every token expires, so the setting stops at ten years.
    token_lifetime_hours: int = Field(default=30 * 24, ge=1, le=10 * 365 * 24)
    #: Answer the live fragments a hall re-fetches after each change from memory, rendered
    #: once per change and audience (veche.web.fragment_cache); off, each is rendered per request.
    fragment_cache: bool = True
    #: The live event streams one server process holds at most; beyond them a page's stream
    #: is answered 503 with Retry-After and its script tries again (docs/deployment.md).
    live_streams_per_process: int = Field(
        default=DEFAULT_LIVE_STREAMS_PER_PROCESS, ge=1, le=100_000
    )

    @property
    def token_lifetime(self) -> timedelta:
        return timedelta(hours=self.token_lifetime_hours)

    @property
    def uses_embedded_default(self) -> bool:
        """True when veche runs on its own SQLite file and may set it up unasked."""
        return self.database_url == f"sqlite:///{DEFAULT_DATABASE_PATH}"


class SettingError(ValueError):
    """A setting of the environment that veche cannot take; the message names its variable."""


def read_settings() -> Settings:
    """The settings of the environment; ``SettingError`` naming each variable that is wrong
    ("VECHE_PORT='abc': …"), rather than pydantic's report of several lines."""
    try:
        return Settings()
    except ValidationError as error:
        raise SettingError("; ".join(_setting_problem(p) for p in error.errors())) from None


def _setting_problem(problem: Mapping[str, Any]) -> str:
    field = "_".join(str(step) for step in problem.get("loc", ()))
    said = str(problem.get("msg", "not valid"))
    return (
        f"VECHE_{field.upper()}={problem.get('input')!r}: {said[:1].lower()}{said[1:]}; "
        "set it as docs/configuration.md says, or unset it"
    )


def masked_url(url: str) -> str:
    """``url`` with its password, if any, written ``***``: as it may be shown in an error or
    a log, which others read."""
    try:
        parsed = make_url(url)
    except Exception:  # not a URL SQLAlchemy reads: mask what looks like user:password@
        return re.sub(r"(://[^:/@]*:)[^@/]*@", r"\1***@", url)
    # Rendered again only when there is something to hide: as typed, it is what to look for.
    return url if parsed.password is None else parsed.render_as_string(hide_password=True)


def masked_text(text: str, url: str) -> str:
    """``text`` (an error's message) with the password of ``url`` masked wherever it appears,
    as written in the URL or decoded."""
    passwords = set(re.findall(r"://[^:/@]*:([^@/]*)@", url))
    # Not a URL SQLAlchemy reads: the password as written alone is masked.
    with suppress(Exception):
        passwords.add(str(make_url(url).password or ""))
    text = text.replace(url, masked_url(url))
    for password in sorted(passwords - {""}, key=len, reverse=True):
        text = text.replace(password, "***")
    return text
