"""Searching titles and case numbers ignores case for every letter, not only A–Z: `?q=ändring`,
`?q=Ändring` and `?q=ÄNDRING` find "Ändring av skolnätet…" on SQLite as on PostgreSQL — on the web's
dashboard and in `GET /api/v1/decisions?q=`. (SQLite's own lower() folds ASCII only; app/db/engine.py
gives its connections one that folds as Python does.)"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import Api, make_token
from tests.web.support import Web

DECISIONS = {
    "SKOL 2026/1": "Ändring av skolnätet i Vasa: byskolorna i Övermalax",
    "KS 2026/2": "Åtgärdsprogram för Öjskogsparken",
    "KS 2026/3": "Über-Mobilität: en cykelstrategi",
    "KH 2026/4": "ÄÄNEKOSKEN SATAMAN KEHITTÄMINEN",
    "ÖVR 2026/5": "Kaupunginhallituksen talousarvio",
    "KS 2026/6": "Industriområde vid Norra bangården",
}
SEARCHES = [
    ("Ändring", {"SKOL 2026/1"}),
    ("ändring", {"SKOL 2026/1"}),
    ("ÄNDRING", {"SKOL 2026/1"}),
    ("övermalax", {"SKOL 2026/1"}),
    ("ÅTGÄRD", {"KS 2026/2"}),
    ("öjskogs", {"KS 2026/2"}),
    ("über", {"KS 2026/3"}),
    ("MOBILITÄT", {"KS 2026/3"}),
    ("äänekosken", {"KH 2026/4"}),
    ("kehittäminen", {"KH 2026/4"}),
    ("övr 2026", {"ÖVR 2026/5"}),  # the case number too
    ("Övr", {"ÖVR 2026/5"}),
    ("bangården", {"KS 2026/6"}),
    ("BANGÅRDEN", {"KS 2026/6"}),
    ("ä", {"SKOL 2026/1", "KS 2026/2", "KS 2026/3", "KH 2026/4"}),
]


@pytest.fixture
def vaasa(client: Any) -> Api:
    api = Api(client, make_token("905"))
    for case, title in DECISIONS.items():
        api.create_decision(case, title=title)
    return api


@pytest.mark.parametrize(("q", "expected"), SEARCHES)
def test_api_decision_search_folds_every_letter(vaasa: Api, q: str, expected: set[str]) -> None:
    r = vaasa.get("/api/v1/decisions", params={"q": q})
    assert r.status_code == 200, r.text
    body = r.json()
    items = body["items"] if isinstance(body, dict) else body
    assert {d["case_number"] for d in items} == expected


def test_dashboard_search_finds_titles_with_capital_a_o_and_aa(app: Any, vaasa: Api) -> None:
    web = Web.signed_in(app, "tiina@vaasa.fi")
    for q, expected in SEARCHES:
        page = web.get("/", params={"q": q})
        assert page.status_code == 200, page.text
        found = {case for case in DECISIONS if case in page.text}
        assert found == expected, (q, found)


def test_sql_lower_folds_as_python_does() -> None:
    from sqlalchemy import func, literal, select

    from tests.support import session

    with session() as s:
        for text in ("ÄNDRING ÖVER ÅN", "Über", "ÄÄNEKOSKI", "ΑΘΗΝΑ", None):
            assert s.execute(select(func.lower(literal(text)))).scalar_one() == (None if text is None else text.lower())
