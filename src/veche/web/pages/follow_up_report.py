"""A unit's reporter files the period's progress report, from a phone as well as a desk: a
value per indicator beside its baseline, its target and the last value reported, a status per
goal with its reason, and a narrative; saved as a draft, then submitted, with files as evidence.
A report submitted is withdrawn back to a draft to correct it until the secretary decides on
it. The reports of periods whose filing has ended stay listed, to read, with the unit's card.

The form is the API's ``ReportIn`` as this page posts it (``ReportPageForm``: a field per
indicator and per goal), saved through the same action. A value or a reason refused comes back
at its field with what was typed: the form's own checks say where (the loc of a validation
error), and a line the action refuses is found by asking the action's own checks again, line
by line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import exists, select
from sqlalchemy.orm import object_session

from veche.actions.access import caller_organization
from veche.actions.evidence import do_add_evidence, do_remove_evidence, readable_evidence_list
from veche.actions.follow_up_access import units_reported_for
from veche.actions.progress import (
    StatusGiven,
    UnitPeriod,
    check_statuses,
    check_values,
    do_submit_report,
    do_withdraw_report,
    unit_period,
    withdrawable,
)
from veche.errors import Conflict, InvalidInput, VecheError
from veche.i18n import _
from veche.models import GoalAssignment, Indicator, Organization, ReportingPeriod
from veche.models.follow_up import EDITABLE_REPORT_STATES, GoalStatus, PeriodState, ReportState
from veche.queries.follow_up_pages import last_values, reports_due, reports_past
from veche.queries.progress import ReportForm, report_form
from veche.reports.charts import figure_text
from veche.reports.summing_up import REPORT_WORDS, STATUS_WORDS
from veche.web.errors import problem_said
from veche.web.form_fields import as_posted
from veche.web.inputs_evidence import read_evidence_file
from veche.web.inputs_follow_up import MAX_REPORT_LINES, ReportIn
from veche.web.pages import _follow_up_filters  # noqa: F401 — the templates' filters
from veche.web.pages._page import Page, PageDep
from veche.web.templating import templates

router = APIRouter()


def has_goals_of_its_own(organization: Organization, unit_id: int) -> bool:
    """Whether the unit is given goals itself, not only through the units below it (a region
    whose branches have them): its report card then says how its own report stands
    (``{% if has_goals_of_its_own(page.organization, card.unit_id) %}``). One query."""
    session = object_session(organization)
    if session is None:
        return True
    return bool(session.scalar(select(exists().where(GoalAssignment.unit_id == unit_id))))


templates.env.globals["has_goals_of_its_own"] = has_goals_of_its_own

#: Refusals shown on the form itself, so that nothing typed is lost.
SHOWN_ON_PAGE = (InvalidInput,)


#: The prefixes of the form's fields for one line of the report: a value per indicator, a
#: status and its reason per goal (``value_12``, ``status_4``, ``reason_4``).
LINE_FIELDS = ("value_", "status_", "reason_")


class ReportPageForm(BaseModel):
    """``ReportIn`` as the report's page posts it: ``value_<indicator id>``,
    ``status_<goal id>`` and ``reason_<goal id>``, any of them left empty (not reported), and
    ``narrative``, all kept as typed (``lines``). ``report_in`` reads them into the API's
    ``ReportIn``, whose checks say what is wrong where."""

    narrative: str = ""
    intent: Literal["save", "submit"] = "save"
    lines: dict[str, str] = Field(default_factory=dict, max_length=3 * MAX_REPORT_LINES)

    @as_posted
    def _as_posted(cls, data: dict[str, Any]) -> dict[str, Any]:
        lines = {
            name: value
            for name, value in data.items()
            if name.startswith(LINE_FIELDS) and isinstance(value, str)
        }
        kept = {name: data[name] for name in ("narrative", "intent") if name in data}
        return kept | {"lines": lines}

    def typed(self) -> dict[str, str]:
        """Every field as typed, to show the form again."""
        return self.lines | {"narrative": self.narrative}

    def report_in(self) -> PostedReport:
        body: dict[str, Any] = {"narrative": self.narrative, "values": [], "statuses": []}
        posted = PostedReport(body)
        for name, value in self.lines.items():
            if name.startswith("value_") and value.strip():
                indicator_id = name.removeprefix("value_")
                posted.value_ids.append(indicator_id)
                body["values"].append({"indicator_id": indicator_id, "value": value.strip()})
            elif name.startswith("status_") and value:
                goal_id = name.removeprefix("status_")
                posted.goal_ids.append(goal_id)
                reason = self.lines.get(f"reason_{goal_id}", "")
                body["statuses"].append({"goal_id": goal_id, "status": value, "reason": reason})
        return posted


@dataclass
class PostedReport:
    """The body of ``ReportIn`` read from the page's form, remembering which field each line
    came from, to put an error there."""

    body: dict[str, Any]
    value_ids: list[str] = field(default_factory=list)
    goal_ids: list[str] = field(default_factory=list)

    def checked(self) -> ReportIn:
        return ReportIn.model_validate(self.body)

    def field_of(self, loc: tuple[int | str, ...]) -> str | None:
        """The form's field a validation error's ``loc`` points at (None: the whole form)."""
        match loc:
            case ("narrative", *_):
                return "narrative"
            case ("values", int(line), *_) if line < len(self.value_ids):
                return f"value_{self.value_ids[line]}"
            case ("statuses", int(line), "status") if line < len(self.goal_ids):
                return f"status_{self.goal_ids[line]}"
            case ("statuses", int(line), *_) if line < len(self.goal_ids):
                return f"reason_{self.goal_ids[line]}"
        return None


def _problems_of(error: ValidationError, posted: PostedReport) -> dict[str, str]:
    problems: dict[str, str] = {}
    for found in error.errors():
        name = posted.field_of(tuple(found["loc"])) or "form"
        problems.setdefault(name, problem_said(found))
    return problems


def _lines_refused(
    page: Page, period_id: int, unit_id: int, report: ReportIn, refusal: VecheError
) -> dict[str, str]:
    """Where the action's refusal of the report lies: each line asked again of the action's
    own checks on its own; the refusal goes over the form when no single line is to blame."""
    found = unit_period(page.session, page.caller, period_id, unit_id, reading=True)
    form = report_form(page.session, found.unit, found.period, found.report)
    assigned = {goal.id for goal in form.goals}
    problems: dict[str, str] = {}
    for value in report.values:
        try:
            check_values(page.session, found.unit, assigned, {value.indicator_id: value.value})
        except InvalidInput as problem:
            problems[f"value_{value.indicator_id}"] = problem.message
    for status in report.statuses:
        given = {status.goal_id: StatusGiven(status.status, status.reason)}
        try:
            check_statuses(found.unit, assigned, given)
        except InvalidInput as problem:
            problems[f"reason_{status.goal_id}"] = problem.message
    return problems or {"form": refusal.message}


@router.get("/reporting", response_class=HTMLResponse)
def my_reports(page: PageDep) -> HTMLResponse:
    """The reports the caller files: each unit they report for, in each period still open
    (and those returned to them from a closed one); then, to read, their reports of the
    periods whose filing has ended, each with the unit's report card."""
    organization = caller_organization(page.session, page.caller)
    units = units_reported_for(page.session, page.caller)
    return page.render(
        "reporter/reports.html",
        organization=organization,
        due=reports_due(page.session, organization.id, units),
        past=reports_past(page.session, organization.id, units),
        report_words=REPORT_WORDS,
    )


@dataclass(frozen=True)
class ShownIndicator:
    """An indicator on the form, with its goalposts as the unit sees them."""

    id: int
    name: str
    unit_label: str
    measure: str
    baseline: Decimal
    target: Decimal | None
    #: Whose target it is: the unit's own for the period, or the indicator's, set for the
    #: whole organization.
    target_words: str
    band: tuple[Decimal, Decimal] | None
    last: str | None


def _indicators(page: Page, form: ReportForm, period: ReportingPeriod) -> dict[int, ShownIndicator]:
    """The form's indicators by id: the unit's own baseline and target for the period where
    it has them, else the indicator's, and the last figure the unit reported."""
    ids = [indicator.id for goal in form.goals for indicator in goal.indicators]
    rows = {
        row.id: row for row in page.session.scalars(select(Indicator).where(Indicator.id.in_(ids)))
    }
    last = last_values(page.session, form.unit_id, period)
    shown = {}
    for goal in form.goals:
        for indicator in goal.indicators:
            row = rows[indicator.id]
            band = None
            if row.band_low is not None and row.band_high is not None:
                band = (row.band_low, row.band_high)
            before = last.get(indicator.id)
            # The indicator's own target is the whole organization's, whatever its roll-up.
            if indicator.target is not None:
                target_words = _("Target for this period")
            else:
                target_words = _("The whole organization's target")
            shown[indicator.id] = ShownIndicator(
                indicator.id,
                indicator.name,
                indicator.unit_label,
                indicator.measure.value,
                indicator.baseline if indicator.baseline is not None else row.baseline_value,
                indicator.target if indicator.target is not None else row.target_value,
                target_words,
                band,
                None if before is None else f"{figure_text(before.value)} ({before.period})",
            )
    return shown


def _as_typed(value: Decimal) -> str:
    """A figure as one types it, to send again as it is: 1200.5, not 1,200.5000."""
    exact = value.normalize()
    if exact == exact.to_integral_value():
        exact = exact.quantize(Decimal(1))
    return f"{exact:f}"


def _show(
    page: Page,
    period_id: int,
    unit_id: int,
    *,
    sent: ReportPageForm | None = None,
    problems: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    """The report's form, as saved, or as just sent with the problems found in it."""
    found = unit_period(page.session, page.caller, period_id, unit_id, reading=True)
    form = report_form(page.session, found.unit, found.period, found.report)
    report = form.report
    typed: dict[str, str] = {}
    if sent is not None:
        typed = sent.typed()
    elif report is not None:
        typed["narrative"] = report.narrative
        typed |= {f"value_{v.indicator_id}": _as_typed(v.value) for v in report.values}
        for given in report.statuses:
            typed[f"status_{given.goal_id}"] = given.status.value
            typed[f"reason_{given.goal_id}"] = given.reason
    state = report.state if report is not None else None
    problems = _on_the_form(form, problems or {})
    editable = (state is None or state in EDITABLE_REPORT_STATES) and (
        found.period.state is PeriodState.OPEN or state is ReportState.RETURNED
    )
    return page.render(
        "reporter/report.html",
        status=status,
        form=form,
        report=report,
        indicators=_indicators(page, form, found.period),
        typed=typed,
        problems=problems,
        editable=editable,
        withdrawable=withdrawable(found.period, found.report),
        unchangeable=None if editable else _why_unchangeable(found),
        evidence=readable_evidence_list(page.session, page.caller, period_id, unit_id),
        statuses=[(choice.value, STATUS_WORDS[choice]) for choice in GoalStatus],
        report_words=REPORT_WORDS,
    )


def _why_unchangeable(found: UnitPeriod) -> str:
    """Why the report cannot be changed now, and what its reporter can do about it."""
    report, period = found.report, found.period
    if period.state is PeriodState.FROZEN:
        return _("The period is frozen: this report and its figures are final.")
    if report is not None and report.state is ReportState.SUBMITTED:
        if withdrawable(period, report):
            return _(
                "This report awaits the secretary's decision. Found a mistake? Withdraw it: it "
                "becomes a draft again, to correct and submit again."
            )
        return _(
            "This report awaits the secretary's decision, and the filing of reports for this "
            "period has ended: to correct a figure, ask the secretary to return it to you."
        )
    if report is not None and report.state in (ReportState.ACCEPTED, ReportState.LOCKED):
        return _(
            "This report was accepted and no longer changes: if a figure in it is wrong, tell "
            "the secretary."
        )
    return _("The filing of reports for this period has ended: this report can no longer change.")


def _on_the_form(form: ReportForm, problems: dict[str, str]) -> dict[str, str]:
    """The problems by the field they are shown at: one about a line the form has no field
    for (an indicator of another unit's goal, sent by hand) is shown over the whole form."""
    fields = {"narrative", "evidence"}
    for goal in form.goals:
        fields |= {f"status_{goal.id}", f"reason_{goal.id}"}
        fields |= {f"value_{indicator.id}" for indicator in goal.indicators}
    shown = {name: said for name, said in problems.items() if name in fields}
    stray = [said for name, said in problems.items() if name not in fields]
    if stray:
        shown["form"] = " ".join(stray)
    return shown


def _report_address(period_id: int, unit_id: int) -> str:
    return f"/reporting/periods/{period_id}/units/{unit_id}"


@router.get("/reporting/periods/{period_id}/units/{unit_id}", response_class=HTMLResponse)
def report_page(period_id: int, unit_id: int, page: PageDep) -> HTMLResponse:
    """The unit's report for the period, to fill in (or to read once submitted); those who
    read the follow-up read it too."""
    return _show(page, period_id, unit_id)


@router.post("/reporting/periods/{period_id}/units/{unit_id}")
def file_report(
    period_id: int, unit_id: int, page: PageDep, sent: Annotated[ReportPageForm, Form()]
) -> Response:
    """Save the report as sent (``intent`` save), or save and submit it (``intent`` submit);
    refused, the form comes back with what was typed and each problem at its field."""
    submitting = sent.intent == "submit"
    posted = sent.report_in()
    try:
        report = posted.checked()
    except ValidationError as error:
        with page.session.begin():  # one who may not file is refused (403) first
            unit_period(page.session, page.caller, period_id, unit_id)
        return _show(
            page, period_id, unit_id, sent=sent, problems=_problems_of(error, posted), status=422
        )
    try:
        with page.session.begin():
            report.save(page.session, page.caller, period_id, unit_id)
            if submitting:
                do_submit_report(page.session, page.caller, period_id, unit_id)
    except SHOWN_ON_PAGE as refusal:
        problems = _lines_refused(page, period_id, unit_id, report, refusal)
        return _show(page, period_id, unit_id, sent=sent, problems=problems, status=422)
    message = _("Report submitted for review.") if submitting else _("Draft saved.")
    return page.redirect(_report_address(period_id, unit_id), message)


@router.post("/reporting/periods/{period_id}/units/{unit_id}/withdraw")
def withdraw_report(period_id: int, unit_id: int, page: PageDep) -> Response:
    """Take the submitted report back to a draft, to correct it (as the API's ``POST
    …/report/withdraw``); refused, the report's page says why."""
    try:
        with page.session.begin():
            do_withdraw_report(page.session, page.caller, period_id, unit_id)
    except Conflict as refusal:
        problems = {"form": refusal.message}
        return _show(page, period_id, unit_id, problems=problems, status=refusal.status_code)
    message = _("Report withdrawn: it is a draft again. Correct it and submit it again.")
    return page.redirect(_report_address(period_id, unit_id), message)


@router.post("/reporting/periods/{period_id}/units/{unit_id}/evidence")
def add_evidence(
    period_id: int,
    unit_id: int,
    page: PageDep,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Add a file to the report as evidence (as the API's ``POST …/report/evidence``); a file
    refused comes back at the form's file field, saying why."""
    try:
        with page.session.begin():
            unit_period(page.session, page.caller, period_id, unit_id)  # 403 before the file
            if file is None or not (file.filename or "").strip():
                raise InvalidInput("choose a file to add as evidence")
            evidence = do_add_evidence(
                page.session, page.caller, period_id, unit_id, read_evidence_file(file)
            )
            name = evidence.filename
    except (InvalidInput, Conflict) as refusal:
        problems = {"evidence": refusal.message}
        return _show(page, period_id, unit_id, problems=problems, status=refusal.status_code)
    message = _("Evidence added: %(name)s.") % {"name": name}
    return page.redirect(_report_address(period_id, unit_id), message)


@router.post("/reporting/evidence/{evidence_id}/remove")
def remove_evidence(evidence_id: int, page: PageDep) -> Response:
    """Take a file back from the report (as the API's ``DELETE /api/evidence/{id}``)."""
    with page.session.begin():
        report = do_remove_evidence(page.session, page.caller, evidence_id)
        address = _report_address(report.period_id, report.unit_id)
    return page.redirect(address, _("Evidence removed."))
