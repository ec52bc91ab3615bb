"""CLI gaps left over from the exploration of December 5th: `livskraft report -o x.txt` wrote a PDF into a
text file without a word, and `livskraft export -o FILE` replaced an earlier export silently while
`livskraft backup` refuses. Through the real command, on the test database (SQLite or PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli.main import app
from tests.server import free_port
from tests.support import Api
from tests.test_cli_qa_database import livskraft, one_error_line

runner = CliRunner()
PORTFOLIO = ["report", "portfolio", "--municipality", "091", "--from", "2026-01-01", "--to", "2026-12-31"]

# --- report -o: a file named for what it holds ------------------------------------------------------


@pytest.mark.database_independent  # its own database URL, not the suite's: tests/conftest.py
@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["report", "00000000-0000-4000-8000-000000000000", "-o", "x.txt"],
            "error: cannot write x.txt: name the file .docx for the Word copy, or .pdf for the PDF",
        ),
        (
            ["report", "00000000-0000-4000-8000-000000000000", "-o", "summary"],
            "error: cannot write summary: name the file .docx for the Word copy, or .pdf for the PDF",
        ),
        ([*PORTFOLIO, "-o", "x.txt"], "error: cannot write x.txt: the portfolio is a PDF, name the file .pdf"),
        ([*PORTFOLIO, "-o", "x.docx"], "error: cannot write x.docx: the portfolio is a PDF, name the file .pdf"),
    ],
)
def test_a_report_file_not_named_pdf_or_docx_is_refused_before_the_database(args: list[str], expected: str) -> None:
    """`-o x.txt` wrote a PDF into x.txt: opened in an editor it is unreadable, and mailed on it is not
    recognised as a PDF. Now one line, even while the database is away."""
    away = f"postgresql://livskraft@127.0.0.1:{free_port()}/livskraft"  # nothing listens there
    assert one_error_line(livskraft(*args, LIVSKRAFT_DATABASE_URL=away)) == expected


def test_a_report_goes_to_a_pdf_file_or_standard_output_not_a_txt_file(api: Api, tmp_path: Path) -> None:
    a = api.create_assessment()
    refused = runner.invoke(app, ["report", a["id"], "-o", str(tmp_path / "x.txt")])
    assert refused.exit_code == 1, refused.output
    assert refused.stderr.strip().endswith("name the file .docx for the Word copy, or .pdf for the PDF")
    refused = runner.invoke(app, [*PORTFOLIO, "-o", str(tmp_path / "p.txt")])
    assert refused.exit_code == 1 and "the portfolio is a PDF, name the file .pdf" in refused.stderr
    assert list(tmp_path.iterdir()) == []
    upper = tmp_path / "SUMMARY.PDF"
    assert runner.invoke(app, ["report", a["id"], "-o", str(upper)]).exit_code == 0
    assert upper.read_bytes().startswith(b"%PDF-")
    piped = runner.invoke(app, ["report", a["id"], "-o", "-"])  # the runner's stdout is not a terminal
    assert piped.exit_code == 0, piped.output
    assert piped.stdout_bytes.startswith(b"%PDF-")


# --- export never replaces a file unless told to ----------------------------------------------------


def test_export_refuses_to_overwrite_an_existing_file_unless_forced(api: Api, tmp_path: Path) -> None:
    """`livskraft export -o vaasa.json` replaced yesterday's export silently — maybe the only copy of a
    municipality already removed from the old server. It now refuses as `livskraft backup` does."""
    api.create_assessment()
    earlier = tmp_path / "091.json"
    earlier.write_bytes(b"yesterday's export")
    refused = runner.invoke(app, ["export", "--municipality", "091", "-o", str(earlier)])
    assert refused.exit_code == 1, refused.output
    assert refused.stderr.strip() == (
        f"error: {earlier} exists already: name a new export file, or give --force to replace it"
    )
    assert earlier.read_bytes() == b"yesterday's export"

    link = tmp_path / "dangling.json"
    link.symlink_to(tmp_path / "nowhere.json")
    assert runner.invoke(app, ["export", "--municipality", "091", "-o", str(link)]).exit_code == 1
    assert not (tmp_path / "nowhere.json").exists()

    forced = runner.invoke(app, ["export", "--municipality", "091", "-o", str(earlier), "--force"])
    assert forced.exit_code == 0, forced.output
    assert earlier.read_bytes().startswith(b"{")
    new = tmp_path / "new.json"
    assert runner.invoke(app, ["export", "--municipality", "091", "-o", str(new)]).exit_code == 0
    assert new.read_bytes() == earlier.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["091.json", "dangling.json", "new.json"]
