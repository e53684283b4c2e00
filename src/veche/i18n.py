"""The one translation function for texts shown to users; English is the source language."""

from __future__ import annotations

import gettext
from functools import lru_cache
from pathlib import Path

LOCALE_DIR = Path(__file__).parent / "locale"


@lru_cache(maxsize=16)
def translations(language: str = "en") -> gettext.NullTranslations:
    """Catalogues from ``veche/locale/<lang>/LC_MESSAGES/veche.mo``; English needs none."""
    return gettext.translation("veche", LOCALE_DIR, languages=[language], fallback=True)


def _(text: str) -> str:
    """Translate ``text`` for the server's language (English until catalogues are added)."""
    return translations().gettext(text)
