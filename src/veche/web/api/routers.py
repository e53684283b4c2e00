"""Every router of the JSON API, in the order the app includes them.

Kept apart from the package's ``__init__`` so that importing one module of the API (its
shared types, say) does not import every router."""

from fastapi import APIRouter

from veche.web.api import (
    accounts,
    agenda,
    agenda_proposals,
    auth,
    convening,
    debate,
    exports,
    follow_up_csv,
    follow_up_evidence,
    follow_up_figures,
    follow_up_papers,
    goals,
    health,
    meetings,
    motions,
    org,
    people,
    polls,
    presidium,
    projector,
    reporting,
    reports,
    resolutions,
    roles,
    structure,
)

#: Every router the app serves under /api (the ballot box is answered ahead of them all:
#: see ``veche.web.api.ballots``).
API_ROUTERS: tuple[APIRouter, ...] = (
    health.router,
    org.router,
    org.records,
    structure.router,
    people.router,
    auth.router,
    meetings.router,
    polls.router,
    convening.router,
    presidium.router,
    agenda.router,
    debate.router,
    projector.router,
    agenda_proposals.router,
    motions.router,
    resolutions.router,
    goals.router,
    reporting.router,
    follow_up_figures.router,
    follow_up_evidence.router,
    follow_up_papers.router,
    follow_up_csv.router,
    reports.router,
    exports.router,
    roles.router,
    accounts.first_start,
    accounts.router,
)
