"""Control characters (NUL above all) anywhere in an imported record never reach the stored decision.

PostgreSQL cannot store NUL in text or JSONB, so a NUL copied raw into ``source`` used to be a 500 there
(and was stored as-is on SQLite). The importers already clean the title, case number and texts silently;
every other string that is kept in ``source`` (ids, organisation type, meeting name, ...) is cleaned the
same way, on both databases.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from tests.support import Api, session

URL = "/api/v1/decisions/import"
CONTROL = "\x00\x01\x1f\x7f"


def _no_control_characters(value: Any) -> bool:
    dumped = json.dumps(value, ensure_ascii=False)
    return not any(ch in dumped for ch in CONTROL) and "\\u00" not in dumped


AHJO = {
    "NativeId": "n\x00",
    "Title": "T\x00itle",
    "CaseIDLabel": "HEL N1\x00",
    "Section": "12\x01",
    "ClassificationCode": "02\x00 02",
    "ClassificationTitle": "Määrä\x1fraha",
    "title_language": "fi\x00",
    "Organization": {"Name": "KH\x00", "ID": "004\x0000", "Type": "x\x00", "Sector": "s\x7f"},
    "Meeting": {"MeetingID": "m\x00", "DateMeeting": "2021-12-13", "Name": "Kokous\x00 1"},
}

SIXAIKA = {
    "organization": {"id": "o\x00", "name": "Kunnanhallitus", "classification": "hallitus\x00"},
    "event": {"id": "e\x00", "name": "Kokous\x00", "start_date": "2026-03-02"},
    "action": {"id": "a\x00", "title": "Asemakaava", "article_number": "7\x00", "caseId": "KS 2026/1"},
    "contents": [{"type": "proposal", "title": "Päätös\x00ehdotus", "hypertext": "<p>Hyväksytään.</p>"}],
    "case": {"id": "c\x00", "register_id": "KS 2026/1\x00", "function_id": "f\x00", "title": "Asemakaava"},
}


def _stored_source(decision_id: str) -> Any:
    from app.assessments.models import Decision

    with session() as s:
        decision = s.get(Decision, uuid.UUID(decision_id))
        assert decision is not None
        return decision.source


@pytest.mark.parametrize(
    "record",
    [
        {"NativeId": "n\x00", "Title": "T", "CaseIDLabel": "HEL N1", "Organization": {"Name": "KH", "Type": "x\x00"}},
        AHJO,
    ],
    ids=["issue-repro", "every-field"],
)
def test_ahjo_record_with_nul_is_imported_clean(api: Api, record: dict[str, Any]) -> None:
    r = api.post(URL, {"format": "ahjo", "record": record})
    assert r.status_code == 201, r.text
    body = r.json()
    source = body["source"]
    assert _no_control_characters(body)
    assert source["ids"]["native_id"] == "n"
    assert source["organisation"]["type"] == "x"
    assert _no_control_characters(_stored_source(body["id"]))


def test_ahjo_every_source_field_is_cleaned(api: Api) -> None:
    r = api.post(URL, {"format": "ahjo", "record": AHJO})
    assert r.status_code == 201, r.text
    body = r.json()
    source = body["source"]
    assert body["case_number"] == "HEL N1" and body["title"] == "Title"
    assert source["ids"] == {"native_id": "n", "case_id": "HEL N1", "meeting_id": "m", "organization_id": "00400"}
    assert source["organisation"] == {"name": "KH", "id": "00400", "type": "x", "sector": "s"}
    assert source["meeting"] == {"id": "m", "date": "2021-12-13", "name": "Kokous 1"}
    assert source["section"] == "§ 12"
    assert source["classification"] == {"code": "02 02", "title": "Määräraha"}
    assert source["language"] == "fi"


def test_6aika_record_with_nul_is_imported_clean(api: Api) -> None:
    r = api.post(URL, {"format": "6aika", "record": SIXAIKA})
    assert r.status_code == 201, r.text
    body = r.json()
    source = body["source"]
    assert _no_control_characters(body)
    assert _no_control_characters(_stored_source(body["id"]))
    assert body["case_number"] == "KS 2026/1"
    assert source["ids"] == {
        "case_register_id": "KS 2026/1",
        "case_id": "c",
        "action_id": "a",
        "event_id": "e",
        "organization_id": "o",
        "function_id": "f",
    }
    assert source["organisation"]["classification"] == "hallitus"
    assert source["meeting"]["name"] == "Kokous"
    assert source["section"] == "§ 7"
    assert source["contents"] == ["Päätösehdotus"]


def test_an_id_of_only_control_characters_is_dropped_not_stored_empty(api: Api) -> None:
    record = {**SIXAIKA, "action": {**SIXAIKA["action"], "id": "\x00\x01"}}
    r = api.post(URL, {"format": "6aika", "record": record})
    assert r.status_code == 201, r.text
    assert r.json()["source"]["ids"]["action_id"] is None
