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
stored as "\ufffd". A multipart form's reader (Starlette's) decodes a text field, a
field's name or a file's name that is not UTF-8 as Latin-1 instead, so "Иван" typed in
windows-1251 would be stored as "Èâàí": such a form is refused too, naming the field (a
file's content stays bytes, for its route to judge). A multipart form naming
another charset is decoded by it, and some (UTF-7, ``unicode_escape``) make surrogates of
plain ASCII; one naming a charset Python does not know is decoded as Latin-1: either is
refused, as no browser sends one.
"""

from __future__ import annotations

import codecs
from email.message import Message as Header
from typing import TYPE_CHECKING
from urllib.parse import unquote_to_bytes

from fastapi.exceptions import RequestValidationError
from pydantic_core import from_json
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request
from starlette.types import Message, Receive, Scope, Send

from veche.web.asgi import HttpMiddleware
from veche.web.pages._render import on_validation_error

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

_UTF8_BOM = codecs.BOM_UTF8
_NOT_UTF8 = (
    "holds bytes that are not UTF-8 (half of a character, or another encoding); "
    "send the form as UTF-8"
)


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
        elif header.get_content_type() == "multipart/form-data":
            body, more = await _read(receive)
            problem = _multipart_problem(header, body)
            if problem is None:
                await self.app(scope, _replaying(body, more, receive), send)
                return
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
        return True  # the form reader would decode every field as Latin-1


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
                return {"type": "value_error", "loc": ("body", field), "msg": _NOT_UTF8}
    return None


class _NotUtf8(Exception):
    """Raised from the multipart reader's callbacks to stop at the first field refused."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class _MultipartFields:
    """Follows a multipart body part by part, decoding each name, file name and text field
    as UTF-8, as the form reader would have to; a file's content is not looked at."""

    def __init__(self) -> None:
        self._header_name = bytearray()
        self._header_value = bytearray()
        self._disposition = b""
        self._field = ""
        self._text: codecs.IncrementalDecoder | None = None

    def callbacks(self) -> MultipartCallbacks:
        return {
            "on_part_begin": self._begin,
            "on_header_field": lambda data, start, end: self._header_name.extend(data[start:end]),
            "on_header_value": lambda data, start, end: self._header_value.extend(data[start:end]),
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._data,
            "on_part_end": self._end,
        }

    def _begin(self) -> None:
        self._disposition = b""
        self._field = ""
        self._text = None

    def _header_end(self) -> None:
        if bytes(self._header_name).lower() == b"content-disposition":
            self._disposition = bytes(self._header_value)
        self._header_name.clear()
        self._header_value.clear()

    def _headers_finished(self) -> None:
        # Read as the form reader reads it, so that the same bytes are judged.
        _, options = parse_options_header(self._disposition)
        name = options.get(b"name", b"")
        self._field = name.decode("utf-8", "replace")
        _check(name, self._field, "its name " + _NOT_UTF8)
        if b"filename" in options:
            _check(options[b"filename"], self._field, "the file's name " + _NOT_UTF8)
        else:
            self._text = codecs.getincrementaldecoder("utf-8")()

    def _data(self, data: bytes, start: int, end: int) -> None:
        if self._text is not None:
            try:
                self._text.decode(data[start:end])
            except UnicodeDecodeError:
                raise _NotUtf8(self._field, _NOT_UTF8) from None

    def _end(self) -> None:
        if self._text is not None:
            try:
                self._text.decode(b"", final=True)  # a character cut short at the end
            except UnicodeDecodeError:
                raise _NotUtf8(self._field, _NOT_UTF8) from None


def _check(text: bytes, field: str, message: str) -> None:
    try:
        text.decode("utf-8")
    except UnicodeDecodeError:
        raise _NotUtf8(field, message) from None


def _multipart_problem(header: Header, body: bytes) -> dict[str, object] | None:
    """The first name, file name or text field of a multipart form that is not UTF-8; None
    when all are, or when the body is no form the reader takes (its route says so)."""
    _, params = parse_options_header(header["content-type"])
    boundary = params.get(b"boundary")
    if not boundary:
        return None
    try:
        parser = MultipartParser(boundary, _MultipartFields().callbacks())
        parser.write(body)
        parser.finalize()
    except _NotUtf8 as refused:
        return {"type": "value_error", "loc": ("body", refused.field), "msg": refused.message}
    except FormParserError:
        return None
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
