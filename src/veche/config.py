"""Settings, read from the environment (VECHE_*) with defaults that need no server."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

#: The embedded database used when VECHE_DATABASE_URL is not set: one SQLite file.
DEFAULT_DATABASE_PATH = Path("veche.sqlite3")


class Settings(BaseSettings):
    """veche's configuration; every field can be set as VECHE_<FIELD> in the environment."""

    model_config = SettingsConfigDict(env_prefix="VECHE_", extra="ignore")

    database_url: str = f"sqlite:///{DEFAULT_DATABASE_PATH}"
    host: str = "127.0.0.1"
    port: int = 8000
    organization_name: str | None = None
    #: Signs the pages' cookies; unset, a key made once and kept in the database is used.
    secret_key: str | None = None

    @property
    def uses_embedded_default(self) -> bool:
        """True when veche runs on its own SQLite file and may set it up unasked."""
        return self.database_url == f"sqlite:///{DEFAULT_DATABASE_PATH}"
