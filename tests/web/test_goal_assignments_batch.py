"""A goal given to several units in one request (``POST /api/goals/{id}/assignments/batch``,
the page's form alike): every unit or, one refused, none, the refusal naming the unit; each
assignment journaled as one given alone. On both databases."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from tests.apps import create_app
from tests.assembly import bearer_token
from tests.prepared import prepared
from tests.web.follow_up_world import MINES, RAIL, FollowUpWorld, build_follow_up
from tests.web.sitting import journal_length
from veche.demo import DEMO_SECRETARY
from veche.models import Unit

pytestmark = pytest.mark.demo

follow_up_world = prepared("follow_up_world", build_follow_up)


def test_a_goal_given_to_several_units_at_once(
    follow_up_world: FollowUpWorld, engine: Engine, sessions: sessionmaker[Session]
) -> None:
    w = follow_up_world
    with sessions() as session:
        others = session.scalars(
            select(Unit.id).where(Unit.id.not_in(list(w.units.values()))).order_by(Unit.id)
        ).all()[:3]
    with TestClient(create_app(engine)) as client:
        token = bearer_token(client, *DEMO_SECRETARY)
        batch = f"/api/goals/{w.goal_id}/assignments/batch"

        def refused(body: object, status: int, words: str) -> None:
            before = journal_length(sessions)
            answer = client.post(batch, json=body, headers=token)
            assert answer.status_code == status, answer.text
            assert words in str(answer.json()["detail"])
            assert journal_length(sessions) == before

        # One unit has the goal already: it is named, and the others are not given it.
        refused({"unit_ids": [*others, w.units[MINES]]}, 409, f"already assigned to {MINES}")
        refused({"unit_ids": [others[0], 999_999]}, 404, "there is no unit 999999")
        refused({"unit_ids": [others[0], others[0]]}, 422, f"unit {others[0]} is named twice")
        refused({"unit_ids": []}, 422, "choose at least one unit")
        refused({"unit_ids": others, "responsible_person_id": 999_999}, 404, "no person")
        assert client.post(batch, json={"unit_ids": others}).status_code == 401

        person = client.get("/api/people?q=Railwright", headers=token).json()["people"][0]
        answer = client.post(
            batch,
            json={
                "unit_ids": others,
                "role": "contributing",
                "responsible_person_id": person["id"],
            },
            headers=token,
        )
        assert answer.status_code == 201, answer.text
        made = answer.json()
        assert [view["unit_id"] for view in made] == others
        assert {(view["role"], view["responsible"]) for view in made} == {
            ("contributing", "Ada Railwright")
        }
        listed = client.get(f"/api/goals/{w.goal_id}", headers=token).json()["assignments"]
        assert {view["unit_id"] for view in listed} == {*others, w.units[RAIL], w.units[MINES]}
