"""Importing real open decision records (6Aika, Helsinki Ahjo) through the HTTP API."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from tests.support import Api, make_token

DATA = Path(__file__).resolve().parent.parent / "data"
URL = "/api/v1/decisions/import"


def load(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


MIKKELI = load("fi_6aika_import_format_example_mikkeli.json")
AHJO_RAW = load("fi_helsinki_ahjo_decision_raw_example.json")["decision"]
AHJO_SAMPLE = load("fi_helsinki_ahjo_decisions_sample.json")["decisions"]


def problem_fields(r: Any) -> list[str]:
    assert r.headers["content-type"].startswith("application/problem+json"), r.text
    return [e["field"] for e in r.json()["errors"]]


def test_6aika_mikkeli_record(api: Api) -> None:
    r = api.post(URL, {"format": "6aika", "record": MIKKELI})
    assert r.status_code == 201, r.text
    body = r.json()
    assert r.headers["Location"] == f"/api/v1/decisions/{body['id']}"
    assert r.headers["ETag"] == '"v1"'
    assert body["case_number"] == "MliDno-2017-1220"
    assert body["title"] == "Konserni- ja elinvoimajaoston 2017-2019 asettaminen"
    assert body["deciding_body"] == "Kaupunginhallitus"
    assert body["planned_date"] == "2017-06-05"  # the meeting's own date, not shifted to UTC
    assert body["summary"].startswith("Kaupunginhallitus esittää kaupunginvaltuustolle, että se valitsee")
    assert "seitsemän (7)" in body["summary"]  # entities decoded
    assert "<p>" not in body["summary"] and "&auml;" not in body["summary"] and "&nbsp;" not in body["summary"]
    source = body["source"]
    assert source["format"] == "6aika"
    assert source["section"] == "§ 207"
    assert source["summary_from"] == "Päätösehdotus"
    assert source["ids"] == {
        "case_register_id": "MliDno-2017-1220",
        "case_id": "MliDno-2017-1220",
        "action_id": "4032",
        "event_id": "12381",
        "organization_id": "11217",
        "function_id": None,
    }
    assert source["meeting"] == {"id": "12381", "name": "Kokous 5.6.2017", "date": "2017-06-05"}
    assert source["proposal"] == body["summary"]
    assert source["presenter"].startswith("Timo Halonen")
    # the decision is an ordinary one: readable with the same ETag
    again = api.get(r.headers["Location"])
    assert again.status_code == 200 and again.json() == body and again.headers["ETag"] == '"v1"'


def test_ahjo_raw_record_with_html(api: Api) -> None:
    r = api.post(URL, {"format": "ahjo", "record": AHJO_RAW})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["case_number"] == "HEL 2021-012226"
    assert body["title"].startswith("Rahoituksen myöntäminen nuorten palkkaamiseksi")
    assert body["deciding_body"] == "Kaupunginhallitus"
    assert body["planned_date"] == "2021-12-13"
    # the proposal (Motion → Päätösehdotus), not the decision to table it (Content → Päätös)
    assert body["summary"] == (
        "Kaupunginhallitus päättää myöntää vuoden 2022 talousarvion kohdassa 1 30 01 Khn käytettävänä olevasta "
        "määrärahasta kaupunginkanslian käytettäväksi 970 770 euroa nuorten kesätyöntekijöiden palkkaamiseen "
        "Siisti kesä -hankkeeseen."
    )
    source = body["source"]
    assert source["section"] == "§ 928"
    assert source["decision"] == "Kaupunginhallitus päätti panna asian pöydälle."
    assert source["ids"]["native_id"] == "{89DED87F-6234-4B7D-8AFD-B63401C8C615}"
    assert source["ids"]["meeting_id"] == "00400202146"
    assert source["urls"]["self"].startswith("https://ahjo.hel.fi:9802/ahjorest/v1/decisions/")
    assert source["meeting"]["date"] == "2021-12-13"
    assert source["organisation"]["type"] == "Hallitus"
    assert source["classification"] == {"code": "02 02 02", "title": "Määräraha-asiat"}
    assert "Helsingin kaupungin päätösrajapinta" in source["attribution"]
    assert "<" not in json.dumps(source, ensure_ascii=False).replace("<=", "")


@pytest.mark.parametrize("record", AHJO_SAMPLE, ids=[str(d["_fixture_index"]) for d in AHJO_SAMPLE])
def test_every_ahjo_sample_decision_imports(api: Api, record: dict[str, Any]) -> None:
    r = api.post(URL, {"format": "ahjo", "record": record})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["case_number"] == record["case_id"]
    assert body["title"] == " ".join(record["title"].split())
    assert body["deciding_body"] == record["organization"]["name"]
    assert body["planned_date"] == record["meeting_date"]
    assert body["source"]["section"] == f"§ {record['section']}"
    assert body["source"]["ids"]["native_id"] == record["source_id"]
    assert body["source"]["urls"]["self"] == record["ahjo_api_url"]
    assert body["summary"], "every sample decision has a proposal, a decision or a reasoning"
    expected_from = body["source"]["summary_from"]
    if record["proposal"] and record["proposal"] != "Päätös on ehdotuksen mukainen.":
        assert expected_from == "proposal" and body["summary"] == record["proposal"]
    elif record["decision"]:
        assert expected_from == "decision" and body["summary"] == record["decision"]
    else:
        assert expected_from == "reasoning" and body["summary"] == record["reasoning"]


def test_all_sample_decisions_are_listed(api: Api) -> None:
    for record in AHJO_SAMPLE:
        assert api.post(URL, {"format": "ahjo", "record": record}).status_code == 201
    listed = api.get("/api/v1/decisions").json()
    items = listed["items"] if isinstance(listed, dict) else listed
    assert {d["case_number"] for d in items} >= {d["case_id"] for d in AHJO_SAMPLE[:20]}


def test_existing_case_number_is_a_conflict(api: Api) -> None:
    assert api.post(URL, {"format": "ahjo", "record": AHJO_RAW}).status_code == 201
    same_case = next(d for d in AHJO_SAMPLE if d["case_id"] == "HEL 2021-012226")
    r = api.post(URL, {"format": "ahjo", "record": same_case})
    assert r.status_code == 409
    assert "HEL 2021-012226" in r.json()["detail"]
    assert problem_fields(r) == ["case_number"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d.pop("CaseIDLabel"), "record.CaseIDLabel"),
        (lambda d: d.pop("Title"), "record.Title"),
        (lambda d: (d.pop("Organization"), d.pop("Meeting")), "record.Organization.Name"),
        (lambda d: (d["Organization"].update(Name=" "), d["Meeting"].pop("DecisionMaker")), "record.Organization.Name"),
        (lambda d: d.update(Title=42), "record.Title"),
        (lambda d: d.update(Organization="Kaupunginhallitus"), "record.Organization"),
        (lambda d: d["Meeting"].update(DateMeeting="13.12.2021"), "record.Meeting.DateMeeting"),
        (lambda d: d.update(CaseIDLabel="HEL " + "9" * 80), "record.CaseIDLabel"),
    ],
)
def test_ahjo_field_errors_name_the_record_field(api: Api, change: Any, field: str) -> None:
    record = copy.deepcopy(AHJO_RAW)
    change(record)
    r = api.post(URL, {"format": "ahjo", "record": record})
    assert r.status_code == 422, r.text
    assert field in problem_fields(r)
    assert all(e["message"] for e in r.json()["errors"])


def test_ahjo_body_falls_back_to_the_meetings_decision_maker(api: Api) -> None:
    record = copy.deepcopy(AHJO_RAW)
    del record["Organization"]
    r = api.post(URL, {"format": "ahjo", "record": record})
    assert r.status_code == 201 and r.json()["deciding_body"] == "Kaupunginhallitus"


def test_6aika_field_errors(api: Api) -> None:
    record = copy.deepcopy(MIKKELI)
    del record["case"], record["action"]["caseId"], record["contents"][0]
    del record["organization"]["name"]
    record["event"]["startDate"] = "kesäkuu"
    r = api.post(URL, {"format": "6aika", "record": record})
    assert r.status_code == 422
    fields = problem_fields(r)
    assert set(fields) == {"record.case.register_id", "record.organization.name", "record.event.startDate"}
    messages = " ".join(e["message"] for e in r.json()["errors"])
    assert "case number is missing" in messages and "deciding body" in messages and "ISO 8601" in messages
    r = api.post(URL, {"format": "6aika", "record": {**MIKKELI, "contents": {"title": "x"}}})
    assert r.status_code == 422 and problem_fields(r) == ["record.contents"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"format": "diarium", "record": {}}, "format"),
        ({"record": {}}, "format"),
        ({"format": "ahjo"}, "record"),
        ({"format": "ahjo", "record": ["HEL 2021-1"]}, "record"),
        ({"format": "ahjo", "record": {}, "extra": 1}, "extra"),
        ({"format": "6aika", "record": {}, "language": "de"}, "language"),
    ],
)
def test_envelope_errors(api: Api, body: dict[str, Any], field: str) -> None:
    r = api.post(URL, body)
    assert r.status_code == 422
    assert field in problem_fields(r)


def test_an_empty_record_says_what_is_missing(api: Api) -> None:
    r = api.post(URL, {"format": "ahjo", "record": {}})
    assert r.status_code == 422
    assert set(problem_fields(r)) == {"record.CaseIDLabel", "record.Title", "record.Organization.Name"}


def test_html_is_converted_to_text_never_kept_as_markup(api: Api) -> None:
    record = copy.deepcopy(AHJO_RAW)
    record["Motion"] = (
        "<html><head><title>ei tätä</title><script>alert('x')</script></head><body>"
        '<div class="SisaltoSektio"><h3>Päätösehdotus</h3>'
        '<p onclick="alert(1)">Kaupunginhallitus päättää &lt;b&gt;hyväksyä&lt;/b&gt; '
        "<img src=x onerror=alert(2)>ehdotuksen.</p><ul><li>yksi</li><li>kaksi</li></ul>"
        "<style>p{color:red}</style></div></body></html>"
    )
    record["links"] = [{"rel": "self", "href": "javascript:alert(3)"}]
    r = api.post(URL, {"format": "ahjo", "record": record})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["summary"] == "Kaupunginhallitus päättää <b>hyväksyä</b> ehdotuksen.\n\n- yksi\n- kaksi"
    assert "alert" not in json.dumps(body) and "color:red" not in body["summary"]
    assert body["source"]["urls"]["self"] is None


def test_long_proposal_is_cut_with_a_marker_and_kept_whole_in_the_source(api: Api) -> None:
    record = copy.deepcopy(MIKKELI)
    long_text = " ".join(["Kaupunginhallitus esittää pitkän ehdotuksen"] * 800)  # ~35,000 characters
    record["contents"][2]["content"] = f"<p>{long_text}</p>"
    r = api.post(URL, {"format": "6aika", "record": record})
    assert r.status_code == 201, r.text
    body = r.json()
    assert len(body["summary"]) <= 20_000
    assert body["summary"].endswith("\n[…]")
    assert body["source"]["summary_truncated"] is True
    assert body["source"]["proposal"] == long_text


def test_6aika_api_spelling_and_languages(api: Api) -> None:
    record = {
        "organization": {"id": "KH", "name": {"fi": "Kunnanhallitus", "sv": "Kommunstyrelsen"}},
        "event": {"id": 7, "name": "Sammanträde", "start_date": "2026-03-02"},
        "action": {"id": "a-1", "title": "Detaljplan", "article_number": "12", "url": "https://paatos.example/a/1"},
        "contents": [
            {"ordering": 2, "type": "decision", "title": "Beslut", "hypertext": {"sv": "<p>Beslutat.</p>"}},
            {
                "ordering": 1,
                "type": "proposal",
                "title": {"fi": "Päätösehdotus", "sv": "Beslutsförslag"},
                "hypertext": {"fi": "<p>Kunnanhallitus hyväksyy.</p>", "sv": "<p>Kommunstyrelsen godkänner.</p>"},
            },
        ],
        "case": {"register_id": "KS 2026/12", "title": {"fi": "Asemakaava", "sv": "Detaljplan för hamnen"}},
    }
    r = api.post(URL, {"format": "6aika", "record": record, "language": "sv"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["case_number"], body["title"], body["deciding_body"]) == (
        "KS 2026/12",
        "Detaljplan för hamnen",
        "Kommunstyrelsen",
    )
    assert body["summary"] == "Kommunstyrelsen godkänner."
    assert body["planned_date"] == "2026-03-02"
    assert body["source"]["section"] == "§ 12"
    assert body["source"]["urls"]["action"] == "https://paatos.example/a/1"
    assert body["source"]["language"] == "sv"


def test_record_of_another_municipality_is_refused(client: Any) -> None:
    espoo = Api(client, make_token("049", ("read", "write")))
    r = espoo.post(URL, {"format": "ahjo", "record": AHJO_SAMPLE[0]})
    assert r.status_code == 422
    assert problem_fields(r) == ["record.municipality.kuntanumero"]
    assert "091" in r.json()["detail"]


def test_rights(client: Any) -> None:
    reader = Api(client, make_token("091", ("read",)))
    r = reader.post(URL, {"format": "6aika", "record": MIKKELI})
    assert r.status_code == 403
    r = client.post(URL, json={"format": "6aika", "record": MIKKELI})
    assert r.status_code == 401


def test_import_is_audited(api: Api) -> None:
    from sqlmodel import select

    from app.audit.models import AuditEvent
    from tests.support import session

    r = api.post(URL, {"format": "6aika", "record": MIKKELI})
    assert r.status_code == 201
    with session() as s:
        events = s.exec(select(AuditEvent).where(AuditEvent.resource_id == r.json()["id"])).all()
    assert [e.action for e in events] == ["decision.created"]


def test_openapi_documents_the_import(client: Any) -> None:
    op = client.get("/openapi.json").json()["paths"]["/api/v1/decisions/import"]["post"]
    assert op["summary"] and op["description"]
    assert {"401", "403", "409", "413", "415", "422"} <= set(op["responses"])
    examples = op["requestBody"]["content"]["application/json"]["examples"]
    assert set(examples) == {"6aika", "ahjo"}


def test_a_body_over_the_limit_is_413(api: Api) -> None:
    record = {**AHJO_RAW, "Motion": "<p>" + "x" * 1_100_000 + "</p>"}
    r = api.post(URL, {"format": "ahjo", "record": record})
    assert r.status_code == 413
    assert r.headers["content-type"].startswith("application/problem+json")
