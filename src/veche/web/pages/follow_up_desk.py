"""The secretary's follow-up desk: for each reporting cycle and period, which units have not
reported, which hold a draft, await a decision, were returned or accepted; the return (with
what to correct) and the acceptance of a report; the roll-up with its coverage and charts; and
the period's close and freeze.

The forms are the API's: ``ReportDecisionIn`` and ``PeriodStateIn`` as a page posts them,
through the same actions. A refusal comes back on the desk, at the report or the period it is
about, with its 4xx status.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Query
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from veche.actions.access import holds
from veche.actions.follow_up_figures import readable_figures
from veche.actions.goals import reading_organization
from veche.actions.progress import check_report, readable_report
from veche.actions.reporting import readable_period
from veche.errors import Conflict, InvalidInput
from veche.follow_up.goal_labels import goal_label
from veche.i18n import _
from veche.models import ReportingPeriod
from veche.models.follow_up import (
    PERIOD_TRANSITIONS,
    REPORT_TRANSITIONS,
    Measure,
    PeriodState,
    ReportState,
)
from veche.permissions import Permission
from veche.queries.follow_up_csv import FILE_KINDS, follow_up_file
from veche.queries.follow_up_cycle import FiguresAsked
from veche.queries.follow_up_pages import period_desk
from veche.queries.follow_up_rollup import SummingUpRecord
from veche.queries.frozen_records import read_summing_up
from veche.queries.reporting import cycle_views
from veche.queries.summing_up_meetings import meetings_to_sum_up_in
from veche.reports import MEDIA_TYPES, render_summing_up
from veche.reports.document import Chart
from veche.reports.summing_up import REPORT_WORDS, STANDING_WORDS, STATUS_WORDS, summing_up
from veche.web.api.follow_up_csv import KindInPath
from veche.web.csv_answer import csv_answer
from veche.web.inputs_follow_up import PeriodStateIn, ReportDecisionIn
from veche.web.pages import _follow_up_filters  # noqa: F401 — the templates' filters
from veche.web.pages._page import Page, PageDep
from veche.web.pages._posted import PostedForm, text_of

router = APIRouter()

#: Refusals shown on the desk, at what they are about.
SHOWN_ON_DESK = (InvalidInput, Conflict)
#: The desk's columns of report states, in the order a report goes through them.
DESK_STATES = (
    None,
    ReportState.DRAFT,
    ReportState.SUBMITTED,
    ReportState.RETURNED,
    ReportState.ACCEPTED,
    ReportState.LOCKED,
)


def _desk_url(period_id: int) -> str:
    return f"/secretary/follow-up/periods/{period_id}"


@router.get("/secretary/follow-up", response_class=HTMLResponse)
def follow_up_desk(page: PageDep) -> HTMLResponse:
    """The organization's reporting cycles, each period with its reports counted by state;
    the meetings a summing-up may be filed in, each leading to its summing-up page (the
    filing is a meeting's, on one of its agenda items); and the follow-up's CSV files to
    download."""
    organization = reading_organization(page.session, page.caller)
    return page.render(
        "secretary/follow_up.html",
        organization=organization,
        cycles=cycle_views(page.session, organization.id),
        to_sum_up_in=meetings_to_sum_up_in(page.session, page.caller, organization.id),
        report_words=REPORT_WORDS,
        file_kinds=[kind.name for kind in FILE_KINDS],
        # Whether the follow-up is public is the organization's setting, on the dashboard.
        may_publish=holds(
            page.session, page.caller, Permission.ORGANIZATION_MANAGE, organization.id
        ),
    )


@router.get("/secretary/follow-up/files/{kind}.csv", response_class=Response)
def follow_up_csv_file(kind: KindInPath, page: PageDep) -> Response:
    """One of the follow-up's CSV files, as ``GET /api/follow-up/{kind}.csv`` gives it."""
    organization = reading_organization(page.session, page.caller)
    return csv_answer(follow_up_file(page.session, organization, kind))


def _charts(page: Page, period: ReportingPeriod) -> dict[str, Any]:
    """The period's roll-up for the whole organization: its coverage, its goals, and the
    summing-up's charts of each indicator (each with its table, for those who cannot see it)."""
    organization = reading_organization(page.session, page.caller)
    record = read_summing_up(page.session, FiguresAsked(organization, period.cycle, period))
    charts = [
        # The drawing is veche's own (``veche.reports.charts``), every word in it escaped.
        (Markup(block.svg), block.caption, block.table)
        for block in summing_up(record).blocks
        if isinstance(block, Chart)
    ]
    return {"rollup": record.now, "charts": charts, "goal_names": _goal_names(record)}


@dataclass(frozen=True)
class GoalNames:
    """Each goal (and each indicator's goal) as the desk names it (``goal_label``): with its
    resolution's number when the goals of several resolutions stand together; and the
    indicators measured in percent, whose figures the desk writes so (27.39 %)."""

    goals: dict[int, str]
    indicators: dict[int, str]
    in_percent: frozenset[int]


def _goal_names(record: SummingUpRecord) -> GoalNames:
    several = len(record.resolutions) > 1
    goals: dict[int, str] = {}
    indicators: dict[int, str] = {}
    in_percent: set[int] = set()
    for resolution in record.resolutions:
        for goal in resolution.goals:
            goals[goal.id] = goal_label(resolution.number if several else None, goal.path)
            for indicator in goal.indicators:
                indicators[indicator.id] = goals[goal.id]
                if indicator.measure is Measure.PERCENT:
                    in_percent.add(indicator.id)
    return GoalNames(goals, indicators, frozenset(in_percent))


def _show(
    page: Page,
    period_id: int,
    *,
    problems: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    """The desk of a period, with the problems of a form just refused at what they are about;
    its forms only for those who manage the follow-up (those who only read it read)."""
    period = readable_period(page.session, page.caller, period_id)
    organization = reading_organization(page.session, page.caller)
    desk = period_desk(page.session, organization, period)
    manages = holds(page.session, page.caller, Permission.FOLLOW_UP_MANAGE, organization.id)
    return page.render(
        "secretary/follow_up_period.html",
        status=status,
        organization=organization,
        period=period,
        cycle=period.cycle,
        desk=desk,
        desk_states=DESK_STATES,
        manages=manages,
        period_steps=[
            target.value
            for step, target in PERIOD_TRANSITIONS.steps.items()
            if PERIOD_TRANSITIONS.may_take(period.state, step)
        ],
        reviewable=[state for state in ReportState if REPORT_TRANSITIONS.may_take(state, "accept")],
        problems=problems or {},
        too_early=_too_early(period, date.today()),
        report_words=REPORT_WORDS,
        status_words=STATUS_WORDS,
        standing_words=STANDING_WORDS,
        **_charts(page, period),
    )


def _too_early(period: ReportingPeriod, today: date) -> str:
    """What a closing or a freeze on ``today`` should be cautioned of: a period that has not
    started, or not ended, has units still to report on it (nothing when it is over)."""
    if today < period.starts_on:
        caution = _(
            "This period has not started yet: it runs from %(starts)s to %(ends)s, and the "
            "units have had nothing to report on it."
        )
    elif today <= period.ends_on:
        caution = _(
            "This period has not ended yet: it runs to %(ends)s, and the units may still have "
            "figures to report for it."
        )
    else:
        return ""
    return caution % {"starts": period.starts_on.isoformat(), "ends": period.ends_on.isoformat()}


@router.get("/secretary/follow-up/periods/{period_id}", response_class=HTMLResponse)
def follow_up_period(period_id: int, page: PageDep) -> HTMLResponse:
    """A period's reports unit by unit, with the forms to return or accept each submitted one,
    the roll-up with its charts, and the period's next step."""
    return _show(page, period_id)


@router.post("/secretary/follow-up/reports/{report_id}/decision")
def decide_follow_up_report(
    report_id: int, page: PageDep, form: Annotated[ReportDecisionIn, Form()]
) -> Response:
    """Accept a submitted report, or return it saying what to correct."""
    try:
        with page.session.begin():
            report = check_report(page.session, page.caller, report_id)
            decided = form.decide(page.session, page.caller, report)
            period_id, unit = decided.period_id, decided.unit.name
    except SHOWN_ON_DESK as refusal:
        period_id = readable_report(page.session, page.caller, report_id).period_id
        problems = {f"report-{report_id}": refusal.message}
        return _show(page, period_id, problems=problems, status=refusal.status_code)
    message = (
        _("%(unit)s's report accepted.")
        if form.decision == "accepted"
        else _("%(unit)s's report returned.")
    ) % {"unit": unit}
    return page.redirect(_desk_url(period_id), message)


#: What a period's step sent without its box ticked is told (the page asks for the box; a
#: form posted by hand may not send it): neither step can be undone.
UNCONFIRMED = {
    PeriodState.CLOSED: _(
        "tick the box to close the filing: the units that have not filed can then no longer"
        " file, and a closing cannot be undone"
    ),
    PeriodState.FROZEN: _(
        "tick the box to freeze: the figures become final, and a freeze cannot be undone"
    ),
}


@router.post("/secretary/follow-up/periods/{period_id}/state")
def move_follow_up_period(
    period_id: int, page: PageDep, form: Annotated[PeriodStateIn, Form()], sent: PostedForm
) -> Response:
    """Close the period's filing, or freeze its figures: confirmed first, as neither can be
    undone."""
    unconfirmed = UNCONFIRMED.get(form.state)
    if unconfirmed is not None and text_of(sent, "confirmed") != "yes":
        with page.session.begin():
            return _show(page, period_id, problems={"period": unconfirmed}, status=422)
    try:
        with page.session.begin():
            period = form.apply(page.session, page.caller, period_id)
            name, state = period.name, period.state
    except SHOWN_ON_DESK as refusal:
        return _show(
            page, period_id, problems={"period": refusal.message}, status=refusal.status_code
        )
    return page.redirect(
        _desk_url(period_id),
        _("Period %(name)s is %(state)s.") % {"name": name, "state": _(state.value)},
    )


@router.get("/secretary/follow-up/cycles/{cycle_id}/summing-up")
def follow_up_summing_up(
    cycle_id: int,
    page: PageDep,
    period_id: Annotated[int | None, Query()] = None,
    format: Annotated[Literal["html", "pdf"], Query()] = "html",
) -> Response:
    """The interim summing-up of the cycle at the end of a period, as a page or a PDF."""
    asked = readable_figures(page.session, page.caller, cycle_id=cycle_id, period_id=period_id)
    body = render_summing_up(page.session, asked, format)
    headers = {}
    if format == "pdf":
        headers["Content-Disposition"] = f'inline; filename="summing-up-cycle-{cycle_id}.pdf"'
    return Response(body, media_type=MEDIA_TYPES[format], headers=headers)
