"""Bodies whose text Python could read but no answer, database or page could hold: refused
with a 422 that says why, on every route, before a route sees them.

Python's JSON reader, which FastAPI's routes read a body with, takes half of a character
(a lone surrogate: ``"\\ud800"``, or its bytes as UTF-8 would write them) and hands it on
as text that no UTF-8 writer encodes: not the answer echoing it, nor the database storing
it. It also reads lists nested a thousand deep until it runs out of stack, which FastAPI
answers with "There was an error parsing the body" and no reason. A JSON body is therefore
read first as the ballot box reads its own (``veche.web.api.ballots``, through pydantic):
strictly, whole characters only, at most 200 levels deep (pydantic's limit); a body it refuses gets the
same problem, described in the same words (``veche.web.errors.problem_said``).

A form's fields are read as UTF-8, which holds no surrogate: bytes that are not UTF-8 in a
field (``%ED%A0%80``, half of a character as UTF-8 would write it) are refused rather than
stored as "\ufffd"; a multipart form naming another charset is decoded by it, and some
(UTF-7, ``unicode_escape``) make surrogates of plain ASCII: such a form is refused, as no
browser sends one.
"""

from __future__ import annotations

import codecs
from email.message import Message as Header
from urllib.parse import unquote_to_bytes

from fastapi.exceptions import RequestValidationError
from pydantic_core import from_json
from starlette.requests import Request
from starlette.types import Message, Receive, Scope, Send

from veche.web.asgi import HttpMiddleware
from veche.web.pages._render import on_validation_error

_UTF8_BOM = codecs.BOM_UTF8


class ReadableBodies(HttpMiddleware):
    """In front of every route but the ballot box, behind the body's size limit."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        header = _content_type(scope)
        if header is None:
            await self.app(scope, receive, send)
            return
        if _is_json(header):
            body, more = await _read(receive)
            problem = _json_problem(body)
            if problem is None:
                await self.app(scope, _replaying(body, more, receive), send)
                return
        elif header.get_content_type() == "application/x-www-form-urlencoded":
            body, more = await _read(receive)
            problem = _form_problem(body)
            if problem is None:
                await self.app(scope, _replaying(body, more, receive), send)
                return
        elif _is_multipart_not_utf8(header):
            problem = {
                "type": "value_error",
                "loc": ("body",),
                "msg": "a form is read as UTF-8: send it without a charset, or with charset=utf-8",
            }
        else:
            await self.app(scope, receive, send)
            return
        answer = await on_validation_error(
            Request(scope, receive), RequestValidationError([problem])
        )
        await answer(scope, receive, send)


def _content_type(scope: Scope) -> Header | None:
    for name, value in scope["headers"]:
        if name == b"content-type":
            header = Header()
            header["content-type"] = value.decode("latin-1")
            return header
    return None


def _is_json(header: Header) -> bool:
    """As FastAPI tells a JSON body: ``application/json`` or ``application/…+json``."""
    subtype = header.get_content_subtype()
    return header.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json")
    )


def _is_multipart_not_utf8(header: Header) -> bool:
    charset = header.get_param("charset")
    if header.get_content_type() != "multipart/form-data" or not isinstance(charset, str):
        return False
    try:
        return codecs.lookup(charset).name != "utf-8"
    except LookupError:
        return False  # the form reader decodes an unknown charset as Latin-1: no surrogate


async def _read(receive: Receive) -> tuple[bytes, Message | None]:
    """The whole body, and the message that ended it early (the client gone), if one did."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), message
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks), None


def _json_problem(body: bytes) -> dict[str, object] | None:
    """The problem pydantic finds reading the body as JSON, as the ballot box reports it;
    None for a body that reads (or an empty one, which the route refuses itself)."""
    if not body.strip():
        return None
    try:
        # Python's reader takes a leading byte-order mark; so does this check.
        from_json(body.removeprefix(_UTF8_BOM), allow_inf_nan=True, cache_strings=False)
    except ValueError as error:
        return {
            "type": "json_invalid",
            "loc": ("body",),
            "msg": f"Invalid JSON: {error}",
            "ctx": {"error": str(error)},
        }
    return None


def _form_problem(body: bytes) -> dict[str, object] | None:
    """A form field whose bytes, percent-encoded, are not UTF-8 (half of a character, as
    ``%ED%A0%80``, or another encoding): the form reader would put "\ufffd" in their place
    and the record would keep it."""
    for pair in body.split(b"&"):
        name, _, value = pair.partition(b"=")
        for part in (name, value):
            try:
                unquote_to_bytes(part.replace(b"+", b" ")).decode("utf-8")
            except UnicodeDecodeError:
                field = unquote_to_bytes(name).decode("utf-8", "replace")
                return {
                    "type": "value_error",
                    "loc": ("body", field),
                    "msg": "holds bytes that are not UTF-8 (half of a character, or another "
                    "encoding); send the form as UTF-8",
                }
    return None


def _replaying(body: bytes, ended: Message | None, receive: Receive) -> Receive:
    """The body read, handed to the application again; then the client's own messages."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            if ended is None:
                return {"type": "http.request", "body": body, "more_body": False}
            return ended
        return await receive()

    return replay
