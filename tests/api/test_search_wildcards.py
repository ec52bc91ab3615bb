"""`?q=` searches for the text as typed: `%`, `_` and `\\` are characters, not LIKE wildcards."""

from __future__ import annotations

import pytest

from tests.support import Api, make_municipality, session

CASES = {
    "KS 1/2026": "Skolans kök",
    "KS_2/2026": "Fjärrvärme",
    "KS 3/2026": "100% förnybar el",
    "KS 4/2026": "Väg A\\B",
    "KS 5/2026": "Gata 1_000 m",
}


@pytest.fixture
def decisions(api: Api) -> Api:
    for case, title in CASES.items():
        api.create_decision(case, title=title)
    return api


@pytest.mark.parametrize(
    ("q", "found"),
    [
        ("_", {"KS_2/2026", "KS 5/2026"}),
        ("%", {"KS 3/2026"}),
        ("\\", {"KS 4/2026"}),
        ("1_0", {"KS 5/2026"}),
        ("0% f", {"KS 3/2026"}),
        ("s_2", {"KS_2/2026"}),
        ("ks ", {"KS 1/2026", "KS 3/2026", "KS 4/2026", "KS 5/2026"}),
    ],
)
def test_search_takes_wildcards_literally(decisions: Api, q: str, found: set[str]) -> None:
    r = decisions.get("/api/v1/decisions", params={"q": q})
    assert r.status_code == 200, r.text
    got = {d["case_number"] for d in r.json()["items"]}
    assert got == found
    assert r.json()["total"] == len(found)


def test_the_web_search_query_too(decisions: Api) -> None:
    """The web's decision list searches through ``repository.list_decisions``: the same rule."""
    from app.assessments.repository import DecisionFilter, list_decisions

    m = make_municipality("091")
    with session() as s:
        assert {d.case_number for d in list_decisions(s, m.id, DecisionFilter(q="_"))} == {"KS_2/2026", "KS 5/2026"}
        assert {d.case_number for d in list_decisions(s, m.id, DecisionFilter(q="%"))} == {"KS 3/2026"}
