"""Documentation is tested: every command and setting is documented."""

from __future__ import annotations

import re
from pathlib import Path

import typer.main

from tests.apps import create_app
from veche.cli import app
from veche.config import Settings
from veche.db import make_engine

DOCS = Path(__file__).resolve().parents[1] / "docs"


def _command_names() -> list[str]:
    group = typer.main.get_group(app)
    names = []
    for name, command in group.commands.items():
        sub = getattr(command, "commands", None)
        names += [f"{name} {child}" for child in sub] if sub else [name]
    return names


def test_every_command_is_documented() -> None:
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    missing = [name for name in _command_names() if f"`veche {name}" not in text]
    assert missing == []


def test_every_setting_is_documented() -> None:
    text = (DOCS / "configuration.md").read_text(encoding="utf-8")
    missing = [
        f"VECHE_{f.upper()}" for f in Settings.model_fields if f"VECHE_{f.upper()}" not in text
    ]
    assert missing == []


def _normalized(path: str) -> str:
    return re.sub(r"\{[^}]*\}", "{}", path)


def test_every_api_endpoint_is_documented() -> None:
    engine = make_engine("sqlite://")
    schema = create_app(engine).openapi()
    engine.dispose()
    served = {
        (method.upper(), _normalized(path))
        for path, operations in schema["paths"].items()
        for method in operations
    }
    text = (DOCS / "api.md").read_text(encoding="utf-8")
    documented = {
        (method, _normalized(path))
        for method, path in re.findall(r"`(GET|POST|PATCH|PUT|DELETE) (/api/[^`?\s]*)", text)
    }
    # "…/accept` (or `/decline`)" documents the {answer} parameter's two values.
    documented = {(m, re.sub(r"/(accept|decline)$", "/{}", p)) for m, p in documented}
    assert sorted(served - documented) == []
