"""Databases prepared once per test process: a fixture whose state many tests start from.

A test module declares what its tests need as a *preparation*: a function that, given the
URL of a database holding the demo, makes that state (through the API or the actions) and
returns what the tests must know of it (ids, bearer tokens — plain data, never a connection
or an ORM row). ``tests/conftest.py`` runs it once per test process, database kind and day,
in a template database; each test that takes the fixture gets a copy of that template as its
own database, and the returned data as the fixture's value.

This is what the ``sitting`` did for the floor's pages, made general: a convened meeting
with voters logged in, or a counted poll, took one to four seconds of every test that
needed it, paid again by each of them.

A prepared state must be the same whenever it is made: no random choices, no clock other
than the day (the templates are made again when the day changes).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import pytest

T = TypeVar("T")


@dataclass(frozen=True)
class Preparation:
    name: str
    #: Makes the state in the database at the URL (which holds the demo); returns its data.
    make: Callable[[str], Any]


#: Every preparation declared, by the name of its fixture.
PREPARATIONS: dict[str, Preparation] = {}

#: The data that the preparation of the test's database returned, for its fixture.
PREPARED = pytest.StashKey[Any]()


def prepared(name: str, make: Callable[[str], T]) -> Any:
    """A fixture named ``name`` whose test's database starts from the state ``make`` made,
    and whose value is what ``make`` returned. Assign it to a module-level name."""
    if name in PREPARATIONS and PREPARATIONS[name].make is not make:
        raise ValueError(f"two preparations are named {name!r}")
    PREPARATIONS[name] = Preparation(name, make)

    @pytest.fixture(name=name)
    def fixture(request: pytest.FixtureRequest, database_url: str) -> Any:
        return request.node.stash[PREPARED]

    fixture.__doc__ = make.__doc__
    return fixture


def wanted(request: pytest.FixtureRequest) -> Preparation | None:
    """The preparation the test's database starts from, if it takes one's fixture (itself
    or through another fixture). A test takes at most one."""
    found = [PREPARATIONS[name] for name in request.fixturenames if name in PREPARATIONS]
    assert len(found) <= 1, f"a test can start from one prepared database, not {found}"
    return found[0] if found else None
