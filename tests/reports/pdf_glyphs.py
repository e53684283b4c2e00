"""What a PDF really draws: the characters its fonts have glyphs for, and its empty boxes."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TypeVar

from pypdf import PdfReader
from pypdf.generic import ArrayObject, ContentStream, DictionaryObject, IndirectObject, StreamObject

_Found = TypeVar("_Found")
_BFCHAR = re.compile(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")


@dataclass
class Drawn:
    #: Every character that some glyph other than .notdef stands for (the fonts' ToUnicode).
    characters: set[str] = field(default_factory=set)
    #: How many times a glyph was drawn as .notdef (glyph 0): an empty box on paper.
    boxes: int = 0
    #: The fonts embedded, by their PostScript names (without the subset's prefix).
    fonts: set[str] = field(default_factory=set)

    def missing(self, text: str) -> list[str]:
        """The characters of ``text`` (spaces aside) that no glyph of the PDF draws."""
        return sorted({c for c in text if not c.isspace() and c not in self.characters})


def drawn(pdf: bytes) -> Drawn:
    """What the PDF draws, from its pages' content streams and every Form XObject in them."""
    result = Drawn()
    reader = PdfReader(io.BytesIO(pdf))
    for page in reader.pages:
        contents = page.get_contents()
        assert contents is not None
        for resources, stream in _streams(
            _resolved(page["/Resources"], DictionaryObject), contents
        ):
            result.boxes += _notdefs(reader, resources, stream)
            fonts = resources.get("/Font")
            for font in (fonts.get_object() if fonts else {}).values():
                font = font.get_object()
                # A Type 3 font (the colour emoji, drawn as pictures) has no PostScript name.
                name = font.get("/BaseFont", "Type3")
                result.fonts.add(str(name).split("+", 1)[-1])
                result.characters |= _mapped(font)
    return result


def _resolved(value: object, kind: type[_Found]) -> _Found:
    """``value``, followed if it is a reference, as a ``kind``."""
    found = value.get_object() if isinstance(value, IndirectObject) else value
    assert isinstance(found, kind), found
    return found


def _streams(
    resources: DictionaryObject, stream: StreamObject
) -> Iterator[tuple[DictionaryObject, StreamObject]]:
    yield resources, stream
    xobjects = resources.get("/XObject")
    for xobject in (xobjects.get_object() if xobjects else {}).values():
        form = xobject.get_object()
        if form.get("/Subtype") == "/Form":
            inner = form.get("/Resources")
            yield from _streams(inner.get_object() if inner else resources, form)


def _mapped(font: DictionaryObject) -> set[str]:
    """The characters the font's ToUnicode map gives a glyph other than 0 (.notdef) for. In a
    Type 3 font (pictures, as the colour emoji are drawn) code 0 is a picture like the others."""
    if "/ToUnicode" not in font:
        return set()
    notdef = -1 if font.get("/Subtype") == "/Type3" else 0
    cmap = _resolved(font["/ToUnicode"], StreamObject).get_data().decode("latin-1")
    characters: set[str] = set()
    for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
        for code, text in _BFCHAR.findall(block):
            if int(code, 16) != notdef:
                characters |= set(bytes.fromhex(text).decode("utf-16-be"))
    for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
        for low, high, first in re.findall(
            r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block
        ):
            start = int(first, 16)
            for offset in range(int(high, 16) - int(low, 16) + 1):
                if int(low, 16) + offset != notdef:
                    characters.add(chr(start + offset))
    return characters


def _notdefs(reader: PdfReader, resources: DictionaryObject, stream: StreamObject) -> int:
    """How many glyphs the stream draws as glyph 0 in a two-byte (Identity-H) font."""
    fonts = resources.get("/Font")
    fonts = fonts.get_object() if fonts else {}
    two_bytes = False
    boxes = 0
    for operands, operator in ContentStream(stream, reader).operations:
        if operator == b"Tf":
            font = fonts[operands[0]].get_object()
            two_bytes = font.get("/Encoding") == "/Identity-H"
        elif operator in (b"Tj", b"TJ", b"'", b'"') and two_bytes:
            strings = operands[0] if isinstance(operands[0], ArrayObject) else operands[-1:]
            for string in strings:
                if isinstance(string, int | float):
                    continue
                codes = bytes(string.original_bytes)
                boxes += sum(
                    1 for n in range(0, len(codes) - 1, 2) if codes[n] == codes[n + 1] == 0
                )
    return boxes
