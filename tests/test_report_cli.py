"""`veche demo` holds a whole meeting, and `veche report` renders its documents."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from veche.cli import app

runner = CliRunner()


def test_the_demo_meeting_has_its_report(database_url: str, tmp_path: Path) -> None:
    loaded = runner.invoke(app, ["demo", "--db", database_url])
    assert loaded.exit_code == 0, loaded.output
    communique = runner.invoke(app, ["report", "1", "--db", database_url])
    assert communique.exit_code == 0, communique.output
    text = communique.output
    assert text.startswith(
        "# Report on the 1st Enlarged Plenary Meeting of the 8th General Council"
    )
    assert "It was convened by the Executive Bureau." in text
    assert (
        "Resolution No. 5 “On training shop stewards” — adopted by 23 votes to 0, with 1 "
        "abstention (rule: simple majority of votes cast: more yes than no)." in text
    )
    minutes = runner.invoke(app, ["report", "1", "--kind", "minutes", "--db", database_url])
    assert minutes.exit_code == 0 and "Agreements shall be renewed every eighteen months." in (
        minutes.output
    )
    pdf = tmp_path / "motions.pdf"
    book = runner.invoke(
        app,
        [
            "report",
            "1",
            "--kind",
            "motions",
            "--format",
            "pdf",
            "-o",
            str(pdf),
            "--db",
            database_url,
        ],
    )
    assert book.exit_code == 0, book.output
    assert pdf.read_bytes().startswith(b"%PDF-")


def test_report_errors_exit_2(database_url: str) -> None:
    for arguments, message in [
        (["report", "7"], "there is no meeting 7"),
        # A digit to str.isdigit, not to int(): once a traceback, not a message.
        (["report", "²"], "give a meeting's id or summing-up, not '²'"),
        (["report", "9" * 5000], "give a meeting's id or summing-up"),
        (["report", "1", "--format", "pdf"], "a PDF goes to a file"),
    ]:
        result = runner.invoke(app, [*arguments, "--db", database_url])
        assert result.exit_code == 2 and message in result.output, result.output
    runner.invoke(app, ["demo", "--db", database_url])
    wrong = runner.invoke(app, ["report", "1", "--kind", "agenda", "--db", database_url])
    assert wrong.exit_code == 2 and "not 'agenda'" in wrong.output
    wrong = runner.invoke(app, ["report", "1", "--format", "docx", "--db", database_url])
    assert wrong.exit_code == 2 and "not 'docx'" in wrong.output
