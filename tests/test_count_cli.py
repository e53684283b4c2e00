"""`veche count`: ballots from a file, counted and explained, with errors that exit 2."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from veche.cli import app

runner = CliRunner()

BLT = """4 2
3 1 2 0
2 2 1 0
4 3 0
1 4 3 0
0
"Ada"
"Boris"
"Clara"
"Dmitri"
"A small election"
"""


def test_count_prints_json_with_the_elected_in_order(tmp_path: Path) -> None:
    path = tmp_path / "small.blt"
    path.write_text(BLT, encoding="utf-8")
    result = runner.invoke(
        app, ["count", str(path), "--method", "scottish-stv", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    # 10 ballots, 2 seats: quota 10 // 3 + 1 = 4. Clara's 4 first preferences reach it.
    # Dmitri (1) is excluded; his ballot's next choice, Clara, is elected already, so it
    # is non-transferable. Boris (2) is excluded next; his ballots go to Ada: 3 + 2 = 5.
    assert data["method"] == "scottish-stv" and data["seats"] == 2
    assert data["elected"] == ["Clara", "Ada"]
    assert isinstance(data["rounds"], list) and data["rounds"]


def test_count_explains_in_text(tmp_path: Path) -> None:
    path = tmp_path / "small.blt"
    path.write_text(BLT, encoding="utf-8")
    result = runner.invoke(app, ["count", str(path), "-m", "irv", "--seats", "1"])
    assert result.exit_code == 0, result.output
    assert "Round 1" in result.output and "Elected" in result.output


def test_list_methods_names_every_method() -> None:
    result = runner.invoke(app, ["count", "--list-methods"])
    assert result.exit_code == 0
    names = {line.split(":")[0] for line in result.output.splitlines() if not line.startswith(" ")}
    expected = {
        "plurality",
        "approval",
        "score",
        "borda",
        "irv",
        "two-round",
        "schulze",
        "ranked-pairs",
        "copeland",
        "minimax",
        "scottish-stv",
        "meek-stv",
        "wigm-stv",
        "block",
        "sntv",
        "dhondt",
        "sainte-lague",
        "largest-remainder",
        "majority",
    }
    assert expected <= names


def test_list_methods_says_each_methods_ballot_and_seats() -> None:
    """The registry's facts about a method, as polls read them, are what the listing shows."""
    lines = runner.invoke(app, ["count", "--list-methods"]).output.splitlines()
    facts = {
        name.split(":")[0]: lines[index + 1] for index, name in enumerate(lines) if name[0] != " "
    }
    assert facts["irv"] == "  ballot: ranking; fills one seat"
    assert facts["block"] == (
        "  ballot: approval, at most one choice per seat; fills one or more seats"
    )
    assert facts["majority"] == "  ballot: single; a decision, fills no seat"
    assert facts["score"] == "  ballot: score; fills one seat"


def test_a_malformed_file_exits_2_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.blt"
    path.write_text('2 1\n1 1 7 0\n0\n"A"\n"B"\n"T"\n', encoding="utf-8")
    result = runner.invoke(app, ["count", str(path), "--method", "irv"])
    assert result.exit_code == 2
    assert "line 2" in result.output


def test_bad_method_and_option_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "small.blt"
    path.write_text(BLT, encoding="utf-8")
    unknown = runner.invoke(app, ["count", str(path), "--method", "coin-toss"])
    assert unknown.exit_code == 2 and "unknown counting method" in unknown.output
    option = runner.invoke(
        app, ["count", str(path), "-m", "irv", "--seats", "1", "-o", "colour=red"]
    )
    assert option.exit_code == 2 and "does not take" in option.output
    malformed = runner.invoke(app, ["count", str(path), "-m", "irv", "-o", "noequals"])
    assert malformed.exit_code == 2 and "NAME=VALUE" in malformed.output
    missing = runner.invoke(app, ["count", str(tmp_path / "none.blt"), "-m", "irv"])
    assert missing.exit_code == 2


def test_an_option_whose_value_is_no_number_stays_text(tmp_path: Path) -> None:
    """ "²" and thousands of digits look like numbers to ``str.isdigit`` but not to ``int``:
    they stay text, for the method to judge, where they once stopped the count with a
    traceback."""
    path = tmp_path / "small.blt"
    path.write_text(BLT, encoding="utf-8")
    for value in ("²", "--3", "9" * 5000):
        result = runner.invoke(app, ["count", str(path), "-m", "scottish-stv", "-o", f"x={value}"])
        assert result.exit_code == 2, result.output
        assert "scottish-stv does not take option(s) x" in result.output


def test_a_tie_order_given_on_the_command_line_decides_a_tie(tmp_path: Path) -> None:
    """Ada and Boris hold 2 votes each, below the quota of 3: one must be excluded, and the
    first of them in the tie order (names separated by commas) is."""
    path = tmp_path / "level.blt"
    path.write_text('2 1\n2 1 0\n2 2 0\n0\n"Ada"\n"Boris"\n"Level"\n', encoding="utf-8")
    elected = {}
    for order in ("Ada,Boris", "Boris, Ada"):
        args = ["count", str(path), "-m", "scottish-stv", "--format", "json"]
        result = runner.invoke(app, [*args, "-o", f"tie_order={order}"])
        assert result.exit_code == 0, result.output
        elected[order] = json.loads(result.output)["elected"]
    assert elected == {"Ada,Boris": ["Boris"], "Boris, Ada": ["Ada"]}
    twice = runner.invoke(app, ["count", str(path), "-m", "wigm-stv", "-o", "tie_order=Ada,Ada"])
    assert twice.exit_code == 2 and "tie_order names 'Ada' twice" in twice.output


def test_seats_no_candidate_could_fill_are_said_to_stay_empty(tmp_path: Path) -> None:
    path = tmp_path / "few.blt"
    path.write_text('2 3\n1 1 2 0\n1 2 0\n0\n"Ada"\n"Boris"\n"Few"\n', encoding="utf-8")
    # The STV methods elect the two; the others refuse (sntv, for one: "cannot fill").
    for method in ("scottish-stv", "wigm-stv", "meek-stv"):
        result = runner.invoke(app, ["count", str(path), "-m", method])
        assert result.exit_code == 0, result.output
        assert "Seats left empty: 1" in result.output, method
    full = runner.invoke(app, ["count", str(path), "-m", "scottish-stv", "--seats", "2"])
    assert full.exit_code == 0 and "Seats left empty" not in full.output


def test_a_file_whose_candidates_all_withdrew_is_refused_by_every_method(tmp_path: Path) -> None:
    path = tmp_path / "withdrawn.blt"
    path.write_text('2 1\n-1 -2\n1 1 2 0\n1 2 0\n0\n"Ada"\n"Boris"\n"Gone"\n', encoding="utf-8")
    for method in ("scottish-stv", "wigm-stv", "meek-stv", "irv", "schulze", "plurality"):
        result = runner.invoke(app, ["count", str(path), "-m", method])
        assert result.exit_code == 2, (method, result.output)
        assert f"{method} needs at least one standing candidate" in result.output
