"""Importing open decision records as an integrator sends them: errors name the record's own fields (not
the schema members of a union), invisible reordering characters never reach the decision or its source,
and a kuntanumero sent as a JSON number is still that municipality's."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import pytest

from tests.support import Api, session

URL = "/api/v1/decisions/import"
RTL = "\u202e"  # RIGHT-TO-LEFT OVERRIDE
SIXAIKA: dict[str, Any] = {
    "organization": {"id": "o1", "name": "Kunnanhallitus"},
    "event": {"id": "e1", "start_date": "2026-03-02"},
    "action": {"id": "a1", "title": "Asemakaava", "article_number": "7"},
    "contents": [{"type": "proposal", "title": "Päätösehdotus", "hypertext": "<p>Hyväksytään.</p>"}],
    "case": {"register_id": "KS 2026/1", "title": "Asemakaava"},
}


def errors(r: Any) -> list[tuple[str, str]]:
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    return [(e["field"], e["message"]) for e in r.json()["errors"]]


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"case": "https://paatos.example/v1/case/17/"}, ["record.case"]),  # the API's link, not the object
        ({"case": ["https://paatos.example/v1/case/17/"]}, ["record.case.0"]),
        ({"case": {"register_id": 5.5, "title": "Asemakaava"}}, ["record.case.register_id"]),  # not "a list"
        ({"case": [{"register_id": ["KS 2026/1"]}]}, ["record.case.0.register_id"]),
        ({"organization": {"name": 5}}, ["record.organization.name"]),
        ({"action": {"title": ["Asemakaava"]}}, ["record.action.title"]),
    ],
)
def test_a_field_of_several_kinds_is_named_as_the_record_spells_it(
    api: Api, change: dict[str, Any], fields: list[str]
) -> None:
    """Each named once, never with a schema's name (``record.case.list[Case]``, ``….constrained-str``)."""
    r = api.post(URL, {"format": "6aika", "record": {**SIXAIKA, **change}})
    found = errors(r)
    assert [field for field, _ in found] == fields
    if change in ({"case": "https://paatos.example/v1/case/17/"}, {"organization": {"name": 5}}):
        assert ", or " in found[0][1]  # what each kind expected, in one message


def test_bidirectional_controls_are_removed_from_the_decision_and_its_source(api: Api) -> None:
    record = {
        "NativeId": f"n{RTL}1",
        "Title": f"Siisti{RTL} kesä",
        "CaseIDLabel": f"HEL 2021{RTL}-1",
        "Organization": {"Name": "Kaupunginhallitus\u2066", "Type": f"Hall{RTL}itus"},
        "Motion": "<h3>Päätösehdotus</h3><p>Myönnetään&#x202E; 970 770 euroa.\ufffe</p>",
        "Meeting": {"DateMeeting": "2021-12-13T16:00:00.000", "Name": f"Kokous{RTL}"},
    }
    r = api.post(URL, {"format": "ahjo", "record": record})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["title"] == "Siisti kesä" and body["case_number"] == "HEL 2021-1"
    assert body["deciding_body"] == "Kaupunginhallitus"
    assert body["summary"] == "Myönnetään 970 770 euroa."
    assert body["source"]["organisation"]["type"] == "Hallitus"
    assert body["source"]["ids"]["native_id"] == "n1"
    with session() as s:
        from app.assessments.models import Decision

        stored = s.get(Decision, uuid.UUID(body["id"]))
        assert stored is not None
        dumped = json.dumps([stored.source, stored.title, stored.summary], ensure_ascii=False)
    assert not any(ch in dumped for ch in (RTL, "\u2066", "\ufffe"))


def test_the_same_in_a_6aika_record(api: Api) -> None:
    record = {**SIXAIKA, "event": {**SIXAIKA["event"], "name": f"Kokous{RTL} 2"}}
    record["case"] = {"register_id": "KS 2026/2", "title": f"Asema{RTL}kaava"}
    r = api.post(URL, {"format": "6aika", "record": record})
    assert r.status_code == 201, r.text
    assert r.json()["title"] == "Asemakaava" and r.json()["source"]["meeting"]["name"] == "Kokous 2"


def test_a_kuntanumero_sent_as_a_number_keeps_its_leading_zero(api: Api, client: Any) -> None:
    record = {"Title": "T", "CaseIDLabel": "HEL 1", "Organization": {"Name": "KH"}, "municipality": {"kuntanumero": 91}}
    r = api.post(URL, {"format": "ahjo", "record": record})  # api: a token of 091 Helsinki
    assert r.status_code == 201, r.text
    assert r.json()["source"]["municipality_code"] == "091"
    other = Api.for_new_municipality(client, "905")
    [(field, message)] = errors(other.post(URL, {"format": "ahjo", "record": record}))
    assert field == "record.municipality.kuntanumero" and message == "belongs to municipality 091, not 905"


@pytest.mark.parametrize(
    ("start", "day"),
    [
        ("2017-06-04T21:00:00Z", "2017-06-05"),  # an instant in UTC: 5 June, 00:00 in Mikkeli
        ("2017-06-04T21:00:00.000+00:00", "2017-06-05"),
        ("2017-06-05T00:00:00+03:00", "2017-06-05"),  # the offset of Finland that day: as written
        ("2021-12-13T16:00:00.000", "2021-12-13"),  # local time without an offset: as written
        ("2021-12-13", "2021-12-13"),
    ],
)
def test_a_meeting_date_is_the_day_in_finland(api: Api, start: str, day: str) -> None:
    record = {**SIXAIKA, "event": {**SIXAIKA["event"], "start_date": start}}
    r = api.post(URL, {"format": "6aika", "record": record})
    assert r.status_code == 201, r.text
    assert r.json()["planned_date"] == day and r.json()["source"]["meeting"]["date"] == day
    ahjo = {"Title": "T", "CaseIDLabel": "HEL 1", "Organization": {"Name": "KH"}, "Meeting": {"DateMeeting": start}}
    r = api.post(URL, {"format": "ahjo", "record": ahjo})
    assert r.status_code == 201, r.text
    assert r.json()["planned_date"] == day


def test_the_time_of_the_import_is_written_as_every_time_of_the_api(api: Api) -> None:
    """``2026-12-05T04:46:37.967235Z``, as ``created_at``: not ``…+00:00``, which a client that reads
    the API's times by one pattern does not expect."""
    r = api.post(URL, {"format": "6aika", "record": SIXAIKA})
    assert r.status_code == 201, r.text
    body = r.json()
    imported_at = body["source"]["imported_at"]
    assert imported_at.endswith("Z") and "+" not in imported_at
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", imported_at)
    assert imported_at <= body["created_at"]  # the same format: the same order as text


@pytest.mark.parametrize("number", ["207", "§ 207", "§207", "207 §", 207])
def test_a_section_written_with_its_sign_is_not_signed_twice(api: Api, number: Any) -> None:
    record = {**SIXAIKA, "action": {**SIXAIKA["action"], "article_number": number}}
    r = api.post(URL, {"format": "6aika", "record": record})
    assert r.status_code == 201, r.text
    assert r.json()["source"]["section"] == "§ 207"
    ahjo = {"Title": "T", "CaseIDLabel": "HEL 1", "Organization": {"Name": "KH"}, "Section": number}
    r = api.post(URL, {"format": "ahjo", "record": ahjo})
    assert r.status_code == 201, r.text
    assert r.json()["source"]["section"] == "§ 207"


def test_a_meeting_date_the_decision_rules_refuse_is_named_by_its_record_field(api: Api) -> None:
    """The same limits as a decision's ``planned_date`` (from 2000, at most 10 years ahead); the error
    named ``record``, not the field that held the date."""
    ahjo = {"Title": "T", "CaseIDLabel": "HEL 1", "Organization": {"Name": "KH"}}
    ahjo["Meeting"] = {"DateMeeting": "1998-05-04T16:00:00.000"}
    [(field, message)] = errors(api.post(URL, {"format": "ahjo", "record": ahjo}))
    assert field == "record.Meeting.DateMeeting" and "2000-01-01" in message
    ahjo = {"title": "T", "case_id": "HEL 2", "organization": {"name": "KH"}, "meeting_date": "1998-05-04"}
    assert errors(api.post(URL, {"format": "ahjo", "record": ahjo}))[0][0] == "record.meeting_date"
    record = {**SIXAIKA, "event": {"startDate": "2099-01-01T10:00:00+02:00"}}
    [(field, _)] = errors(api.post(URL, {"format": "6aika", "record": record}))
    assert field == "record.event.startDate"
    assert api.get("/api/v1/decisions").json()["total"] == 0
