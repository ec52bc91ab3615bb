"""The language of an assessment's texts: stated at creation or on a draft, kept across versions and in
exports, refused when unknown, and a change like any other (If-Match, a new ETag, the history)."""

from __future__ import annotations

import uuid
from typing import Any

from tests.support import Api


def put_language(api: Api, a: dict[str, Any], value: Any, etag: str | None = None) -> Any:
    return api.put(f"/api/v1/assessments/{a['id']}/text-language", {"text_language": value}, etag or api.etag(a["id"]))


def test_text_language_is_stated_changed_and_unset(api: Api) -> None:
    d = api.create_decision("KS 2026/301")
    r = api.post(f"/api/v1/decisions/{d['id']}/assessments", {"text_language": "sv"})
    assert r.status_code == 201, r.text
    a = r.json()
    assert a["text_language"] == "sv"
    r = put_language(api, a, "fi")
    assert r.status_code == 200, r.text
    assert r.json()["text_language"] == "fi" and r.json()["etag"] != a["etag"]
    assert api.get(f"/api/v1/assessments/{a['id']}").json()["text_language"] == "fi"
    history = api.get(f"/api/v1/assessments/{a['id']}/history").json()
    assert history[-1]["action"] == "assessment.text_language"
    assert history[-1]["before"] == {"text_language": "sv"} and history[-1]["after"] == {"text_language": "fi"}
    r = put_language(api, a, None)
    assert r.status_code == 200 and r.json()["text_language"] is None, r.text


def test_not_stated_by_default_and_the_same_again_changes_nothing(api: Api) -> None:
    a = api.create_assessment("KS 2026/302")
    assert a["text_language"] is None
    first = put_language(api, a, "en")
    assert first.status_code == 200, first.text
    again = put_language(api, a, "en", first.headers["ETag"])
    assert again.status_code == 200 and again.headers["ETag"] == first.headers["ETag"], "a retry: no new version"
    events = [e["action"] for e in api.get(f"/api/v1/assessments/{a['id']}/history").json()]
    assert events.count("assessment.text_language") == 1


def test_unknown_language_and_missing_field_are_refused_on_the_field(api: Api) -> None:
    a = api.create_assessment("KS 2026/303")
    for body, field in (({"text_language": "de"}, "text_language"), ({}, "text_language")):
        r = api.put(f"/api/v1/assessments/{a['id']}/text-language", body, api.etag(a["id"]))
        assert r.status_code == 422, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
        assert any(e["field"] == field for e in r.json()["errors"]), r.json()
    d = api.create_decision("KS 2026/304")
    r = api.post(f"/api/v1/decisions/{d['id']}/assessments", {"text_language": "SV"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "text_language", r.text
    assert api.get(f"/api/v1/assessments/{a['id']}").json()["text_language"] is None


def test_a_stale_etag_is_refused_and_changes_nothing(api: Api) -> None:
    a = api.create_assessment("KS 2026/305")
    old = api.etag(a["id"])
    assert put_language(api, a, "sv", old).status_code == 200
    r = put_language(api, a, "fi", old)
    assert r.status_code == 412, r.text
    assert api.get(f"/api/v1/assessments/{a['id']}").json()["text_language"] == "sv"
    r = api.put(f"/api/v1/assessments/{a['id']}/text-language", {"text_language": "fi"})
    assert r.status_code == 428, r.text


def test_approved_keeps_its_language_a_new_version_carries_it_and_the_document_export_has_it(
    api: Api, registry: Any
) -> None:
    from app.assessments.documents import export_document
    from app.assessments.models import Assessment
    from tests.assessments.test_examples import EXAMPLES, _import
    from tests.support import session

    approved_id = _import(EXAMPLES / "905-skolnat-byskolor.yaml", registry)
    vasa = Api.for_new_municipality(api.client, "905")
    approved = vasa.get(f"/api/v1/assessments/{approved_id}").json()
    assert approved["status"] == "approved" and approved["text_language"] == "sv"
    r = put_language(vasa, approved, "fi")
    assert r.status_code == 409, r.text
    r = vasa.post(f"/api/v1/assessments/{approved_id}/versions")
    assert r.status_code == 201, r.text
    draft = r.json()
    assert draft["text_language"] == "sv", "a new version keeps the language of the texts it copies"
    assert put_language(vasa, draft, "en").status_code == 200
    with session() as s:
        row = s.get(Assessment, uuid.UUID(draft["id"]))
        assert row is not None
        assert export_document(s, row, "905")["text_language"] == "en"
