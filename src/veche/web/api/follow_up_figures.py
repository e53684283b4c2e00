"""The follow-up's figures through the API: the roll-up of a period's reports up the unit
tree, a unit's report card, and the interim summing-up of a reporting cycle (Markdown, HTML or
PDF). Computed from the accepted reports on every request, never stored — but for the whole
organization's goals of a period frozen with a record, which are read from what its freeze
recorded (``goals_at`` in ``queries/follow_up_rollup.py``)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from veche.actions.follow_up_figures import readable_card, readable_figures
from veche.queries.follow_up_rollup import (
    ReportCard,
    RollupView,
    load_cycle,
    report_card,
    rollup_view,
)
from veche.reports import MEDIA_TYPES, render_summing_up
from veche.web.api.refusals import REFUSALS
from veche.web.api.types import Id
from veche.web.deps import CallerDep, SessionDep

router = APIRouter(tags=["follow-up"], responses=REFUSALS)


@router.get("/periods/{period_id}/rollup")
def get_rollup(
    period_id: Id,
    caller: CallerDep,
    session: SessionDep,
    resolution_id: Annotated[Id | None, Query(description="only this resolution's goals")] = None,
    unit_id: Annotated[
        Id | None, Query(description="at this unit, with the units below it (default: all)")
    ] = None,
) -> RollupView:
    """Every goal at the unit (or the whole organization) for the period: progress, status
    and coverage, and each indicator's rolled-up value against its target."""
    asked = readable_figures(
        session, caller, period_id=period_id, resolution_id=resolution_id, unit_id=unit_id
    )
    assert asked.period is not None
    figures = load_cycle(
        session,
        asked.organization,
        asked.cycle,
        resolution_id=resolution_id,
        period=asked.period,
        unit_id=unit_id,
    )
    return rollup_view(figures, asked.period, unit_id)


@router.get("/periods/{period_id}/units/{unit_id}/card")
def get_report_card(
    period_id: Id, unit_id: Id, caller: CallerDep, session: SessionDep
) -> ReportCard:
    """The unit's report card for the period: its goals, their figures over its subtree
    against its targets, and its own report's state."""
    asked = readable_card(session, caller, period_id, unit_id)
    assert asked.period is not None
    figures = load_cycle(
        session, asked.organization, asked.cycle, period=asked.period, unit_id=unit_id
    )
    return report_card(figures, asked.period, unit_id)


@router.get(
    "/cycles/{cycle_id}/summing-up",
    responses={200: {"content": {media: {} for media in MEDIA_TYPES.values()}}},
)
def get_summing_up(
    cycle_id: Id,
    caller: CallerDep,
    session: SessionDep,
    period_id: Annotated[
        Id | None, Query(description="default: the latest period no longer open, else the first")
    ] = None,
    resolution_id: Annotated[Id | None, Query(description="only this resolution's goals")] = None,
    format: Annotated[Literal["md", "html", "pdf"], Query()] = "md",
) -> Response:
    """The interim summing-up of the cycle at the end of a period."""
    asked = readable_figures(
        session, caller, cycle_id=cycle_id, period_id=period_id, resolution_id=resolution_id
    )
    body = render_summing_up(session, asked, format)
    headers = {}
    if format == "pdf":
        headers["Content-Disposition"] = f'inline; filename="summing-up-cycle-{cycle_id}.pdf"'
    return Response(body, media_type=MEDIA_TYPES[format], headers=headers)
