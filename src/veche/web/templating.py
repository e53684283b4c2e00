"""Jinja2 templates, with every user-facing text going through gettext."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import jinja2
from fastapi.templating import Jinja2Templates
from markdown_it import MarkdownIt
from markupsafe import Markup

from veche.actions.polls import VOTE_BY_WORDS, voted_how
from veche.i18n import translations
from veche.queries.org import ordinal
from veche.queries.result_summary import outcome_said
from veche.web.fragments import listens

# Raw HTML in a text stays text, so that a paper or a report cannot carry a script onto a
# page; markdown-it also refuses javascript: and data: links.
_markdown = MarkdownIt("commonmark", {"html": False})


def markdown(text: str | None) -> Markup:
    """A text written in Markdown (a paper, a report's narrative), as HTML safe to show."""
    return Markup(_markdown.render(text)) if text else Markup("")


#: A decimal figure as typed on a page: a sign, digits and a point, as ``Decimal`` reads text
#: (spaces around it allowed), so that the browser refuses "7,5" or "1 250" before the form
#: is sent, keeping what was typed. Written for the ``v`` flag browsers compile patterns with.
DECIMAL_PATTERN = r"\s*(\+|-)?([0-9]+(\.[0-9]*)?|\.[0-9]+)\s*"
#: A whole number as typed on a page (a paragraph's, a line's), as ``form_number`` reads it.
WHOLE_NUMBER_PATTERN = r"\s*[0-9]+\s*"


def figure_as_typed(value: object) -> object:
    """A figure as a person types it into a field, to show it there for changing: 18 or
    60.5, not the stored 18.0000, and without the thousands separators a page shows it with
    elsewhere (which the field's pattern refuses). Anything else as it is."""
    return format(value.normalize(), "f") if isinstance(value, Decimal) else value


_environment = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,
    extensions=["jinja2.ext.i18n"],
    # A template is read once per process, with the code it was written for: an upgrade
    # unpacked under a running server must not pair new templates with old routes (a page
    # then names a route the process does not have), and no page pays a stat per template.
    auto_reload=False,
)
_environment.install_gettext_translations(translations(), newstyle=True)  # type: ignore[attr-defined]
_environment.filters["ordinal"] = ordinal  # "8th General Council"
_environment.filters["markdown"] = markdown  # {{ report.narrative|markdown }}
_environment.filters["outcome_said"] = outcome_said  # {{ poll|outcome_said }}: lots said
_environment.filters["figure_as_typed"] = figure_as_typed  # value="{{ weight|figure_as_typed }}"
_environment.globals["listens"] = listens  # hx-trigger="{{ listens('console_floor') }}"
_environment.globals["vote_by_words"] = VOTE_BY_WORDS  # {{ vote_by_words[poll.vote_by] }}
# The words of shared/_voted_how.html's macro, which the exported files share.
_environment.globals["voted_how_words"] = voted_how
_environment.globals["DECIMAL_PATTERN"] = DECIMAL_PATTERN  # pattern="{{ DECIMAL_PATTERN }}"
_environment.globals["WHOLE_NUMBER_PATTERN"] = WHOLE_NUMBER_PATTERN

templates = Jinja2Templates(env=_environment)
