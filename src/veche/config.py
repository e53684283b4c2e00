"""Settings, read from the environment (VECHE_*) with defaults that need no server."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

#: The embedded database used when VECHE_DATABASE_URL is not set: one SQLite file.
DEFAULT_DATABASE_PATH = Path("veche.sqlite3")
#: The server key's file when VECHE_KEY_FILE is not set.
DEFAULT_KEY_PATH = Path("veche.key")
#: The live streams a process holds at most when VECHE_LIVE_STREAMS_PER_PROCESS is not set.
DEFAULT_LIVE_STREAMS_PER_PROCESS = 5000


class Settings(BaseSettings):
    """veche's configuration; every field can be set as VECHE_<FIELD> in the environment."""

    model_config = SettingsConfigDict(env_prefix="VECHE_", extra="ignore")

    database_url: str = f"sqlite:///{DEFAULT_DATABASE_PATH}"
    host: str = "127.0.0.1"
    port: int = 8000
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
