"""Local extensions: a municipality's own criteria from a file or the API, versioned, pinned by
assessments, shown as local in the rubric, the form, the summary and the PDF."""

from __future__ import annotations

import copy
import shutil
import uuid
from pathlib import Path
from typing import Any

import pytest

from app.rubrics.loader import RubricFileError
from app.rubrics.registry import load_registry
from tests.rubrics.flows import assessment, rate, rating
from tests.support import Api, make_token

ROOT = Path(__file__).resolve().parents[2] / "rubrics"
VAASA = "vaasa-programme"
EXTENSION: dict[str, Any] = {
    "id": "hki-port",
    "version": "1.0.0",
    "municipality": "091",
    "base": "kuntaliitto-vitality",
    "base_version": "1.x",
    "title": {"sv": "Hamnprogrammet", "fi": "Satamaohjelma", "en": "The port programme"},
    "criteria": [
        {
            "id": "hki-port.cruise-traffic",
            "perspective": "logistics",
            "target": "residents",
            "question": {
                "sv": "Hur påverkar beslutet kryssningstrafikens buller i innerstaden?",
                "fi": "Miten päätös vaikuttaa risteilyliikenteen meluun keskustassa?",
                "en": "How does the decision affect cruise traffic noise in the inner city?",
            },
            "guidance": {"sv": "Jämför bullerkartor.", "fi": "Vertaa meluselvityksiä.", "en": "Compare noise maps."},
            "evidence": {"sv": "Bullerkartor", "fi": "Meluselvitykset", "en": "Noise maps"},
            "example_positive": {"sv": "Landström", "fi": "Maasähkö", "en": "Shore power"},
            "example_negative": {"sv": "Nattanlöp", "fi": "Yösaapumiset", "en": "Night arrivals"},
        }
    ],
}


def _admin(api: Api, code: str = "091") -> Api:
    return Api(api.client, make_token(code, ("read", "write", "admin")))


def _local(rubric: dict[str, Any]) -> dict[str, list[str]]:
    return {
        p["id"]: [c["id"] for c in p["criteria"] if c["local"]]
        for p in rubric["perspectives"]
        if any(c["local"] for c in p["criteria"])
    }


def test_the_vaasa_file_extension_is_loaded_and_pinned(api: Api) -> None:
    vaasa = Api(api.client, make_token("905"))
    listed = vaasa.get("/api/v1/rubric-extensions").json()
    assert [(e["id"], e["version"], e["source"]) for e in listed] == [(VAASA, "1.0.0", "file")]
    assert len(listed[0]["criteria"]) == 3 and len(listed[0]["content_hash"]) == 64
    assert api.get("/api/v1/rubric-extensions").json() == []  # Helsinki has none
    a = assessment(vaasa, "KS 2026/9")
    assert a["extensions"] == [{"id": VAASA, "version": "1.0.0", "content_hash": listed[0]["content_hash"]}]
    rubric = vaasa.get(f"/api/v1/assessments/{a['id']}/rubric").json()
    assert _local(rubric) == {
        "policy": [f"{VAASA}.bilingual-service"],
        "cross-sector": [f"{VAASA}.skills-recruitment"],
        "green-economy": [f"{VAASA}.energy-cluster"],
    }
    policy_firms = [c["id"] for c in rubric["perspectives"][0]["criteria"] if c["target"] == "firms"]
    assert policy_firms[-1] == f"{VAASA}.bilingual-service"  # appended after the base criteria
    rate(vaasa, a["id"], [rating(f"{VAASA}.energy-cluster", "firms", 2)])
    summary = vaasa.get(f"/api/v1/assessments/{a['id']}/summary")
    assert summary.status_code == 200
    wrong = vaasa.put_ratings(a["id"], [rating(f"{VAASA}.energy-cluster", "residents", 1)])
    assert wrong.status_code == 422  # the local criterion is about firms
    none = assessment(vaasa, "KS 2026/10", extensions=[])
    assert none["extensions"] == []
    assert vaasa.put_ratings(none["id"], [rating(f"{VAASA}.energy-cluster", "firms", 1)]).status_code == 422


def test_publishing_through_the_api(api: Api) -> None:
    assert api.post("/api/v1/rubric-extensions", EXTENSION).status_code == 403  # needs the admin right
    admin = _admin(api)
    r = admin.post("/api/v1/rubric-extensions", EXTENSION)
    assert r.status_code == 201, r.text
    assert r.json()["source"] == "api" and r.json()["created_by"]
    assert admin.post("/api/v1/rubric-extensions", EXTENSION).status_code == 409  # versions are immutable
    older = copy.deepcopy(EXTENSION) | {"version": "0.9.0"}
    assert admin.post("/api/v1/rubric-extensions", older).status_code == 409
    listed = api.get("/api/v1/rubric-extensions").json()
    assert [(e["id"], e["version"]) for e in listed] == [("hki-port", "1.0.0")]
    from app.audit.repository import chain
    from app.db.session import unit_of_work
    from app.municipalities.repository import by_code

    with unit_of_work(write=False) as s:
        municipality = by_code(s, "091")
        assert municipality is not None
        events = [e for e in chain(s, municipality.id) if e.action == "rubric_extension.created"]
        assert [(e.resource_type, e.after["version"] if e.after else None) for e in events] == [
            ("rubric_extension", "1.0.0")
        ]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"municipality": "905"}, "municipality"),
        ({"base_version": "2.x"}, "base_version"),
        ({"criteria": [EXTENSION["criteria"][0] | {"perspective": "tourism"}]}, "criteria.0.perspective"),
        ({"criteria": [EXTENSION["criteria"][0] | {"id": "logistics.residents.cruise"}]}, "criteria"),
        ({"criteria": [EXTENSION["criteria"][0] | {"target": "visitors"}]}, "criteria.0.target"),
        ({"title": {"sv": "Hamnen", "fi": "Satama"}}, "title.en"),
        # PostgreSQL stores no NUL in JSON, the column holds 20 characters: both were 500s there
        ({"title": {"sv": "Ham\u0000nen", "fi": "Satama", "en": "Port"}}, "title.sv"),
        ({"criteria": [EXTENSION["criteria"][0] | {"guidance": {"sv": "a\x01", "fi": "b", "en": "c"}}]}, "guidance.sv"),
        ({"version": "1.0.000000000000000000000000000000"}, "version"),
        ({"version": "99999999999999999999.0.0"}, "version"),
    ],
)
def test_bad_extensions_are_refused_with_the_field(api: Api, change: dict[str, Any], field: str) -> None:
    r = _admin(api).post("/api/v1/rubric-extensions", copy.deepcopy(EXTENSION) | change)
    assert r.status_code == 422, r.text
    fields = [e["field"] for e in r.json()["errors"]]
    assert any(f.endswith(field) for f in fields), fields


def test_a_newer_extension_version_leaves_old_assessments_as_they_were(api: Api) -> None:
    admin = _admin(api)
    assert admin.post("/api/v1/rubric-extensions", EXTENSION).status_code == 201
    first = assessment(api, "KS 2026/11")
    assert [e["version"] for e in first["extensions"]] == ["1.0.0"]
    rate(api, first["id"], [rating("hki-port.cruise-traffic", "residents", -1)])
    v2 = copy.deepcopy(EXTENSION) | {"version": "1.1.0"}
    v2["criteria"][0]["question"]["en"] = "How does the decision affect noise and emissions of cruise traffic?"
    second_criterion = copy.deepcopy(v2["criteria"][0]) | {"id": "hki-port.passenger-flows", "target": "firms"}
    v2["criteria"].append(second_criterion)
    assert admin.post("/api/v1/rubric-extensions", v2).status_code == 201
    second = assessment(api, "KS 2026/12")
    assert [e["version"] for e in second["extensions"]] == ["1.1.0"]
    old = api.get(f"/api/v1/assessments/{first['id']}/rubric", params={"lang": "en"}).json()
    new = api.get(f"/api/v1/assessments/{second['id']}/rubric", params={"lang": "en"}).json()
    assert _local(old) == {"logistics": ["hki-port.cruise-traffic"]}
    assert _local(new) == {"logistics": ["hki-port.cruise-traffic", "hki-port.passenger-flows"]}
    question = {c["id"]: c["question"] for p in old["perspectives"] for c in p["criteria"]}
    assert question["hki-port.cruise-traffic"] == "How does the decision affect cruise traffic noise in the inner city?"
    # an explicit older pin is allowed; an unknown one is refused
    pinned = assessment(api, "KS 2026/13", extensions=["hki-port@1.0.0"])
    assert [e["version"] for e in pinned["extensions"]] == ["1.0.0"]
    d = api.create_decision("KS 2026/14")
    r = api.post(f"/api/v1/decisions/{d['id']}/assessments", {"extensions": ["hki-port@3.0.0"]})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "extensions.0"
    # moving the first draft to the current extensions keeps its local rating
    up = api.post(f"/api/v1/assessments/{first['id']}/rubric-upgrade", {"to_version": "1.1.0"}, api.etag(first["id"]))
    assert up.status_code == 200, up.text
    report = up.json()["report"]
    assert [e["version"] for e in report["current"]["extensions"]] == ["1.1.0"]
    assert {c["criterion_id"]: c["reworded"] for c in report["carried"]} == {"hki-port.cruise-traffic": True}
    assert "hki-port.passenger-flows" in report["new_criteria"]


def test_local_criteria_in_the_form_summary_and_pdf(api: Api, app: Any) -> None:
    from tests.reports.factories import pdf_text
    from tests.web.support import Web

    web = Web.signed_in(app, "tiina@vaasa.fi", "official")  # Vaasa: the file extension applies
    aid = web.new_assessment()
    web.screen(aid, relevant=("policy", "green-economy"))
    page = web.get(f"/assessments/{aid}/rate/proposal/green-economy/firms")
    assert page.status_code == 200
    assert "energiklustrets företag" in page.text and "Lokalt kriterium" in page.text
    vaasa = Api(api.client, make_token("905"))
    rate(vaasa, aid, [rating(f"{VAASA}.energy-cluster", "firms", 2)])
    summary = web.get(f"/assessments/{aid}/summary")
    assert summary.status_code == 200 and "Lokalt kriterium" in summary.text
    pdf = vaasa.get(f"/api/v1/assessments/{aid}/report")
    assert pdf.status_code == 200
    assert "(Lokalt kriterium)" in pdf_text(pdf.content)


def test_the_document_export_keeps_the_pins(api: Api, registry: Any) -> None:
    from app.assessments.documents import export_document, import_document
    from app.assessments.schemas import AssessmentDocument
    from app.assessments.service import get_assessment
    from app.auth.actor import system_actor
    from app.db.session import unit_of_work
    from app.municipalities.service import get_or_create

    vaasa = Api(api.client, make_token("905"))
    a = assessment(vaasa, "KS 2026/15")
    rate(vaasa, a["id"], [rating(f"{VAASA}.skills-recruitment", "firms", 1)])
    with unit_of_work() as s:
        m = get_or_create(s, "905")
        actor = system_actor(m.id, m.code, "test")
        doc = export_document(s, get_assessment(s, actor, uuid.UUID(a["id"])), m.code)
    assert doc["extensions"] == [f"{VAASA}@1.0.0"]
    doc["decision"]["case_number"] = "KS 2026/16"
    with unit_of_work() as s:
        copied = import_document(s, actor, registry, AssessmentDocument.model_validate(doc))
        assert copied.extensions == a["extensions"]


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "rubrics"
    shutil.copytree(ROOT, root)
    return root


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        ("    perspective: policy\n", "    perspective: tourism\n", "criteria.2.perspective", "no perspective"),
        ("base_version: 1.x", "base_version: 2.x", "base_version", "no installed version"),
        ("  - id: vaasa-programme.energy-cluster", "  - id: energy-cluster", "criteria", "must start with"),
        ('municipality: "905"', 'municipality: "091"', "id", "extensions/091/vaasa-programme/1.0.0.yaml"),
    ],
)
def test_a_broken_extension_file_names_file_line_and_field(
    tmp_path: Path, old: str, new: str, field: str, message: str
) -> None:
    root = _copy(tmp_path)
    path = root / "extensions/905/vaasa-programme/1.0.0.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(RubricFileError) as info:
        load_registry(root)
    [problem] = info.value.problems
    assert problem.file == "extensions/905/vaasa-programme/1.0.0.yaml"
    assert problem.field == field and message in problem.message and problem.line is not None


def test_a_municipality_export_carries_its_extensions(api: Api, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from app.cli.main import app as cli
    from app.db.migrate import truncate_all

    admin = _admin(api)
    assert admin.post("/api/v1/rubric-extensions", EXTENSION).status_code == 201
    a = assessment(api, "KS 2026/17")
    rate(api, a["id"], [rating("hki-port.cruise-traffic", "residents", 1)])
    export = admin.get("/api/v1/export")
    assert export.status_code == 200
    path = tmp_path / "export.json"
    path.write_bytes(export.content)
    truncate_all()  # an empty database
    result = CliRunner().invoke(cli, ["import", str(path)])
    assert result.exit_code == 0, result.output
    again = Api(api.client, make_token("091"))
    assert [e["id"] for e in again.get("/api/v1/rubric-extensions").json()] == ["hki-port"]
    rubric = again.get(f"/api/v1/assessments/{a['id']}/rubric").json()
    assert _local(rubric) == {"logistics": ["hki-port.cruise-traffic"]}
