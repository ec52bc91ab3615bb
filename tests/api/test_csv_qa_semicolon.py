"""The ratings CSV for Excel set to Swedish or Finnish: cells separated by semicolons, opt-in."""

from __future__ import annotations

import csv
import io

import pytest

from tests.reports.factories import rating
from tests.support import Api


def _rows(body: bytes, delimiter: str) -> list[dict[str, str]]:
    assert body.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline=""), delimiter=delimiter))


@pytest.mark.parametrize("path", ["/api/v1/ratings.csv", "/api/v1/assessments/{id}/ratings.csv"])
def test_semicolons_on_request_and_commas_otherwise(api: Api, path: str) -> None:
    assessment = api.create_assessment("KS 2026/7")
    typed = "Bättre; snabbare, billigare"
    r = api.put_ratings(assessment["id"], [rating("policy.firms.business-climate", -1, rationale=typed)])
    assert r.status_code == 200, r.text
    url = path.format(id=assessment["id"])
    comma = api.get(url)
    semicolon = api.get(url, params={"separator": "semicolon"})
    assert comma.status_code == semicolon.status_code == 200
    assert comma.content == api.get(url, params={"separator": "comma"}).content  # the default, unchanged
    assert comma.content.decode("utf-8-sig").startswith("case_number,decision_title,")
    assert semicolon.content.decode("utf-8-sig").startswith("case_number;decision_title;")
    assert semicolon.headers["content-type"] == comma.headers["content-type"]
    assert semicolon.headers["content-disposition"] == comma.headers["content-disposition"]
    assert _rows(semicolon.content, ";") == _rows(comma.content, ",")  # the same cells
    [row] = _rows(semicolon.content, ";")
    assert row["rationale"] == typed and row["score"] == "-1"


@pytest.mark.parametrize("path", ["/api/v1/ratings.csv", "/api/v1/assessments/{id}/ratings.csv"])
def test_an_unknown_separator_is_refused_naming_the_parameter(api: Api, path: str) -> None:
    assessment = api.create_assessment("KS 2026/8")
    r = api.get(path.format(id=assessment["id"]), params={"separator": ";"})
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in r.json()["errors"]] == ["query.separator"]
