"""The minutes name the proxies given for the meeting: whose vote, held by whom, given on which
day — in every format they render to, from the one document."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tests.apps import create_app
from tests.web.sitting import PreparedSitting
from veche.models import Meeting, Person
from veche.reports import build_report
from veche.reports.render import to_html, to_markdown, to_typst

GIVER, HOLDER, TAKEN_BACK = 17, 8, 18


@pytest.mark.demo
@pytest.mark.one_database
def test_the_minutes_list_every_proxy_given_and_not_taken_back(
    engine: Engine, sessions: sessionmaker[Session], sitting: PreparedSitting
) -> None:
    meeting_id = sitting.meeting_id
    with TestClient(create_app(engine)) as client:
        api = sitting.api(client)
        for grantor in (GIVER, TAKEN_BACK):
            api.post(
                f"/meetings/{meeting_id}/proxies",
                grantor_person_id=grantor,
                holder_person_id=HOLDER if grantor == GIVER else 9,
            )
        api.call("DELETE", f"/meetings/{meeting_id}/proxies/{TAKEN_BACK}", 204)
    with sessions() as session:
        meeting = session.get(Meeting, meeting_id)
        giver, holder, taken_back = (session.get(Person, p) for p in (GIVER, HOLDER, TAKEN_BACK))
        assert meeting and giver and holder and taken_back
        document = build_report(session, meeting, "minutes")
        communique = build_report(session, meeting, "communique")
        names = giver.full_name, holder.full_name, taken_back.full_name
    today = date.today()
    given_on = f"{today.day} {today.strftime('%B')} {today.year}"
    markdown = to_markdown(document)
    assert "| Member | Vote held by | Given on |" in markdown
    assert f"| {names[0]} | {names[1]} | {given_on} |" in markdown
    assert names[2] not in markdown  # taken back: no proxy at the meeting
    assert f"<td>{names[0]}</td><td>{names[1]}</td><td>{given_on}</td>" in to_html(
        document
    ).replace("\n", "")
    typst = to_typst(document)  # the PDF's source
    assert names[0] in typst and "Vote held by" in typst
    # The communiqué names no one's proxy.
    assert "Vote held by" not in to_markdown(communique)
