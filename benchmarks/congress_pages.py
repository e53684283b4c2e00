"""How fast the main pages answer during a congress of 300 delegates (issue #17: under 200 ms).

Run: .venv/bin/python -m benchmarks.congress_pages [--delegates N] [--repeat N]

From an empty SQLite database the congress is set up through the API, as a secretary would
through the pages: the first start, a body and its term, the delegates imported as its
members, a meeting convened and in session with its agenda, every delegate checked in, an
item under discussion with ten speakers waiting, a draft with an amendment, an open vote
with half of the ballots cast and an election in draft. Then each page is asked
``--repeat`` times, in-process, by the secretary or by a delegate logged in with their card,
and the table gives the median and the slowest answer against the 200 ms target.

The peer in the same run is the same congress with ``--baseline`` delegates (10): each page's
median there, and how many times slower the full size is — what the delegates themselves cost
a page, apart from what any page costs.
"""

from __future__ import annotations

import argparse
import re
import secrets
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from veche import migrate
from veche.db import make_engine
from veche.web.app import create_app

DELEGATES = 300
BASELINE = 10
TARGET_MS = 200.0
PASSWORD = "lanterns glow over the quiet harbour"


def _ok(response: Any) -> Any:
    assert response.is_success, (response.request.url, response.status_code, response.text[:500])
    return response.json()


class Api:
    def __init__(self, client: TestClient, token: str) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}

    def post(self, path: str, **body: Any) -> Any:
        return _ok(self.client.post(f"/api{path}", json=body, headers=self.headers))


def _page_login(client: TestClient, path: str, data: dict[str, str]) -> None:
    form = client.get(path).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token is not None
    answer = client.post(path, data={**data, "csrf_token": token.group(1)}, follow_redirects=False)
    assert answer.status_code == 303, answer.text[:500]


def _paper(api: Api, poll: dict[str, Any], ballots: int) -> None:
    """``ballots`` yes votes, counted on paper (the API casts no ballot for a card's holder)."""
    yes = next(option["id"] for option in poll["options"] if option["label"] == "yes")
    lot = {"choice": {"option": yes}, "count": ballots}
    api.post(f"/polls/{poll['id']}/paper", lots=[lot], lot_key=secrets.token_hex(16))


def _congress(client: TestClient, delegates: int) -> dict[str, Any]:
    """The congress in session; the ids the pages are asked with, and a delegate's code."""
    _ok(
        client.post(
            "/api/setup",
            json={
                "organization": "Riverside Cooperative Union",
                "username": "secretary",
                "password": PASSWORD,
            },
        )
    )
    login = {"username": "secretary", "password": PASSWORD}
    token = _ok(client.post("/api/tokens", json=login))["token"]
    api = Api(client, token)
    body = api.post("/bodies", name="Congress")["id"]
    term = api.post("/terms", body_id=body, starts_on="2026-01-01")["id"]
    rows = "".join(f"Delegate {n:03d},Congress,member\n" for n in range(1, delegates + 1))
    _ok(
        client.post(
            "/api/imports/members",
            files={"file": ("members.csv", f"name,body,role\n{rows}", "text/csv")},
            headers=api.headers,
        ),
    )
    today = date.today().isoformat()
    meeting = api.post(
        "/meetings",
        term_id=term,
        title="Plenary Meeting",
        starts_on=today,
        notice="The congress meets to hear the report of the Board.",
    )["id"]
    api.post(f"/meetings/{meeting}/state", state="convened")
    api.post(f"/meetings/{meeting}/state", state="in_session")
    items = [
        api.post(f"/meetings/{meeting}/agenda", title=title)["id"]
        for title in ("Report of the Board", "Membership fee", "Election of the auditors")
    ]
    cards = api.post(f"/meetings/{meeting}/access-codes")
    people = [card["person_id"] for card in cards]
    api.post(f"/meetings/{meeting}/attendance", person_ids=people, present=True)
    approval = api.post(
        f"/meetings/{meeting}/polls",
        title="Approve the agenda",
        kind="decision",
        method="majority",
        approves_agenda=True,
    )
    api.post(f"/polls/{approval['id']}/open")
    _paper(api, approval, len(cards) // 2)
    api.post(f"/polls/{approval['id']}/close")
    api.post(f"/polls/{approval['id']}/publish")
    api.post(f"/agenda-items/{items[0]}/open")
    for person in people[:10]:
        api.post(f"/agenda-items/{items[0]}/speakers", kind="speech", person_id=person)
    text = "1. The Congress approves the report.\n2. The Board reports within a year.\n"
    motion = api.post(
        f"/meetings/{meeting}/motions",
        title="On the report",
        text=text,
        agenda_item_id=items[0],
        submitter_person_ids=[people[0]],
    )["id"]
    api.post(
        f"/motions/{motion}/amendments",
        clause="2",
        proposer_person_id=people[1],
        new_text="2. The Board reports within six months.",
    )
    vote = api.post(
        f"/meetings/{meeting}/polls",
        title="A membership fee of 12 units",
        kind="decision",
        method="majority",
        agenda_item_id=items[1],
    )
    api.post(f"/polls/{vote['id']}/open")
    election = api.post(
        f"/meetings/{meeting}/polls",
        title="Election of two auditors",
        kind="election",
        method="scottish-stv",
        seats=2,
        options=["Delegate 001", "Delegate 002", "Delegate 003", "Delegate 004"],
        agenda_item_id=items[2],
    )["id"]
    _paper(api, vote, len(cards) // 2)
    return {
        "meeting": meeting,
        "motion": motion,
        "vote": vote["id"],
        "election": election,
        "code": cards[-1]["code"],
    }


def _timed(client: TestClient, path: str, repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        answer = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        assert answer.status_code == 200, (path, answer.status_code, answer.text[:300])
    return statistics.median(times), max(times)


def _pages(ids: dict[str, Any]) -> dict[str, list[str]]:
    """The pages asked, by who asks them."""
    m = ids["meeting"]
    return {
        "secretary": [
            "/secretary",
            "/secretary/people",
            "/secretary/people?q=delegate+29",
            "/secretary/accounts",
            f"/secretary/meetings/{m}",
            f"/secretary/meetings/{m}?q=delegate+1",
            f"/secretary/meetings/{m}/agenda",
            f"/secretary/meetings/{m}/paper",
            f"/meetings/{m}/console",
            f"/meetings/{m}/console/current",
            f"/meetings/{m}/console/floor",
            f"/meetings/{m}/projector",
            f"/meetings/{m}/projector/current",
            f"/meetings/{m}/motions",
            f"/meetings/{m}/motions/{ids['motion']}",
            f"/meetings/{m}/polls/{ids['election']}/candidates",
            f"/meetings/{m}/reports/communique",
            f"/meetings/{m}/reports/minutes",
        ],
        "delegate": [
            f"/meetings/{m}",
            f"/meetings/{m}/room",
            f"/meetings/{m}/floor",
            f"/meetings/{m}/agenda",
            f"/meetings/{m}/my-votes",
            f"/meetings/{m}/polls/{ids['vote']}/vote",
            f"/meetings/{m}/motions/{ids['motion']}",
        ],
        "anyone": ["/", "/public"],
    }


def _measured(delegates: int, repeat: int) -> dict[tuple[str, str], tuple[float, float]]:
    """Each page's median and slowest answer (ms), by who asked and the page's address with
    its ids as ``{id}``, in a congress of ``delegates`` set up afresh."""
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'veche.sqlite3'}")
        migrate.upgrade(engine)
        app = create_app(engine)
        try:
            with TestClient(app) as client, TestClient(app) as delegate:
                ids = _congress(client, delegates)
                _page_login(client, "/login", {"username": "secretary", "password": PASSWORD})
                _page_login(delegate, "/login/code", {"code": ids["code"]})
                clients = {"secretary": client, "delegate": delegate, "anyone": client}
                return {
                    (who, re.sub(r"/\d+", "/{id}", path)): _timed(clients[who], path, repeat)
                    for who, paths in _pages(ids).items()
                    for path in paths
                }
        finally:
            engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delegates", type=int, default=DELEGATES)
    parser.add_argument("--baseline", type=int, default=BASELINE, help="the peer's delegates")
    parser.add_argument("--repeat", type=int, default=9)
    options = parser.parse_args()
    if not 4 <= options.baseline <= options.delegates:
        parser.error(
            "--baseline must be at least 4 (the election's candidates) and at most --delegates"
        )
    full = _measured(options.delegates, options.repeat)
    small = _measured(options.baseline, options.repeat)
    print(f"{options.delegates} delegates, {options.repeat} requests each, SQLite; the peer:")
    print(f"the same congress with {options.baseline} delegates\n")
    print(
        f"| who | page | median ms | slowest ms | under {TARGET_MS:.0f} ms "
        f"| median ms at {options.baseline} | × |"
    )
    print("| --- | --- | ---: | ---: | --- | ---: | ---: |")
    for (who, page), (median, slowest) in full.items():
        verdict = "yes" if slowest < TARGET_MS else "median" if median < TARGET_MS else "NO"
        peer = small[(who, page)][0]
        print(
            f"| {who} | `{page}` | {median:.0f} | {slowest:.0f} | {verdict} "
            f"| {peer:.0f} | {median / peer:.1f} |"
        )


if __name__ == "__main__":
    main()
