"""CSRF protection for every form: a token bound to the browser's seed cookie and its login.

The seed is a random HttpOnly cookie; the token in each form is an HMAC of the seed and
the login token under the site key. A forged form from another site cannot read either
cookie, so it cannot produce the token. Logging in or out changes the token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import urlsplit

from fastapi import Request, Response
from markupsafe import Markup

from veche.errors import Forbidden
from veche.web.sessions import login_token, site_key

SEED_COOKIE = "veche_csrf"
FIELD = "csrf_token"
HEADER = "x-csrf-token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _seed(request: Request) -> str:
    """The browser's seed; a new one (set on the response by ``keep_seed``) if it has none."""
    seed: str | None = getattr(request.state, "csrf_seed", None)
    if seed is None:
        seed = request.cookies.get(SEED_COOKIE) or secrets.token_urlsafe(32)
        request.state.csrf_seed = seed
    return seed


def _token_for(request: Request, seed: str, login: str | None) -> str:
    message = f"{seed}|{login or ''}".encode()
    return hmac.new(site_key(request).encode(), message, hashlib.sha256).hexdigest()


def csrf_token(request: Request) -> str:
    """The token that forms on this page carry."""
    login = getattr(request.state, "new_login_token", None) or login_token(request)
    return _token_for(request, _seed(request), login)


def csrf_field(request: Request) -> Markup:
    """The hidden field that carries the token in each form of this page: ``{{ csrf_field }}``."""
    return Markup('<input type="hidden" name="{}" value="{}">').format(FIELD, csrf_token(request))


def keep_seed(request: Request, response: Response) -> None:
    """Send the seed cookie when this request made it."""
    seed = getattr(request.state, "csrf_seed", None)
    if seed is not None and request.cookies.get(SEED_COOKIE) != seed:
        response.set_cookie(
            SEED_COOKIE,
            seed,
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
            path="/",
        )


def renew_seed(request: Request) -> None:
    """A new seed at login and logout, so a token seen before does not carry over."""
    request.state.csrf_seed = secrets.token_urlsafe(32)


async def require_csrf(request: Request) -> None:
    """Refuse a state-changing request without this browser's token, or from another origin."""
    if request.method in _SAFE_METHODS:
        return
    origin = request.headers.get("origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.url.netloc:
        raise Forbidden("this form was sent from another site; open veche's page and try again")
    seed = request.cookies.get(SEED_COOKIE)
    sent = request.headers.get(HEADER)
    if sent is None:
        form = await request.form()
        value = form.get(FIELD)
        sent = value if isinstance(value, str) else None
    if not seed or not sent:
        raise Forbidden(
            "the form's security token is missing; reload the page (with cookies on) and try again"
        )
    expected = _token_for(request, seed, login_token(request))
    if not hmac.compare_digest(sent, expected):
        raise Forbidden("the form's security token has expired; reload the page and try again")
