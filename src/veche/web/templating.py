"""Jinja2 templates, with every user-facing text going through gettext."""

from __future__ import annotations

from pathlib import Path

import jinja2
from fastapi.templating import Jinja2Templates
from markdown_it import MarkdownIt
from markupsafe import Markup

from veche.actions.polls import VOTE_BY_WORDS
from veche.i18n import translations
from veche.queries.org import ordinal
from veche.web.fragments import listens

# Raw HTML in a text stays text, so that a paper or a report cannot carry a script onto a
# page; markdown-it also refuses javascript: and data: links.
_markdown = MarkdownIt("commonmark", {"html": False})


def markdown(text: str | None) -> Markup:
    """A text written in Markdown (a paper, a report's narrative), as HTML safe to show."""
    return Markup(_markdown.render(text)) if text else Markup("")


_environment = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,
    extensions=["jinja2.ext.i18n"],
)
_environment.install_gettext_translations(translations(), newstyle=True)  # type: ignore[attr-defined]
_environment.filters["ordinal"] = ordinal  # "8th General Council"
_environment.filters["markdown"] = markdown  # {{ report.narrative|markdown }}
_environment.globals["listens"] = listens  # hx-trigger="{{ listens('console_floor') }}"
_environment.globals["vote_by_words"] = VOTE_BY_WORDS  # {{ vote_by_words[poll.vote_by] }}

templates = Jinja2Templates(env=_environment)
