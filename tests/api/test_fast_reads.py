"""The fast read path (PostgreSQL): a repeated read of an assessment or its summary is answered from the
cached representation after one statement on the event loop, and never answers what the ordinary path
would not: a changed assessment, changed weights, a revoked token, a deactivated user, a token without
the read scope or another municipality's token all get the ordinary answer."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from app.rubrics.models import PERSPECTIVE_IDS
from tests.support import Api, fast_pool_taken, make_token, make_user


@pytest.fixture(autouse=True)
def _postgres_only(client: Any) -> None:
    if client.app.state.loop_db is None:
        pytest.skip("the fast read path serves PostgreSQL only")


def served() -> int:
    from app.api import fast_path

    return fast_path.served


def read_twice(api: Api, path: str) -> tuple[Any, Any, int]:
    """The first read fills the cache (ordinary path); the second may be served fast."""
    first = api.get(path)
    before = served()
    second = api.get(path)
    return first, second, served() - before


def without_read(code: str = "091") -> str:
    """A token with write but not read, as tokens could be created before creation refused such sets
    (tests/security/test_token_scopes.py): made with read, which is then taken from its row."""
    from app.auth.repository import token_by_hash
    from app.auth.tokens import hash_token
    from app.db.session import unit_of_work

    token = make_token(code, ("read", "write"))
    with unit_of_work() as s:
        row = token_by_hash(s, hash_token(token))
        assert row is not None
        row.scopes = "write"
        s.add(row)
    return token


def revoke(token: str) -> None:
    from app.auth.actor import system_actor
    from app.auth.repository import token_by_hash
    from app.auth.tokens import hash_token, revoke_token
    from app.db.session import unit_of_work
    from app.municipalities.service import get_or_create

    with unit_of_work() as s:
        m = get_or_create(s, "091")
        row = token_by_hash(s, hash_token(token))
        assert row is not None
        revoke_token(s, system_actor(m.id, m.code), row.id)


def screening(*relevant: str) -> list[dict[str, Any]]:
    return [
        {"perspective_id": p, "relevant": p in relevant, "reason": "" if p in relevant else "Nej"}
        for p in PERSPECTIVE_IDS
    ]


def screened(api: Api) -> dict[str, Any]:
    a = api.create_assessment()
    items = screening("policy")
    assert api.put(f"/api/v1/assessments/{a['id']}/screening", {"items": items}, api.etag(a["id"])).status_code == 200
    rating = {"criterion_id": "policy.firms.business-climate", "target": "firms", "score": 2, "rationale": "Lots"}
    assert api.put_ratings(a["id"], [rating]).status_code == 200
    return a


def test_a_repeated_read_is_served_fast_and_equals_the_ordinary_answer(api: Api) -> None:
    a = screened(api)
    for path in (f"/api/v1/assessments/{a['id']}", f"/api/v1/assessments/{a['id']}/summary"):
        first, second, fast = read_twice(api, path)
        assert fast == 1, path
        assert second.status_code == 200 and second.json() == first.json()
        assert second.headers["content-type"] == "application/json"
        assert second.headers.get("etag") == first.headers.get("etag")
        assert second.headers["x-content-type-options"] == "nosniff", "the same middleware as every response"


def test_a_read_while_the_pool_is_full_takes_the_ordinary_path_and_the_fast_paths_do_not_rest(
    api: Api, client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """Every connection of the event-loop pool taken (its maximum reached: load, ``LoopDatabase.attempt``):
    the read waits the pool's timeout, then the ordinary path answers it, the same answer; the next read,
    a connection free again, is served fast at once (a pool that could not connect would rest instead:
    tests/db/test_pool_log_database_away.py)."""
    caplog.set_level(logging.INFO, logger="app.db.loop_db")
    a = screened(api)
    path = f"/api/v1/assessments/{a['id']}"
    first = api.get(path)  # fills the cache
    before = served()
    with fast_pool_taken(client) as stats:
        assert stats["pool_size"] == stats["pool_max"] and stats["pool_available"] == 0, stats
        busy = api.get(path)
    assert served() == before, "the ordinary path answered"
    assert busy.status_code == 200 and busy.json() == first.json() and busy.headers["etag"] == first.headers["etag"]
    again = api.get(path)
    assert served() == before + 1, "served fast: the fast paths did not rest"
    assert again.json() == first.json() and again.headers["etag"] == first.headers["etag"]
    messages = [r.getMessage() for r in caplog.records if r.name == "app.db.loop_db"]
    assert messages == ["the event-loop pool is busy: this request takes the ordinary path"], messages


def test_a_change_is_seen_at_once(api: Api) -> None:
    a = screened(api)
    path = f"/api/v1/assessments/{a['id']}"
    read_twice(api, path)
    items = screening("policy", "logistics")
    assert api.put(f"{path}/screening", {"items": items, "sources": ["Ny källa"]}, api.etag(a["id"])).status_code == 200
    now = api.get(path)
    assert now.json()["sources"] == ["Ny källa"] and now.headers["etag"] == '"v4"'
    assert {s["perspective_id"] for s in now.json()["screening"] if s["relevant"]} == {"policy", "logistics"}


def test_new_weights_change_a_drafts_summary_at_once(api: Api, client: Any) -> None:
    a = screened(api)
    path = f"/api/v1/assessments/{a['id']}/summary"
    first, _, fast = read_twice(api, path)
    assert fast == 1
    admin = Api.for_new_municipality(client, "091", ("read", "write", "admin"))
    body = {"weights": {"targets": {"firms": 3}}}
    etag = admin.municipality_etag("091")
    assert admin.patch("/api/v1/municipalities/091/settings", body, etag).status_code == 200
    after = api.get(path).json()
    assert after["weights"]["targets"] == {"firms": 3.0} and first.json()["weights"]["targets"] == {}


def test_a_new_review_date_is_seen_at_once(client: Any) -> None:
    official = Api(client, make_token("091", ("read", "write"), make_user("091", "o@hel.fi", "official").id))
    reviewer = Api(client, make_token("091", ("read", "write"), make_user("091", "r@hel.fi", "reviewer").id))
    a = screened(official)
    assert official.post(f"/api/v1/assessments/{a['id']}/submit", {}, official.etag(a["id"])).status_code == 200
    assert reviewer.post(f"/api/v1/assessments/{a['id']}/approve", {}, reviewer.etag(a["id"])).status_code == 200
    path = f"/api/v1/assessments/{a['id']}"
    read_twice(official, path)
    r = official.put(f"{path}/review-date", {"review_date": "2028-01-31"}, official.etag(a["id"]))
    assert r.status_code == 200
    assert official.get(path).json()["review_date"] == "2028-01-31"


def test_refusals_are_the_ordinary_ones(api: Api, client: Any) -> None:
    from app.auth.repository import user_by_email
    from app.db.session import unit_of_work

    a = screened(api)
    path = f"/api/v1/assessments/{a['id']}"
    read_twice(api, path)  # cached now
    before = served()
    # another municipality: 404, nothing of the assessment
    other = Api.for_new_municipality(client, "0180")
    r = other.get(path)
    assert (
        r.status_code == 404
        and "screening" not in r.text
        and r.headers["content-type"].startswith("application/problem+json")
    )
    # a token without the read scope: 403
    assert Api(client, without_read()).get(path).status_code == 403
    # unknown token, no token
    assert Api(client, "lk_" + "x" * 43).get(path).status_code == 401
    assert client.get(path).status_code == 401
    # a revoked token: 401 at once
    token = make_token("091", ("read",))
    assert Api(client, token).get(path).status_code == 200
    revoke(token)
    assert Api(client, token).get(path).status_code == 401
    # a personal token of a deactivated user: 401
    user = make_user("091", "gone@hel.fi", "official")
    personal = Api(client, make_token("091", ("read",), user.id))
    assert personal.get(path).status_code == 200
    with unit_of_work() as s:
        u = user_by_email(s, "gone@hel.fi")
        assert u is not None
        u.active = False
        s.add(u)
    assert personal.get(path).status_code == 401
    assert served() - before == 2, "only the two allowed reads were served fast"


def test_a_repeated_list_page_is_served_fast_and_any_change_shows_at_once(api: Api, client: Any) -> None:
    a = screened(api)
    lists = "/api/v1/assessments?limit=2&sort=created_at"
    first, second, fast = read_twice(api, lists)
    assert fast == 1 and second.json() == first.json() and second.status_code == 200
    assert second.headers["content-type"] == "application/json"
    # a new assessment
    b = api.create_assessment("KS 2026/2")
    now = api.get(lists).json()
    assert now["total"] == first.json()["total"] + 1 and now["items"][0]["id"] == b["id"]
    # a decision's new title
    decision = api.get(f"/api/v1/decisions/{b['decision_id']}")
    r = api.patch(f"/api/v1/decisions/{b['decision_id']}", {"title": "Ny rubrik"}, decision.headers["etag"])
    assert r.status_code == 200
    assert api.get(lists).json()["items"][0]["title"] == "Ny rubrik"
    # a rating that makes a significant negative impact: the filter shows it at once
    flagged = "/api/v1/assessments?significant_negative=true"
    assert [i["id"] for i in read_twice(api, flagged)[1].json()["items"]] == []
    negative = {
        "criterion_id": "policy.firms.business-climate",
        "target": "firms",
        "score": -2,
        "likelihood": "certain",
        "rationale": "Lots",
        "mitigation": "Advice",
    }
    assert api.put_ratings(a["id"], [negative]).status_code == 200
    assert [i["id"] for i in api.get(flagged).json()["items"]] == [a["id"]]
    # a page with a cursor is its own entry
    params = {"limit": "1", "sort": "created_at"}
    first_page = api.get("/api/v1/assessments", params=params).json()
    for _ in range(2):
        page2 = api.get("/api/v1/assessments", params={**params, "cursor": first_page["next_cursor"]})
        assert page2.status_code == 200 and [i["id"] for i in page2.json()["items"]] == [a["id"]]


def test_a_cached_list_page_is_only_ever_served_to_its_municipality(api: Api, client: Any) -> None:

    screened(api)
    lists = "/api/v1/assessments"
    mine = read_twice(api, lists)[1].json()
    assert mine["total"] >= 1
    other = Api.for_new_municipality(client, "0180")
    assert other.get(lists).json()["items"] == [] and other.get(lists).json()["total"] == 0
    # refusals stay the ordinary ones, before the query is even validated
    assert Api(client, "lk_" + "x" * 43).get(lists + "?limit=0").status_code == 401
    assert Api(client, without_read()).get(lists).status_code == 403
    assert api.get(lists + "?limit=0").status_code == 422
    token = make_token("091", ("read",))
    assert Api(client, token).get(lists).json() == mine
    revoke(token)
    assert Api(client, token).get(lists).status_code == 401


def test_portfolios_are_kept_per_change_of_their_municipality_or_country(client: Any) -> None:
    from tests.portfolio.test_portfolio import NEGATIVE, POSITIVE, approved, people

    helsinki, espoo = people(client, "091"), people(client, "049")
    approved(*helsinki, "KH 1/2026", "2026-02-01", [NEGATIVE])
    path = "/api/v1/portfolio/impacts?year=2026"
    first, second, fast = read_twice(helsinki[0], path)
    assert fast == 1 and second.status_code == 200 and second.json() == first.json()
    assert second.json()["quarters"][0]["approved"] == 1
    # an approval in the municipality shows at once; one in another municipality is not its portfolio
    approved(*helsinki, "KH 2/2026", "2026-02-02", [POSITIVE])
    assert helsinki[0].get(path).json()["quarters"][0]["approved"] == 2
    assert read_twice(espoo[0], path)[1].json()["quarters"][0]["approved"] == 0
    # the country's portfolio moves with an approval in any of its municipalities
    country = path + "&scope=country"
    first, second, fast = read_twice(helsinki[0], country)
    assert fast == 1 and second.json() == first.json() and second.json()["area"] == "FI"
    assert second.json()["quarters"][0]["suppressed"]  # two municipalities so far: fewer than three
    approved(*espoo, "KH 1/2026", "2026-02-03", [NEGATIVE])
    approved(*people(client, "092"), "KH 1/2026", "2026-02-04", [NEGATIVE])
    now = read_twice(helsinki[0], country)[1].json()["quarters"][0]
    assert (now["suppressed"], now["municipalities"], now["approved"]) == (False, 3, 4)
    # the same kept page for another municipality of the country, never for another country
    assert espoo[0].get(country).json()["quarters"][0] == now
    assert Api.for_new_municipality(client, "0180").get(country).json()["area"] == "SE"
    # refusals stay the ordinary ones
    token = make_token("091", ("read",))
    assert Api(client, token).get(country).json()["quarters"][0] == now
    revoke(token)
    assert Api(client, token).get(country).status_code == 401
    assert Api(client, token).get(path).status_code == 401
    assert helsinki[0].get(path + "&scope=nowhere").status_code == 422


def test_a_decision_summary_pdf_is_kept_per_change_of_its_municipality(api: Api, client: Any) -> None:
    from tests.reports.factories import pdf_text, rich_assessment

    a = rich_assessment(api)
    path = f"/api/v1/assessments/{a['id']}/report"
    first, second, fast = read_twice(api, path)
    assert fast == 1 and second.status_code == 200 and second.content == first.content
    assert second.headers["content-type"] == "application/pdf" and second.headers["vary"].startswith("Accept-Language")
    # each language and variant is its own entry
    english = read_twice(api, path + "?lang=en")[1]
    assert english.content != first.content and "Appendix: every rating" in pdf_text(english.content)
    # a change anywhere in the municipality is a new head: the decision's new title shows at once
    decision = api.get(f"/api/v1/decisions/{a['decision_id']}")
    r = api.patch(f"/api/v1/decisions/{a['decision_id']}", {"title": "Ny rubrik"}, decision.headers["etag"])
    assert r.status_code == 200
    assert "Ny rubrik" in pdf_text(api.get(path).content)
    # refusals stay the ordinary ones, before the query is validated
    other = Api.for_new_municipality(client, "0180")
    assert other.get(path).status_code == 404
    assert Api(client, without_read()).get(path).status_code == 403
    token = make_token("091", ("read",))
    assert Api(client, token).get(path).status_code == 200
    revoke(token)
    assert Api(client, token).get(path + "?variant=nope").status_code == 401
    assert api.get(path + "?variant=nope").status_code == 422


def test_the_kept_country_portfolio_follows_a_decision_moved_to_another_quarter(client: Any) -> None:
    """A decision's new date counts once its new version is approved (the approved version stays where
    it was approved until then), in a municipality other than the reader's: the kept page is not served."""
    from tests.api.test_review_flow import act
    from tests.portfolio.test_portfolio import NEGATIVE, approved, people

    espoo = people(client, "049")
    a = approved(*espoo, "KH 5/2026", "2026-02-01", [NEGATIVE])
    for code, day in (("091", "2026-02-02"), ("092", "2026-02-03"), ("106", "2026-02-04")):
        approved(*people(client, code), "KH 5/2026", day, [NEGATIVE])
    country = "/api/v1/portfolio/impacts?year=2026&scope=country"
    reader = Api.for_new_municipality(client, "091")
    _, second, fast = read_twice(reader, country)
    assert fast == 1 and [q["approved"] for q in second.json()["quarters"]] == [4, 0, 0, 0]
    # an approved assessment fixes its decision's details; a new draft version of it opens them again
    v2 = espoo[0].post(f"/api/v1/assessments/{a['id']}/versions")
    assert v2.status_code == 201
    d = espoo[0].get(f"/api/v1/decisions/{a['decision_id']}")
    r = espoo[0].patch(f"/api/v1/decisions/{a['decision_id']}", {"planned_date": "2026-11-30"}, d.headers["ETag"])
    assert r.status_code == 200, r.text
    # the approved version stays in the quarter it was approved in until the new version is approved
    assert [q["approved"] for q in reader.get(country).json()["quarters"]] == [4, 0, 0, 0]
    assert act(espoo[0], v2.json(), "submit").status_code == 200
    assert act(espoo[1], v2.json(), "approve").status_code == 200
    quarters = reader.get(country).json()["quarters"]
    assert [q["approved"] for q in quarters] == [3, 0, 0, 0]
    assert quarters[3]["suppressed"]  # one municipality: fewer than three, so not shown
