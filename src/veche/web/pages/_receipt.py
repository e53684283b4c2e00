"""A ballot's receipt kept in the voter's browser for the one page that shows it.

Casting from the pages answers with a redirect (303) to the receipt page, so that Back and
reloading never offer to send the ballot again; the receipt must not ride in that page's
address (it would stay in the browser's history, and could reach a log or a Referer), and
the server keeps none, nor which voter holds which receipt. So the answer to the cast hands
the browser a cookie holding it: signed with the site's key and the login's own token (so no
other login of that browser reads it), sent only to that poll's receipt page (its ``Path``),
HttpOnly, SameSite=Strict, kept for the browsing session and read for ``KEPT_FOR`` at most.
The receipt page deletes it as it shows the receipt: shown once, as the page says.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from veche.actions.ballots import CastReceipt
from veche.web.sessions import login_token, site_key

RECEIPT_COOKIE = "veche_receipt"
#: Long enough for a phone on bad Wi-Fi to fetch the page after the cast; the page's own
#: answer deletes it before that.
KEPT_FOR = 600


@dataclass(frozen=True)
class KeptReceipt:
    """What the receipt page shows of a ballot just cast (as ``CastReceipt`` tells it)."""

    receipt: str
    right_person_id: int
    #: The same confirmation had arrived before: this is the receipt it was given then.
    replayed: bool


def _serializer(request: Request) -> URLSafeTimedSerializer | None:
    """Signing for this login alone (None without a login: there is no page to keep it for)."""
    token = login_token(request)
    if token is None:
        return None
    return URLSafeTimedSerializer(site_key(request), salt=f"veche.receipt.{token}")


def _options(request: Request, path: str) -> dict[str, object]:
    return {
        "path": path,
        "httponly": True,
        "samesite": "strict",
        "secure": request.url.scheme == "https",
    }


def keep_receipt(request: Request, response: Response, path: str, cast: CastReceipt) -> None:
    """Hand the browser the receipt of ``cast`` for the page at ``path``, which shows it."""
    signing = _serializer(request)
    if signing is None:
        return
    kept = [cast.poll_id, cast.receipt, cast.right_person_id, cast.replayed]
    response.set_cookie(RECEIPT_COOKIE, signing.dumps(kept), **_options(request, path))  # type: ignore[arg-type]


def kept_receipt(request: Request, poll_id: int) -> KeptReceipt | None:
    """The receipt the browser holds for ``poll_id``'s receipt page; None when it holds none
    (shown already, too old, or kept for another login)."""
    raw = request.cookies.get(RECEIPT_COOKIE)
    signing = _serializer(request)
    if not raw or signing is None:
        return None
    try:
        kept = signing.loads(raw, max_age=KEPT_FOR)
    except BadSignature:
        return None
    match kept:
        case [int(poll), str(receipt), int(right), bool(replayed)] if poll == poll_id:
            return KeptReceipt(receipt, right, replayed)
    return None


def forget_receipt(request: Request, response: Response, path: str) -> None:
    """Have the browser drop the receipt it holds for the page at ``path``: shown once."""
    if RECEIPT_COOKIE in request.cookies:
        response.delete_cookie(RECEIPT_COOKIE, **_options(request, path))  # type: ignore[arg-type]
