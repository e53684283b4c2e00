"""Server-rendered pages, one router per role: public, login, delegate, chair, projector, secretary."""

from __future__ import annotations

from fastapi import APIRouter

from veche.web.pages import (
    agenda_proposals,
    amendments,
    chair,
    delegate,
    documents,
    floor,
    login,
    paper,
    projector,
    public,
    reports,
    secretary,
    secretary_agenda,
    secretary_meeting,
    stream,
)

#: Every page router, in the order the app mounts them.
ROUTERS: tuple[APIRouter, ...] = (
    public.router,
    login.router,
    delegate.router,
    stream.router,
    chair.router,
    projector.router,
    secretary.router,
    secretary_meeting.router,
    secretary_agenda.router,
    paper.router,
    agenda_proposals.router,
    floor.router,
    amendments.router,
    documents.router,
    reports.router,
)
