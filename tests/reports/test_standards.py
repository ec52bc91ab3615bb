"""PDF/UA-1 and PDF/A-3 properties of the decision summary, checked in the files themselves."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from fastapi.testclient import TestClient

from tests.reports.factories import TITLE, rich_assessment
from tests.reports.pdfcheck import fonts, notdef_glyphs, open_pdf, page_validation, qpdf_ok, structure, xmp, xmp_value
from tests.support import Api


@pytest.fixture(scope="module")
def rendered(app: Any) -> dict[str, Any]:
    """Both variants (and Finnish) of one assessment, rendered once for the module, with the JSON the
    archival variant must carry."""
    from app.assessments.models import Assessment
    from app.db.session import unit_of_work
    from app.municipalities.models import Municipality
    from app.reports.service import assessment_data_json

    with TestClient(app) as client:
        api = Api.for_new_municipality(client, "091")
        a = rich_assessment(api)
        out: dict[str, Any] = {"assessment": a}
        for lang, variant in (("sv", "ua"), ("sv", "a3"), ("fi", "ua")):
            r = api.get(f"/api/v1/assessments/{a['id']}/report", params={"lang": lang, "variant": variant})
            assert r.status_code == 200, r.text
            out[(lang, variant)] = r.content
        with unit_of_work(write=False) as session:
            row = session.get(Assessment, uuid.UUID(a["id"]))
            assert row is not None
            m = session.get(Municipality, row.municipality_id)
            assert m is not None
            out["json"] = json.loads(assessment_data_json(session, row, m))
    return out


def test_ua_is_tagged_with_language_title_and_headers(rendered: dict[str, Any], tmp_path: Path) -> None:
    data = rendered[("sv", "ua")]
    with open_pdf(data) as pdf:
        assert pdf.Root.MarkInfo.Marked is True
        assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
        assert str(pdf.Root.Lang) == "sv"
        assert TITLE in str(pdf.docinfo["/Title"])
        s = structure(pdf)
        assert s.types["/H1"] == 1 and s.types["/H2"] >= 5
        assert s.types["/Table"] >= 3 and s.types["/TH"] > 10 and s.types["/TD"] > 10
        assert s.th_without_scope == []
        assert s.scopes["/Column"] > 0 and s.scopes["/Row"] > 0
        assert s.figures_without_alt == []
        raw = xmp(pdf)
        assert xmp_value(raw, "pdfuaid", "part") == "1"
        assert "dc:title" in raw and TITLE in raw
        names, unembedded = fonts(pdf)
        assert notdef_glyphs(pdf) == {}  # no missing glyph drawn as a box
    assert unembedded == set()
    # the @font-face family of report.css: the bundled DejaVu files, never a font of the host
    assert names and all("Livskraft-Sans" in n for n in names), names
    assert qpdf_ok(data, tmp_path)
    compliant, failures = page_validation(data, tmp_path, "ua1")
    assert compliant, failures


def test_finnish_report_declares_finnish(rendered: dict[str, Any]) -> None:
    with open_pdf(rendered[("fi", "ua")]) as pdf:
        assert str(pdf.Root.Lang) == "fi"
        assert str(pdf.docinfo["/Title"]).startswith("Elinvoimavaikutusten arviointi")


def test_a3_is_pdfa_3_and_carries_the_assessment_json(rendered: dict[str, Any], tmp_path: Path) -> None:
    data = rendered[("sv", "a3")]
    with open_pdf(data) as pdf:
        raw = xmp(pdf)
        assert xmp_value(raw, "pdfaid", "part") == "3"
        assert (xmp_value(raw, "pdfaid", "conformance") or "").upper() in ("B", "U")
        assert "/OutputIntents" in pdf.Root and "/ID" in pdf.trailer
        assert not pdf.is_encrypted
        assert pdf.Root.MarkInfo.Marked is True and str(pdf.Root.Lang) == "sv"
        assert structure(pdf).th_without_scope == []
        spec = pdf.attachments["livskraft-assessment.json"]
        assert spec.obj.AFRelationship == pikepdf.Name.Source
        assert any(ref.objgen == spec.obj.objgen for ref in pdf.Root.AF)
        stream = spec.get_file()
        assert str(stream.mime_type) == "application/json"
        embedded = json.loads(stream.read_bytes())
    assert embedded == rendered["json"]
    assert embedded["decision"]["title"] == TITLE
    assert embedded["format"] == "livskraft.assessment/1"
    assert qpdf_ok(data, tmp_path)
    compliant, failures = page_validation(data, tmp_path, "3u")
    assert compliant, failures


def test_ua_variant_embeds_nothing(rendered: dict[str, Any]) -> None:
    with open_pdf(rendered[("sv", "ua")]) as pdf:
        assert len(pdf.attachments) == 0
