"""Security and caching headers on every answer: what a page may load, and what may be kept.

- **Content-Security-Policy.** Pages run veche's own scripts and styles only (no inline
  script, no ``eval``, no inline style), show images from this site and ``data:`` (the
  access cards' QR codes), talk to this site only (htmx and the live stream), cannot be
  framed (clickjacking a ballot), and post forms to this site only. The HTML reports carry
  their stylesheet inline, so that a saved report is one file: it is allowed by its hash.
- **Permissions-Policy.** No page uses the camera, the microphone or the like: the door's
  scanner types a code into a field like a keyboard, and a card's QR code is read by the
  phone's own camera app, which opens the login page.
- **Cache-Control: no-store** on every answer but ``/static/``: pages and API answers
  belong to whoever is logged in, and on a shared phone the Back button must not show the
  previous delegate's ballot after logout. Listing the private answers instead would miss
  the next one added.
- **Strict-Transport-Security** only on answers to requests that came over HTTPS (uvicorn
  takes the scheme from a trusted proxy's ``X-Forwarded-Proto``): over plain HTTP it would
  be ignored, and a test or intranet server must stay reachable.
"""

from __future__ import annotations

import base64
import hashlib

from starlette.types import Message, Receive, Scope, Send

from veche.reports.render import STYLE as REPORT_STYLE
from veche.web.asgi import HttpMiddleware, app_path


def _hash(source: str) -> str:
    digest = hashlib.sha256(source.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def _policy(**directives: str) -> bytes:
    return "; ".join(
        f"{name.replace('_', '-')} {value}" for name, value in directives.items()
    ).encode()


#: The pages' policy. ``data:`` images are the QR codes that segno draws as SVG data URIs.
_PAGES = {
    "default_src": "'self'",
    "script_src": "'self'",
    "style_src": f"'self' {_hash(REPORT_STYLE)}",
    "img_src": "'self' data:",
    "connect_src": "'self'",
    "object_src": "'none'",
    "base_uri": "'none'",
    "form_action": "'self'",
    "frame_ancestors": "'none'",
}
POLICY = _policy(**_PAGES)
#: The policy of FastAPI's Swagger UI (``/api/docs``): its page starts the UI with an inline
#: script and loads it from the jsDelivr CDN. The page is FastAPI's, the same for everyone,
#: and shows nothing anyone typed, so nothing can be injected to run there. (A hash cannot
#: replace 'unsafe-inline': the script names the path the app is served under, which a
#: proxy may change.)
DOCS_POLICY = _policy(
    **{
        **_PAGES,
        "script_src": "'self' 'unsafe-inline' https://cdn.jsdelivr.net",
        "style_src": "'self' 'unsafe-inline' https://cdn.jsdelivr.net",
        "img_src": "'self' data: https://fastapi.tiangolo.com",
    }
)
DOCS_PATH = "/api/docs"  # and its OAuth2 redirect page below it
STATIC_PATH = "/static/"

_COMMON = (
    (b"x-frame-options", b"DENY"),  # frame-ancestors for browsers too old to know it
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (
        # Only features browsers know: Chromium reports an unknown one as an error.
        b"permissions-policy",
        b"camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), hid=(), "
        b"display-capture=(), accelerometer=(), gyroscope=(), magnetometer=()",
    ),
    (b"cross-origin-opener-policy", b"same-origin"),
)
NO_STORE = (b"cache-control", b"no-store")
#: Every answer of a page or of the API: what the ballot box, answering ahead of the rest
#: of the application, adds to its own.
HEADERS = (*_COMMON, (b"content-security-policy", POLICY), NO_STORE)
#: The docs page's headers.
_DOCS_HEADERS = (*_COMMON, (b"content-security-policy", DOCS_POLICY), NO_STORE)
#: Static files may be stored, but checked again each time (a cheap 304): their names carry
#: no version, so a new veche.js must reach the phones as soon as veche is upgraded.
_STATIC_HEADERS = (*_COMMON, (b"content-security-policy", POLICY), (b"cache-control", b"no-cache"))
#: A year; without includeSubDomains, which would bind the organization's other hosts.
HSTS = (b"strict-transport-security", b"max-age=31536000")


def headers_for(scope: Scope) -> tuple[tuple[bytes, bytes], ...]:
    """The headers an answer to this request gets (a header the answer has already wins)."""
    path = app_path(scope)
    found: tuple[tuple[bytes, bytes], ...]
    if path.startswith(STATIC_PATH):
        found = _STATIC_HEADERS
    elif path == DOCS_PATH or path.startswith(DOCS_PATH + "/"):
        found = _DOCS_HEADERS
    else:
        found = HEADERS
    if scope.get("scheme") == "https":
        found = (*found, HSTS)
    return found


class SecurityHeaders(HttpMiddleware):
    """On every answer; streamed ones (the live events) pass untouched otherwise."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = headers_for(scope)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(name, value) for name, value in headers if name not in present]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)
