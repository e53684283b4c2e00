"""The resolutions registry through the API: its filter (``RegistryFilter``, the route's
query model), its pages, and its refusals of a query it cannot take."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine

from tests.web.sitting import PreparedSitting, registry_with
from veche.models.base import MAX_INT

pytestmark = pytest.mark.demo

TITLES = ["On the registry's first test", "On the registry's second test", "On the third"]


def test_the_registry_lists_filters_and_pages_as_its_query_asks(
    engine: Engine, sitting: PreparedSitting
) -> None:
    resolutions = {title: f"The council resolves {title.lower()}." for title in TITLES}
    with registry_with(engine, sitting, resolutions) as registry:
        meeting = sitting.meeting_id
        listed = registry.listed

        def titles(found: dict[str, Any]) -> list[str]:
            return [entry["title"] for entry in found["resolutions"]]

        of_meeting = listed(meeting_id=meeting)
        assert (of_meeting["total"], titles(of_meeting)) == (3, TITLES)
        term_id = registry.api.get(f"/meetings/{meeting}")["term_id"]
        assert set(TITLES) <= set(titles(listed(term_id=term_id)))
        assert listed(meeting_id=meeting, term_id=MAX_INT)["total"] == 0

        # Pages in order, the total on each.
        first, rest = listed(meeting_id=meeting, limit=2), listed(meeting_id=meeting, offset=2)
        assert (first["total"], rest["total"]) == (3, 3)
        assert titles(first) + titles(rest) == TITLES

        assert titles(listed(meeting_id=meeting, q="REGISTRY second")) == [TITLES[1]]
        assert titles(listed(meeting_id=meeting, q="resolves third")) == [TITLES[2]]

        entry = of_meeting["resolutions"][0]
        secretary = registry.api.secretary
        one = registry.client.get(f"/api/resolutions/{entry['id']}", headers=secretary)
        assert one.json() == entry
        missing = registry.client.get(f"/api/resolutions/{MAX_INT}", headers=secretary)
        assert missing.status_code == 404, missing.text


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ({"meeting_id": 0}, "meeting_id"),
        ({"body_id": MAX_INT + 1}, "body_id"),
        ({"q": "x" * 201}, "q"),
        ({"limit": 501}, "limit"),
        ({"offset": -1}, "offset"),
    ],
)
def test_a_query_the_registry_cannot_take_is_refused_naming_it(
    engine: Engine, sitting: PreparedSitting, query: dict[str, Any], named: str
) -> None:
    with registry_with(engine, sitting, {}) as registry:
        answer = registry.query(**query)
        assert answer.status_code == 422, answer.text
        assert named in answer.text
