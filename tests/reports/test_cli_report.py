"""``livskraft report`` through the real CLI (Typer's runner), against the migrated test database."""

from __future__ import annotations

from pathlib import Path

import docx
import pikepdf
from typer.testing import CliRunner

from app.cli.main import app
from tests.reports.factories import CASE, TITLE, pdf_text, rich_assessment
from tests.support import Api

runner = CliRunner()


def test_report_assessment_writes_pdf(api: Api, tmp_path: Path) -> None:
    a = rich_assessment(api)
    out = tmp_path / "summary.pdf"
    result = runner.invoke(app, ["report", a["id"], "-o", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    text = pdf_text(out.read_bytes())
    assert TITLE in text and CASE in text and "Case number" in text


def test_report_archival_variant(api: Api, tmp_path: Path) -> None:
    a = rich_assessment(api)
    out = tmp_path / "archive.pdf"
    result = runner.invoke(app, ["report", a["id"], "-o", str(out), "--variant", "a3"])
    assert result.exit_code == 0, result.output
    with pikepdf.open(out) as pdf:
        assert "livskraft-assessment.json" in pdf.attachments


def test_report_unknown_assessment_fails_clearly(tmp_path: Path) -> None:
    result = runner.invoke(app, ["report", "0b7c6d2e-0000-4000-8000-000000000000", "-o", str(tmp_path / "x.pdf")])
    assert result.exit_code == 1
    assert "does not exist" in result.output
    assert not (tmp_path / "x.pdf").exists()


def test_report_rejects_non_uuid_and_bad_language(api: Api, tmp_path: Path) -> None:
    result = runner.invoke(app, ["report", "not-an-id", "-o", str(tmp_path / "x.pdf")])
    assert result.exit_code == 1 and "not an assessment id" in result.output
    a = api.create_assessment()
    result = runner.invoke(app, ["report", a["id"], "-o", str(tmp_path / "x.pdf"), "--lang", "de"])
    assert result.exit_code == 1 and "unsupported report language" in result.output


def test_report_to_a_docx_file_writes_the_word_copy(api: Api, tmp_path: Path) -> None:
    a = rich_assessment(api)
    out = tmp_path / "kommentarer.DOCX"
    result = runner.invoke(app, ["report", a["id"], "-o", str(out), "--lang", "fi"])
    assert result.exit_code == 0, result.output
    document = docx.Document(str(out))
    text = "\n".join(p.text for p in document.paragraphs)
    assert TITLE in text and "Kommentointikopio" in text
    result = runner.invoke(app, ["report", a["id"], "-o", str(tmp_path / "x.docx"), "--variant", "a3"])
    assert result.exit_code == 1 and "--variant is for PDFs" in result.output
    result = runner.invoke(app, ["report", a["id"], "-o", str(tmp_path / "y.docx"), "--lang", "de"])
    assert result.exit_code == 1 and "unsupported report language" in result.output
    assert not (tmp_path / "x.docx").exists() and not (tmp_path / "y.docx").exists()
    result = runner.invoke(app, ["report", a["id"], "-o", str(tmp_path / "old.doc")])
    assert result.exit_code == 1 and "name the file .docx for the Word copy" in result.output
    assert not (tmp_path / "old.doc").exists()
