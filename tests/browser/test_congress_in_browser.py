"""A whole congress run from the browser alone, from an empty database (issue #17's test).

Set-up through the first-start page, people imported, a meeting convened with its notice,
access cards printed and checked at the door, delegates on their phones (one on two), the
agenda approved by vote, a debate with a point of order, a draft tabled, amended by clause
and adopted by two-thirds, a show of hands the tellers enter, an STV election of 2 among
4, the meeting closed and its report published: then a visitor reads every result in the
public communiqué. Each role is its own browser profile; only the pages are used.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.apps import create_app
from tests.browser.conftest import PHONE, check_accessibility, save_screen
from tests.web.live_server import serve
from veche.db import make_engine

MEETING = "Plenary Meeting"
LAPTOP = {"width": 1366, "height": 768}
PASSWORD = "lanterns glow over the quiet harbour"
TELLER_PASSWORD = "ferries count the tides at noon"

CHAIR = "Ana Petrova"
#: The delegates on phones; the first logs in on two.
DELEGATES = ("Boris Lind", "Clara Novak", "Dmitri Halas", "Elena Voss", "Filip Moor")
BORIS, CLARA, DMITRI, ELENA, FILIP = DELEGATES
#: Checked in at the door by their cards; the others by logging in during the session.
AT_THE_DOOR = (CHAIR, FILIP)

ITEMS = ("Report of the Board", "Membership fee", "Election of the auditors")
MOTION_TEXT = (
    "1. The Congress approves the report of the Board.\n"
    "2. The Board reports again within twelve months.\n"
    "3. This resolution takes effect on its adoption.\n"
)
AMENDED_CLAUSE = "2. The Board reports again within six months."
FEE_TOTALS = {"yes": "4", "no": "1", "abstain": "1"}
CANDIDATES = (BORIS, CLARA, DMITRI, ELENA)
#: Ranked ballots for the auditors, by phone: a Droop quota of 2 elects Clara and Elena.
RANKINGS = {
    BORIS: (CLARA, ELENA),
    CLARA: (CLARA, ELENA),
    DMITRI: (ELENA, CLARA),
    ELENA: (ELENA, DMITRI),
    FILIP: (DMITRI, BORIS),
}


@pytest.fixture
def empty_site(database_url: str) -> Iterator[str]:
    """A real server on a migrated SQLite database that holds no organization yet."""
    engine = make_engine(database_url)
    try:
        with serve(create_app(engine)) as url:
            yield url
    finally:
        engine.dispose()


@dataclass
class Recorder:
    """Screenshots of each role at each step, and axe once on every distinct page."""

    chromium: Browser
    url: str
    contexts: list[BrowserContext] = field(default_factory=list)
    checked: set[str] = field(default_factory=set)
    step: int = 0

    def open(self, viewport: dict[str, int]) -> Page:
        """A page in a browser profile of its own, as another person's device."""
        context = self.chromium.new_context(base_url=self.url, viewport=viewport)  # type: ignore[arg-type]
        context.set_default_timeout(15_000)
        self.contexts.append(context)
        return context.new_page()

    def next_step(self) -> None:
        self.step += 1

    def shot(self, page: Page, role: str, what: str) -> None:
        """Save what ``role`` sees now (when screenshots are asked for); check the page with
        axe the first time it is seen."""
        save_screen(page, f"congress-{self.step:02d}-{role}-{what}", quality=70)
        # A page is the same page whatever the ids in its address.
        route = re.sub(r"/\d+", "/N", page.url.removeprefix(self.url).split("#")[0])
        if route not in self.checked:
            self.checked.add(route)
            assert check_accessibility(page) == [], route

    def shoot_all(self, what: str) -> None:
        """Every device's screen, saved and its text printed: where each role was left."""
        for number, context in enumerate(self.contexts):
            for page in context.pages:
                name = f"congress-{what}-{number}"
                save_screen(page, name, anyway=True)
                print(
                    f"--- {name}.jpeg: {page.url}\n{page.inner_text('body', timeout=2000)[:1500]}"
                )

    def close(self) -> None:
        for context in self.contexts:
            context.close()


def test_a_congress_runs_from_the_browser_alone(chromium: Browser, empty_site: str) -> None:
    run = Recorder(chromium, empty_site)
    try:
        _run_congress(run)
    except Exception:
        run.shoot_all("failure")  # every role's screen when the test stopped
        raise
    finally:
        run.close()


def _run_congress(run: Recorder) -> None:
    secretary = run.open(LAPTOP)
    meeting = _set_up_and_prepare(run, secretary)
    cards = _print_cards(run, secretary)
    _open_the_session_and_the_door(run, secretary, cards)
    chair, phones = _log_in(run, secretary, meeting, cards)
    _approve_the_agenda(run, secretary, chair, phones)
    _debate_item_one(run, chair, phones)
    _adopt_the_draft(run, secretary, chair, phones)
    _show_of_hands(run, chair, meeting)
    _elect_the_auditors(run, chair, phones)
    _close_and_publish(run, secretary)
    _read_the_communique(run)


def _set_up_and_prepare(run: Recorder, secretary: Page) -> str:
    """The first start, a body and its term, the people imported, a meeting convened."""
    run.next_step()
    secretary.goto("/")
    expect(secretary).to_have_url(re.compile(r"/setup$"))
    run.shot(secretary, "secretary", "setup")
    secretary.get_by_label("The organization's name").fill("Riverside Cooperative Union")
    secretary.get_by_label("Short name (optional, shown in the header)").fill("RCU")
    secretary.get_by_label("The first secretary's user name").fill("secretary")
    secretary.get_by_label("Their password", exact=True).fill(PASSWORD)
    secretary.get_by_label("Their password again").fill(PASSWORD)
    secretary.get_by_role("button", name="Set up").click()
    # Logged in at once, on the secretary's pages.
    expect(secretary.get_by_role("status")).to_contain_text("veche is set up for RCU")
    expect(secretary).to_have_url(re.compile(r"/secretary$"))

    run.next_step()
    secretary.get_by_label("Name", exact=True).fill("Congress")
    secretary.get_by_role("button", name="Create the body").click()
    expect(secretary.get_by_role("status")).to_contain_text("Body created: Congress")
    secretary.get_by_label("Starts on").fill((date.today() - timedelta(days=30)).isoformat())
    secretary.get_by_role("button", name="Open the term").click()
    expect(secretary.get_by_role("status")).to_contain_text("Term 1 of the Congress opened")
    run.shot(secretary, "secretary", "body-and-term")

    secretary.get_by_role("link", name="People and seats").click()
    rows = "".join(f"{name},Congress,member\n" for name in (CHAIR, *DELEGATES))
    secretary.get_by_label("CSV file (UTF-8)").set_input_files(
        {
            "name": "members.csv",
            "mimeType": "text/csv",
            "buffer": f"name,body,role\n{rows}".encode(),
        }
    )
    secretary.get_by_role("button", name="Import").click()
    expect(secretary.get_by_role("status")).to_contain_text("Imported 6 seats (6 new people)")
    run.shot(secretary, "secretary", "people")

    # The tellers' login, with the teller's role in the organization.
    secretary.get_by_role("link", name="Accounts", exact=True).click()
    secretary.get_by_label("User name", exact=True).fill("teller")
    secretary.get_by_label("Password (tell it to its holder, who changes it)").fill(TELLER_PASSWORD)
    secretary.get_by_role("button", name="Create the login").click()
    secretary.get_by_label("To the account").fill("teller")
    secretary.get_by_label("Role").select_option("teller")
    secretary.get_by_role("button", name="Grant the role").click()
    expect(secretary.get_by_text("teller in")).to_be_visible()
    run.shot(secretary, "secretary", "accounts")

    run.next_step()
    secretary.get_by_role("link", name="Bodies and meetings").click()
    secretary.get_by_label("Title").fill(MEETING)
    secretary.get_by_label("Venue").fill("Hall of the Union")
    secretary.get_by_role("button", name="Convene").click()
    expect(secretary).to_have_url(re.compile(r"/secretary/meetings/\d+#stage$"))
    meeting = re.search(r"/meetings/(\d+)", secretary.url)
    assert meeting is not None
    secretary.get_by_label("Notice of the meeting").fill(
        "The Congress meets in the Hall of the Union to hear the report of the Board, "
        "set the membership fee and elect two auditors."
    )
    secretary.get_by_role("button", name="Convene the meeting").click()
    expect(secretary.get_by_role("heading", name="Stage: Convened")).to_be_visible()
    run.shot(secretary, "secretary", "convened")

    # The chair's office, on the desk.
    row = secretary.get_by_role("row", name=re.compile(CHAIR))
    row.get_by_text("Change").click()
    row.get_by_label("Office", exact=True).select_option(label="chair")
    row.get_by_role("button", name=f"Set the office and votes of {CHAIR}").click()
    expect(secretary.get_by_role("row", name=re.compile(CHAIR))).to_contain_text("chair")

    # The agenda, with a rapporteur for the report.
    secretary.get_by_role("link", name="Edit the agenda").click()
    for title in ITEMS:
        secretary.get_by_label("Title", exact=True).last.fill(title)
        if title == ITEMS[0]:
            secretary.locator("#new-rapporteur").fill(BORIS)  # among the names offered
        secretary.get_by_role("button", name="Add to the agenda").click()
        expect(secretary.get_by_role("heading", name=re.compile(title))).to_be_visible()
    run.shot(secretary, "secretary", "agenda")
    return meeting.group(1)


def _log_in_with_password(page: Page, username: str, password: str) -> None:
    page.goto("/login")
    page.get_by_label("User name", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()


def _print_cards(run: Recorder, secretary: Page) -> dict[str, str]:
    """The sheet of access cards: each participant's name and the address its QR code holds."""
    run.next_step()
    secretary.get_by_role("link", name="Secretary's desk").click()
    secretary.get_by_role("button", name="Print cards for every participant").click()
    cards = secretary.locator(".access-card")
    expect(cards).to_have_count(6)
    run.shot(secretary, "secretary", "access-cards")
    # The QR code holds the card's address with its code after '#', as a scanner types it.
    found = {
        card.locator(".card-name").inner_text(): card.locator(".card-url").inner_text()
        + "#"
        + card.locator(".card-code").inner_text()
        for card in cards.all()
    }
    assert all(url.startswith(f"{run.url}/login/code#") for url in found.values()), found
    return found


def _open_the_session_and_the_door(run: Recorder, secretary: Page, cards: dict[str, str]) -> None:
    run.next_step()
    secretary.get_by_role("link", name="Back to the desk").click()
    secretary.get_by_role("button", name="Open the session").click()
    expect(secretary.get_by_role("heading", name="Stage: In session")).to_be_visible()
    # A scanner types the whole address the QR code holds into the door's field.
    for name in AT_THE_DOOR:
        door = secretary.get_by_label("Access code")
        door.fill(cards[name])
        door.press("Enter")
        expect(secretary.get_by_role("status")).to_contain_text(f"{name} is checked in")
    run.shot(secretary, "secretary", "door")


def _log_in(
    run: Recorder, secretary: Page, meeting: str, cards: dict[str, str]
) -> tuple[Page, dict[str, Page]]:
    """The chair on a laptop and each delegate on a phone, by their cards; Boris twice."""
    run.next_step()
    chair = run.open(LAPTOP)
    phones = {name: run.open(PHONE) for name in DELEGATES}
    phones["Boris, second phone"] = run.open(PHONE)
    holders = {chair: cards[CHAIR]} | {
        phone: cards[BORIS if name.startswith("Boris") else name] for name, phone in phones.items()
    }
    # Everyone at once, as a hall does: the server answers them side by side.
    for page, card in holders.items():
        page.goto(card)
    for page in holders:
        page.get_by_role("button", name="Enter the meeting").click()
    for page in holders:
        expect(page).to_have_url(re.compile(rf"/meetings/{meeting}$"))
    chair.get_by_role("link", name="Chair's console").click()
    run.shot(chair, "chair", "console")
    run.shot(phones[BORIS], "delegate", "meeting")
    # Logging in during the session checked them in.
    secretary.reload()
    expect(secretary.get_by_text("Quorum met: 6 of 6 voting rights present")).to_be_visible()
    return chair, phones


def _vote(title: str, ballots: list[tuple[Page, str | tuple[str, ...]]]) -> None:
    """Each phone votes on ``title`` from the meeting page: one choice, or candidates ranked
    in order. The phones go step by step together, as in a hall, so that the server answers
    them side by side."""
    for phone, _choice in ballots:
        poll = phone.locator("li.poll", has=phone.get_by_role("heading", name=title, exact=True))
        poll.get_by_role("link", name="Vote now").click()
    for phone, choice in ballots:
        if isinstance(choice, str):
            phone.get_by_label(choice, exact=True).check()
        else:
            for rank, name in enumerate(choice, start=1):
                phone.get_by_label(name, exact=True).fill(str(rank))
        phone.get_by_role("button", name="Review my ballot").click()
    for phone, _choice in ballots:
        confirm = phone.get_by_role("button", name="Confirm and cast my ballot")
        expect(confirm).to_be_enabled()  # once the page's script has made the client key
        confirm.click()
    for phone, _choice in ballots:
        expect(phone.get_by_role("heading", name="Your ballot is cast")).to_be_visible()
        phone.get_by_role("link", name="Back to the meeting").click()


def _run_the_vote(run: Recorder, chair: Page, title: str, ballots: int) -> None:
    """The chair closes the vote once ``ballots`` are in, counts, and publishes."""
    expect(chair.get_by_test_id("ballots-received")).to_have_text(str(ballots))
    chair.get_by_role("button", name="Close and count", exact=True).click()
    chair.get_by_role("button", name="Close voting and count").click()
    expect(chair.get_by_test_id("outcome")).to_be_visible()
    chair.get_by_role("button", name="Publish the result", exact=True).click()
    expect(chair.get_by_test_id("outcome")).not_to_contain_text("not yet published")
    run.shot(chair, "chair", re.sub(r"\W+", "-", title.lower()))


def _approve_the_agenda(
    run: Recorder, secretary: Page, chair: Page, phones: dict[str, Page]
) -> None:
    run.next_step()
    secretary.get_by_role("link", name="Edit the agenda").click()
    secretary.get_by_role("button", name="Put the agenda to the vote").click()
    expect(secretary.get_by_test_id("agenda-state")).to_contain_text("Not approved yet")
    # The console lists the new poll by itself; the chair opens it from there.
    title = "Approve the agenda"
    _open_voting(chair, title)
    _vote(title, [(phones[name], "yes") for name in DELEGATES])
    run.shot(phones[CLARA], "delegate", "voted")
    _run_the_vote(run, chair, title, len(DELEGATES))
    secretary.reload()
    expect(secretary.get_by_test_id("agenda-state")).to_contain_text("Approved by the poll")
    run.shot(secretary, "secretary", "agenda-approved")


def _debate_item_one(run: Recorder, chair: Page, phones: dict[str, Page]) -> None:
    """Two ask for the floor, then a point of order, heard first."""
    run.next_step()
    chair.get_by_role("button", name=f"Take up item 1: {ITEMS[0]}").click()
    for name in (CLARA, DMITRI):
        phones[name].get_by_role("button", name="Ask for the floor").click()
        expect(phones[name].get_by_test_id("my-place")).to_be_visible()
    phones[ELENA].get_by_role("button", name="Raise a point of order").click()
    expect(phones[ELENA].get_by_test_id("my-place")).to_contain_text("Your point of order")
    chair.get_by_role("button", name=f"Give the floor to {ELENA}").click()
    expect(phones[ELENA].get_by_text("You have the floor.")).to_be_visible()
    run.shot(phones[ELENA], "delegate", "floor")
    run.shot(chair, "chair", "floor")
    chair.get_by_role("button", name="End the speech").click()
    chair.get_by_role("button", name=f"Give the floor to {CLARA}").click()
    expect(phones[CLARA].get_by_text("You have the floor.")).to_be_visible()
    chair.get_by_role("button", name="End the speech").click()
    expect(chair.get_by_role("button", name=f"Give the floor to {DMITRI}")).to_be_visible()


def _adopt_the_draft(run: Recorder, secretary: Page, chair: Page, phones: dict[str, Page]) -> None:
    """Tabled by Boris, amended by Clara in clause 2, adopted by two-thirds of the votes cast."""
    run.next_step()
    boris = phones[BORIS]
    boris.get_by_role("link", name="Drafts").click()
    boris.get_by_label("Title").fill("On the report of the Board")
    boris.get_by_label("Text").fill(MOTION_TEXT)
    boris.get_by_role("button", name="Table the draft").click()
    expect(
        boris.get_by_role("heading", name=re.compile("On the report of the Board"))
    ).to_be_visible()
    run.shot(boris, "delegate", "draft-tabled")

    clara = phones[CLARA]
    clara.get_by_role("link", name="Drafts").click()
    clara.get_by_role("link", name=re.compile("On the report of the Board")).click()
    clara.get_by_role("link", name="Amend clause 2").click()
    wording = clara.get_by_label("New wording")
    expect(wording).to_be_focused()
    wording.fill(AMENDED_CLAUSE)
    clara.get_by_role("button", name="Propose the amendment").click()
    expect(clara.get_by_role("heading", name=re.compile("Amendment 1 to clause 2"))).to_be_visible()
    run.shot(clara, "delegate", "amendment")
    for phone in (boris, clara):
        phone.get_by_role("link", name="Meeting", exact=True).click()

    secretary.get_by_role("link", name="Drafts").click()
    secretary.get_by_role("link", name=re.compile("On the report of the Board")).click()
    secretary.get_by_role("button", name="Accept: amendment 1").click()
    expect(secretary.locator("td.line", has_text="within six months")).to_be_visible()
    secretary.get_by_text("Freeze the final text").first.click()
    secretary.get_by_label(re.compile("The text stands as shown above")).check()
    secretary.get_by_role("button", name="Freeze the final text").click()
    secretary.get_by_text("Put it to the vote").click()
    secretary.get_by_label("Majority required").select_option("qualified")
    secretary.get_by_label(re.compile("Share of yes votes required")).fill("2/3")
    secretary.get_by_role("button", name="Make the vote ready").click()
    run.shot(secretary, "secretary", "motion-vote-ready")

    title = "Adoption of motion 1: On the report of the Board"
    _open_voting(chair, title)
    # Boris votes from his second phone; his first then shows his vote as used.
    second = phones["Boris, second phone"]
    _vote(title, [(second, "yes"), *((phones[name], "yes") for name in (CLARA, DMITRI, ELENA))])
    _vote(title, [(phones[FILIP], "no")])
    # His first phone stops offering the vote by itself: its page learns of his own ballot.
    poll = phones[BORIS].locator("li.poll", has_text=title)
    expect(poll).to_contain_text("You have voted")
    expect(poll.get_by_role("link", name="Vote now")).to_have_count(0)
    _run_the_vote(run, chair, title, len(DELEGATES))

    secretary.reload()
    secretary.get_by_label(re.compile("Record the outcome of this vote")).check()
    secretary.get_by_role("button", name="Record the outcome").click()
    expect(secretary.get_by_test_id("adopted")).to_contain_text("Adopted as resolution 1")
    run.shot(secretary, "secretary", "motion-adopted")


def _show_of_hands(run: Recorder, chair: Page, meeting: str) -> None:
    """The fee, voted by show of hands on item 2: the tellers enter the totals."""
    run.next_step()
    chair.get_by_role("button", name="Close the item").click()
    chair.get_by_role("button", name=f"Take up item 2: {ITEMS[1]}").click()
    title = "A membership fee of 12 units a year"
    _new_poll(chair, title, kind="decision", item=2, vote_by="show_of_hands")
    # The chair, who may enter the totals too, is shown where they are entered.
    expect(chair.get_by_role("link", name="Enter the totals")).to_have_attribute(
        "href", re.compile(rf"/secretary/meetings/{meeting}/paper#counted-\d+$")
    )

    teller = run.open(LAPTOP)
    _log_in_with_password(teller, "teller", TELLER_PASSWORD)
    # The teller finds the meeting from where the login leads, as a newcomer would.
    teller.get_by_role("link", name="My meetings").click()
    teller.get_by_role("link", name=re.compile("Plenary Meeting")).first.click()
    teller.get_by_role("link", name="Tellers' counts").click()
    expect(teller).to_have_url(re.compile(rf"/secretary/meetings/{meeting}/paper$"))
    for choice, count in FEE_TOTALS.items():
        teller.get_by_label(choice, exact=True).fill(count)
    teller.get_by_role("button", name=re.compile("^Enter the totals")).click()
    expect(teller.get_by_test_id("entered-totals")).to_contain_text("yes: 4")
    run.shot(teller, "teller", "totals")

    expect(chair.get_by_test_id("counted-votes")).to_contain_text("6")
    chair.get_by_role("button", name="Close and count", exact=True).click()
    chair.get_by_role("button", name="Close voting and count").click()
    chair.get_by_role("button", name="Publish the result", exact=True).click()
    expect(chair.get_by_test_id("outcome")).not_to_contain_text("not yet published")
    run.shot(chair, "chair", "show-of-hands")


def _new_poll(
    chair: Page,
    title: str,
    kind: str,
    item: int,
    vote_by: str = "ballot",
    method: str = "",
    seats: int = 1,
    options: tuple[str, ...] = (),
) -> None:
    chair.get_by_label("Question or title").fill(title)
    chair.get_by_label("Kind", exact=True).select_option(kind)
    chair.get_by_label("Agenda item").select_option(
        label=f"{item}. {ITEMS[item - 1]} (under discussion)"
    )
    if method:
        chair.get_by_label("Counting method").select_option(method)
        chair.get_by_label("Seats to fill (or options to choose)").fill(str(seats))
        chair.get_by_label(re.compile("^Options or candidates")).fill("\n".join(options))
    chair.get_by_label("Voting", exact=True).select_option(vote_by)
    chair.get_by_role("button", name="Create the poll").click()
    _open_voting(chair, title)


def _open_voting(chair: Page, title: str) -> None:
    """Open the draft ``title`` from the console's list of polls; "Now" then shows it."""
    chair.get_by_role("button", name=f"Open: {title}", exact=True).click()
    expect(chair.locator("#current h3").first).to_have_text(title)


def _elect_the_auditors(run: Recorder, chair: Page, phones: dict[str, Page]) -> None:
    run.next_step()
    chair.get_by_role("button", name="Close the item").click()
    chair.get_by_role("button", name=f"Take up item 3: {ITEMS[2]}").click()
    title = "Election of two auditors"
    _new_poll(chair, title, "election", 3, method="scottish-stv", seats=2, options=CANDIDATES)
    _vote(title, [(phones[name], ranking) for name, ranking in RANKINGS.items()])
    run.shot(phones[DMITRI], "delegate", "ranked")
    _run_the_vote(run, chair, title, len(RANKINGS))
    chair.get_by_role("button", name="Close the item").click()


def _close_and_publish(run: Recorder, secretary: Page) -> None:
    run.next_step()
    secretary.get_by_role("link", name="Secretary's desk").click()
    secretary.get_by_label("I confirm that closing the meeting ends its voting.").check()
    secretary.get_by_role("button", name="Close the meeting").click()
    expect(secretary.get_by_role("heading", name="Stage: Closed")).to_be_visible()
    secretary.get_by_role("button", name="Publish report").click()
    expect(secretary.get_by_text("The report is published.")).to_be_visible()
    run.shot(secretary, "secretary", "published")


def _read_the_communique(run: Recorder) -> None:
    run.next_step()
    visitor = run.open(PHONE)
    visitor.goto("/public")
    run.shot(visitor, "visitor", "public")
    visitor.get_by_role("link", name=re.compile("Report on the")).click()
    run.shot(visitor, "visitor", "communique")
    report = visitor.locator("body").inner_text()
    assert "approved the following agenda unanimously, 5 votes in favour" in report
    items = [report.index(f"Item {n}. {title}") for n, title in enumerate(ITEMS, start=1)]
    under = [report[start:end] for start, end in zip(items, [*items[1:], len(report)], strict=True)]
    # The draft, amended, adopted by two-thirds of the votes cast: 4 to 1 meets the rule.
    assert f"{BORIS} delivered the report" in under[0]
    assert f"Taking part in the discussion: {CLARA}." in under[0]
    assert (
        "Resolution No. 1 “On the report of the Board” — adopted by 4 votes to 1 "
        "(rule: qualified 2/3 of votes cast)."
    ) in under[0]
    # The tellers' totals of the show of hands.
    assert (
        "“A membership fee of 12 units a year” — adopted by 4 votes to 1, with 1 abstention "
        "(rule: simple majority of votes cast: more yes than no), by show of hands."
    ) in under[1]
    assert re.search(
        rf"“Election of two auditors” — elected: ({CLARA}, {ELENA}|{ELENA}, {CLARA})\.", under[2]
    )
    for other in (BORIS, DMITRI):
        assert other not in under[2]
