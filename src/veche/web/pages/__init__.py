"""Server-rendered pages, one router per role: public, login, delegate, chair, projector, secretary."""

from __future__ import annotations

from fastapi import APIRouter

from veche.web.pages import (
    chair,
    delegate,
    login,
    projector,
    public,
    secretary,
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
)
