"""The live events and the fragments that hear them are declared once, and agree.

Every event an action queues is heard by some fragment of the pages, or is said to be
shown nowhere live with the reason; every fragment hears declared events only; and the
pages build their triggers from the registry instead of listing events themselves.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

import veche
from tests.apps import create_app
from tests.assembly import convene
from tests.web.page_client import secretary
from veche.actions.events import LiveEventType
from veche.web.fragments import LISTENERS, PUSHED, SHOWN_NOWHERE_LIVE, listens
from veche.web.templating import templates

SOURCE = Path(veche.__file__).parent
TEMPLATES = SOURCE / "web" / "templates"
_TRIGGER = re.compile(r'hx-trigger="([^"]*)"')
_LISTENS = re.compile(r"""\{\{ listens\('(\w+)'\) \}\}""")
#: A live section (shared/_live.html) takes its hx-trigger as its third argument.
_LIVE_SECTION = re.compile(r"""\{% call live_section\([^,]+, path\([^)]*\), listens\('(\w+)'\)""")


def _heard() -> set[LiveEventType]:
    return {event for events in LISTENERS.values() for event in events}


def _queued() -> set[str]:
    """The event types named in the source's ``queue_event`` calls."""
    queued = set()
    for path in SOURCE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "queue_event"
            ):
                event = node.args[2]
                assert isinstance(event, ast.Attribute), f"{path}: {ast.unparse(node)}"
                queued.add(event.attr)
    return queued


def test_every_event_is_heard_or_said_to_be_shown_nowhere_live() -> None:
    unheard = set(LiveEventType) - _heard()
    assert unheard == set(SHOWN_NOWHERE_LIVE), "listen to it, or say why no page shows it"
    assert all(reason.strip() for reason in SHOWN_NOWHERE_LIVE.values())


def test_fragments_hear_only_declared_events_each_once() -> None:
    for fragment, events in LISTENERS.items():
        assert all(isinstance(event, LiveEventType) for event in events), fragment
        assert len(set(events)) == len(events), f"{fragment} lists an event twice"


def test_every_declared_event_is_queued_by_some_action() -> None:
    assert _queued() == {event.name for event in LiveEventType}


def test_templates_take_every_sse_trigger_from_the_registry() -> None:
    used: dict[str, str] = {}
    for path in sorted(TEMPLATES.rglob("*.html")):
        name = path.relative_to(TEMPLATES).as_posix()
        text = path.read_text(encoding="utf-8")
        heard = _LIVE_SECTION.findall(text)
        for trigger in _TRIGGER.findall(text):
            assert "sse:" not in trigger, f"{name} lists live events: use listens()"
            heard += _LISTENS.findall(trigger)
        assert len(heard) == text.count("listens("), f"{name}: listens() outside a trigger"
        for fragment in heard:
            assert fragment not in used, f"{fragment} is on {used[fragment]} already"
            used[fragment] = name
    live = (TEMPLATES / "shared" / "_live.html").read_text(encoding="utf-8")
    assert 'hx-trigger="{{ trigger }}"' in live, "a live section's trigger is its argument"
    assert set(used) == set(LISTENERS), "every declared fragment is on a page"
    for fragment in LISTENERS:
        partials = list(TEMPLATES.rglob(f"_{fragment}.html"))
        assert len(partials) == 1, f"name {fragment} after its partial, in one role's folder"


def test_a_pushed_fragment_is_swapped_from_a_stream_that_asks_for_it() -> None:
    """A fragment the stream carries fetches itself only on a resync or its refresh: the
    section that shows it must take it from the stream (``sse-swap``), and the page's stream
    must ask to carry it, or the fragment would never change."""
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for line in text.splitlines():
            for fragment in _LIVE_SECTION.findall(line):
                pushed = fragment in PUSHED
                assert (f'swap="{fragment}"' in line) == pushed, f"{path.name}: {fragment}"
                if pushed:
                    assert "?push=room,floor" in text, f"{path.name}: its stream must ask"


def test_a_trigger_is_resync_then_the_fragments_events_each_coalesced() -> None:
    assert listens("console_floor") == (
        "sse:resync delay:100ms, sse:speakers_changed delay:100ms, "
        "sse:contribution_recorded delay:100ms, sse:speech_ended delay:100ms, "
        "sse:item_opened delay:100ms, sse:item_closed delay:100ms, sse:agenda_changed delay:100ms"
    )
    # A fragment the stream carries fetches itself on a resync and on its refresh only.
    assert listens("delegate_polls") == (
        "sse:resync delay:100ms, sse:refresh_delegate_polls delay:100ms"
    )
    rendered = templates.env.from_string("{{ listens('documents_list') }}").render()
    assert rendered == (
        "sse:resync delay:100ms, sse:document_added delay:100ms, sse:agenda_changed delay:100ms"
    )
    with pytest.raises(LookupError, match="no live fragment 'nowhere'"):
        listens("nowhere")


@pytest.mark.demo
def test_the_pages_ask_for_the_registered_events(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    expected = {listens(fragment) for fragment in LISTENERS}
    app = create_app(engine)
    with TestClient(app) as client:
        meeting_id = convene(client, sessions).meeting_id
        browser = secretary(app)
        seen = set()
        for page in ("", "/console", "/projector"):
            response = browser.get(f"/meetings/{meeting_id}{page}")
            assert response.status_code == 200, response.text
            seen |= {t for t in _TRIGGER.findall(response.text) if t.startswith("sse:")}
    assert seen == expected
