"""A null in a change (PATCH) for a field the resource cannot be without is a 422 naming that field
(code `null_not_allowed`), and nothing is written; the OpenAPI document says these fields are not
nullable. A field that can be empty (a decision's planned date) is removed by null."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import Api


def null_refused(r: Any, *fields: str) -> None:
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    errors = r.json()["errors"]
    assert sorted(e["field"] for e in errors) == sorted(fields), errors
    assert {e["code"] for e in errors} == {"null_not_allowed"}
    assert all("leave the field out" in e["message"] for e in errors)


@pytest.mark.parametrize("field", ["summary", "title", "case_number", "deciding_body"])
def test_a_null_decision_field_is_422_and_nothing_changes(api: Api, field: str) -> None:
    d = api.create_decision("KS 2026/7", summary="Tolv hektar industrimark.", planned_date="2026-12-14")
    url = f"/api/v1/decisions/{d['id']}"
    null_refused(api.patch(url, {field: None}, '"v1"'), field)
    after = api.get(url)
    assert after.headers["ETag"] == '"v1"' and after.json() == d


def test_every_null_is_named_at_once(api: Api) -> None:
    d = api.create_decision("KS 2026/8")
    r = api.patch(f"/api/v1/decisions/{d['id']}", {"title": None, "summary": None, "deciding_body": None}, '"v1"')
    null_refused(r, "title", "summary", "deciding_body")


def test_null_removes_the_planned_date_and_an_empty_summary_clears_it(api: Api) -> None:
    d = api.create_decision("KS 2026/9", summary="Text", planned_date="2026-12-14")
    r = api.patch(f"/api/v1/decisions/{d['id']}", {"planned_date": None, "summary": ""}, '"v1"')
    assert r.status_code == 200, r.text
    assert (r.json()["planned_date"], r.json()["summary"]) == (None, "")


@pytest.mark.parametrize("field", ["title", "description"])
def test_a_null_alternative_field_is_422_not_ignored(api: Api, field: str) -> None:
    a = api.create_assessment("KS 2026/10")
    etag = api.etag(a["id"])
    url = f"/api/v1/assessments/{a['id']}/alternatives/proposal"
    null_refused(api.patch(url, {field: None}, etag), field)
    assert api.etag(a["id"]) == etag  # no new version: nothing was written
    r = api.patch(url, {"title": "Etapp 1", "description": "Utan stickspår"}, etag)
    assert r.status_code == 200 and (r.json()["title"], r.json()["description"]) == ("Etapp 1", "Utan stickspår")


@pytest.mark.parametrize("field", ["weights", "brand_colour", "display_name"])
def test_a_null_municipality_setting_is_422_not_ignored(client: Any, field: str) -> None:
    admin = Api.for_new_municipality(client, "091", ("read", "write", "admin"))
    etag = admin.municipality_etag("091")
    null_refused(admin.patch("/api/v1/municipalities/091/settings", {field: None}, etag), field)
    assert admin.municipality_etag("091") == etag


def test_the_openapi_document_says_which_fields_take_null(client: Any) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]

    def nullable(model: str, field: str) -> bool:
        prop = schemas[model]["properties"][field]
        return prop.get("type") == "null" or any(b.get("type") == "null" for b in prop.get("anyOf", []))

    for model, fields in {
        "DecisionUpdate": ("case_number", "title", "summary", "deciding_body"),
        "AlternativeUpdate": ("title", "description"),
        "WebhookUpdate": ("url", "events", "active"),
        "MunicipalitySettings": ("weights", "brand_colour", "display_name"),
    }.items():
        for field in fields:
            assert not nullable(model, field), (model, field)
            assert "default" not in schemas[model]["properties"][field], (model, field)
            assert field not in schemas[model].get("required", []), (model, field)
    assert nullable("DecisionUpdate", "planned_date")
    assert nullable("WebhookUpdate", "description")
