"""Page cookies: a signed, HttpOnly, SameSite login cookie naming a login session, and flashes."""

from __future__ import annotations

import secrets

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from veche.actions.auth import SESSION_LIFETIME
from veche.config import Settings
from veche.models import SiteKey

SESSION_COOKIE = "veche_session"
FLASH_COOKIE = "veche_flash"
_SITE_KEY_NAME = "cookies"
_FLASH_SECONDS = 120


def load_site_key(sessions: sessionmaker[Session]) -> str:
    """VECHE_SECRET_KEY, or the key kept in the database; read once, when the app starts."""
    return Settings().secret_key or _make_site_key(sessions)


def _make_site_key(sessions: sessionmaker[Session]) -> str:
    """The key kept in the database, made by whichever process needs it first."""
    with sessions() as session, session.begin():
        found = session.get(SiteKey, _SITE_KEY_NAME)
        if found is not None:
            return found.value
    try:
        with sessions() as session, session.begin():
            value = secrets.token_hex(32)
            session.add(SiteKey(name=_SITE_KEY_NAME, value=value))
            return value
    except IntegrityError:  # another process made it at the same moment: use theirs
        with sessions() as session:
            found = session.get(SiteKey, _SITE_KEY_NAME)
            assert found is not None
            return found.value


def site_key(request: Request) -> str:
    """The key loaded when the app started (a request must not open a second transaction)."""
    key: str | None = getattr(request.app.state, "site_key", None)
    if key is None:
        raise RuntimeError("the app was not started: run it in its lifespan (with TestClient(app))")
    return key


def _serializer(request: Request, purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(site_key(request), salt=f"veche.{purpose}")


def _cookie_options(request: Request) -> dict[str, object]:
    # Secure whenever the page itself came over HTTPS (directly or through a proxy's headers).
    return {
        "httponly": True,
        "samesite": "lax",
        "secure": request.url.scheme == "https",
        "path": "/",
    }


def login_token(request: Request) -> str | None:
    """The login session's token from a cookie whose signature and age check out."""
    raw = request.cookies.get(SESSION_COOKIE)
    if not raw:
        return None
    try:
        token = _serializer(request, "session").loads(
            raw, max_age=int(SESSION_LIFETIME.total_seconds())
        )
    except BadSignature:
        return None
    return token if isinstance(token, str) else None


def set_login_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        _serializer(request, "session").dumps(token),
        max_age=int(SESSION_LIFETIME.total_seconds()),
        **_cookie_options(request),  # type: ignore[arg-type]
    )


def clear_login_cookie(request: Request, response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, **_cookie_options(request))  # type: ignore[arg-type]


def set_flash(request: Request, response: Response, message: str) -> None:
    """A message for the next page: "Poll opened.", "Checked in."."""
    response.set_cookie(
        FLASH_COOKIE,
        _serializer(request, "flash").dumps(message),
        max_age=_FLASH_SECONDS,
        **_cookie_options(request),  # type: ignore[arg-type]
    )


def read_flash(request: Request) -> str | None:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return None
    try:
        message = _serializer(request, "flash").loads(raw, max_age=_FLASH_SECONDS)
    except BadSignature:
        return None
    return message if isinstance(message, str) else None


def clear_flash(request: Request, response: Response) -> None:
    if FLASH_COOKIE in request.cookies:
        response.delete_cookie(FLASH_COOKIE, **_cookie_options(request))  # type: ignore[arg-type]
