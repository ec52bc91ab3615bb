"""The portfolio summary tables follow every approval, supersede, date change and import, and agree with
a rebuild from the ratings and with the migration's backfill."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from tests.api.test_review_flow import PERSPECTIVES, act
from tests.support import Api, make_token, make_user, session

NEGATIVE = {
    "criterion_id": "policy.firms.business-climate",
    "target": "firms",
    "score": -2,
    "likelihood": "likely",
    "rationale": "Företagslotsen flyttas",
    "mitigation": "Digital lots",
}
POSITIVE = {
    "criterion_id": "policy.organisation.strategy-fit",
    "target": "organisation",
    "score": 3,
    "likelihood": "certain",
    "rationale": "Åtgärd i programmet",
}


def people(client: Any, code: str) -> tuple[Api, Api]:
    official = make_user(code, f"official@{code}.fi", "official")
    reviewer = make_user(code, f"reviewer@{code}.fi", "reviewer")
    return (
        Api(client, make_token(code, ("read", "write"), official.id)),
        Api(client, make_token(code, ("read", "write"), reviewer.id)),
    )


def rated(official: Api, case: str, day: str | None, ratings: list[dict[str, Any]]) -> dict[str, Any]:
    """A draft of a new decision, screened (policy relevant) and rated."""
    decision = official.create_decision(case, planned_date=day)
    r = official.post(f"/api/v1/decisions/{decision['id']}/assessments", {})
    assert r.status_code == 201, r.text
    a = dict(r.json())
    items = [
        {"perspective_id": p, "relevant": p == "policy", "reason": "" if p == "policy" else "Berör inte beslutet"}
        for p in PERSPECTIVES
    ]
    assert official.put(f"/api/v1/assessments/{a['id']}/screening", {"items": items}, official.etag(a["id"])).is_success
    assert official.put_ratings(a["id"], ratings).status_code == 200
    return a


def approved(official: Api, reviewer: Api, case: str, day: str, ratings: list[dict[str, Any]]) -> dict[str, Any]:
    a = rated(official, case, day, ratings)
    assert act(official, a, "submit").status_code == 200
    r = act(reviewer, a, "approve")
    assert r.status_code == 200, r.text
    return dict(r.json())


def impacts(api: Api, year: int, scope: str = "municipality") -> dict[str, Any]:
    r = api.get("/api/v1/portfolio/impacts", params={"year": year, "scope": scope})
    assert r.status_code == 200, r.text
    return dict(r.json())


def cells(body: dict[str, Any], quarter: int) -> dict[tuple[str, str], dict[str, Any]]:
    q = body["quarters"][quarter - 1]
    return {(c["perspective_id"], c["target"]): c for c in q["cells"]}


def table_rows() -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]:
    from app.portfolio.models import PortfolioCell, PortfolioQuarter

    with session() as s:
        c = {
            tuple(v for v in row.model_dump().values())
            for row in s.exec(select(PortfolioCell)).all()
            if row.negative or row.neutral or row.positive or row.unknown
        }
        q = {tuple(row.model_dump().values()) for row in s.exec(select(PortfolioQuarter)).all() if row.approved}
    return c, q


def test_approval_counts_and_a_new_version_replaces_the_old(client) -> None:
    official, reviewer = people(client, "091")
    a = approved(official, reviewer, "KH 1/2026", "2026-05-10", [NEGATIVE, POSITIVE])
    body = impacts(official, 2026)
    assert [q["approved"] for q in body["quarters"]] == [0, 1, 0, 0]
    assert body["quarters"][1]["significant_negative"] == 1
    got = cells(body, 2)
    assert got[("policy", "firms")] | {} == {
        "perspective_id": "policy",
        "target": "firms",
        "negative": 1,
        "neutral": 0,
        "positive": 0,
        "unknown": 0,
        "mean": -2.0,
        "significant_negative": 1,
    }
    assert got[("policy", "organisation")]["positive"] == 1 and got[("policy", "organisation")]["mean"] == 3.0

    r = official.post(f"/api/v1/assessments/{a['id']}/versions")
    assert r.status_code == 201, r.text
    v2 = r.json()
    assert impacts(official, 2026)["quarters"][1]["approved"] == 1  # a draft changes nothing
    milder = {**NEGATIVE, "score": -1, "likelihood": "possible"}
    assert official.put_ratings(v2["id"], [milder, {**POSITIVE, "score": "unknown"}]).status_code == 200
    assert act(official, v2, "submit").status_code == 200
    assert act(reviewer, v2, "approve").status_code == 200
    body = impacts(official, 2026)
    assert body["quarters"][1]["approved"] == 1 and body["quarters"][1]["significant_negative"] == 0
    got = cells(body, 2)
    assert (got[("policy", "firms")]["negative"], got[("policy", "firms")]["significant_negative"]) == (1, 0)
    assert got[("policy", "organisation")] | {} == {
        "perspective_id": "policy",
        "target": "organisation",
        "negative": 0,
        "neutral": 0,
        "positive": 0,
        "unknown": 1,
        "mean": None,
        "significant_negative": 0,
    }


def test_drafts_and_submitted_assessments_do_not_count(client) -> None:
    official, _ = people(client, "091")
    decision = official.create_decision("KH 2/2026", planned_date="2026-02-01")
    assert official.post(f"/api/v1/decisions/{decision['id']}/assessments", {}).status_code == 201
    body = impacts(official, 2026)
    assert all(q["approved"] == 0 and q["cells"] == [] for q in body["quarters"])


def test_an_approved_version_stays_in_its_quarter_until_a_newer_version_is_approved(client) -> None:
    """A new draft version opens the decision's details again; changing its date must not move the
    approved (still current) version, which was approved with the old date. Approving the draft
    supersedes it: the old version leaves the quarter it was counted in, the new one counts by its date."""
    official, reviewer = people(client, "091")
    a = approved(official, reviewer, "KH 3/2026", "2026-01-15", [NEGATIVE])
    # an approved assessment fixes its decision's details; a new draft version of it opens them again
    r = official.post(f"/api/v1/assessments/{a['id']}/versions")
    assert r.status_code == 201, r.text
    v2 = r.json()
    d = official.get(f"/api/v1/decisions/{a['decision_id']}")
    r = official.patch(f"/api/v1/decisions/{a['decision_id']}", {"planned_date": "2027-11-30"}, d.headers["ETag"])
    assert r.status_code == 200, r.text
    kept = impacts(official, 2026)
    assert [q["approved"] for q in kept["quarters"]] == [1, 0, 0, 0], "the approved version stays where approved"
    assert cells(kept, 1)[("policy", "firms")]["negative"] == 1
    assert all(q["approved"] == 0 for q in impacts(official, 2027)["quarters"]), "a draft counts nowhere"
    incremental = table_rows()
    from app.municipalities.models import Municipality
    from app.portfolio.service import rebuild_municipality

    with session() as s:
        for m in s.exec(select(Municipality)).all():
            rebuild_municipality(s, m.id)
        s.commit()
    assert table_rows() == incremental, "a rebuild counts the approved version by its date as approved too"

    assert act(official, v2, "submit").status_code == 200
    assert act(reviewer, v2, "approve").status_code == 200
    old_year = impacts(official, 2026)
    assert [q["approved"] for q in old_year["quarters"]] == [0, 0, 0, 0] and cells(old_year, 1) == {}
    moved = impacts(official, 2027)
    assert [q["approved"] for q in moved["quarters"]] == [0, 0, 0, 1] and ("policy", "firms") in cells(moved, 4)


def test_country_scope_sums_municipalities_and_hides_thin_quarters(client) -> None:
    finns = {code: people(client, code) for code in ("091", "049", "092")}
    approved(*finns["091"], "KH 1/2026", "2026-03-01", [NEGATIVE, POSITIVE])
    approved(*finns["049"], "KH 1/2026", "2026-03-02", [NEGATIVE])
    swede = people(client, "0180")
    approved(*swede, "KS 1/2026", "2026-03-03", [POSITIVE])
    body = impacts(finns["091"][0], 2026, "country")
    assert body["area"] == "FI" and body["quarters"][0]["suppressed"] and body["quarters"][0]["cells"] == []
    approved(*finns["092"], "KH 1/2026", "2026-03-04", [NEGATIVE])
    body = impacts(finns["049"][0], 2026, "country")
    q1 = body["quarters"][0]
    assert (q1["suppressed"], q1["municipalities"], q1["approved"]) == (False, 3, 3)
    assert cells(body, 1)[("policy", "firms")]["negative"] == 3  # Stockholm's rating is not in Finland's
    assert ("policy", "organisation") in cells(body, 1)
    assert impacts(swede[0], 2026, "country")["quarters"][0]["suppressed"]


def test_incremental_tables_agree_with_a_rebuild_and_the_migration_backfill(client) -> None:
    from app.cli.seed import seed_examples
    from app.db.migrate import downgrade, upgrade
    from app.municipalities.models import Municipality
    from app.portfolio.service import rebuild_municipality
    from app.settings import get_settings

    official, reviewer = people(client, "091")
    a = approved(official, reviewer, "KH 9/2026", "2026-08-01", [NEGATIVE, POSITIVE])
    assert official.post(f"/api/v1/assessments/{a['id']}/versions").status_code == 201
    seed_examples(get_settings().assessments_dir)  # imported approved examples of several municipalities
    incremental = table_rows()
    assert incremental[1], "the examples include approved assessments"
    with session() as s:
        for m in s.exec(select(Municipality)).all():
            rebuild_municipality(s, m.id)
        s.commit()
    assert table_rows() == incremental
    downgrade("0004")
    upgrade()
    assert table_rows() == incremental


def portfolio_token() -> str | None:
    """None: no row (the migration creates it, the tests' cleaning empties every table)."""
    from app.portfolio.models import PortfolioState

    with session() as s:
        state = s.get(PortfolioState, 1)
        return state.epoch if state is not None else None


def test_the_summary_tables_token_moves_with_every_change_of_them_and_only_then(client) -> None:
    """The country's portfolio is kept per this token (PostgreSQL), so every change of the summary tables
    must give them a new one in its own transaction; other writes leave it as it is."""
    from app.municipalities.models import Municipality
    from app.portfolio.service import rebuild_municipality

    official, reviewer = people(client, "091")
    tokens = [portfolio_token()]

    def moved() -> bool:
        tokens.append(portfolio_token())
        return tokens[-1] != tokens[-2]

    a = approved(official, reviewer, "KH 4/2026", "2026-04-01", [NEGATIVE])
    assert moved(), "an approval"
    draft = official.post(f"/api/v1/assessments/{a['id']}/versions")
    assert draft.status_code == 201
    assert official.put_ratings(draft.json()["id"], [POSITIVE]).status_code == 200
    assert not moved(), "a new version and its ratings are a draft: not in the tables"
    d = official.get(f"/api/v1/decisions/{a['decision_id']}")
    r = official.patch(f"/api/v1/decisions/{a['decision_id']}", {"planned_date": "2026-05-02"}, d.headers["ETag"])
    assert r.status_code == 200 and not moved(), "a new date in the same quarter moves nothing"
    d = official.get(f"/api/v1/decisions/{a['decision_id']}")
    r = official.patch(f"/api/v1/decisions/{a['decision_id']}", {"planned_date": "2026-08-02"}, d.headers["ETag"])
    assert r.status_code == 200 and not moved(), "a new quarter: the approved version stays where approved"
    assert act(official, draft.json(), "submit").status_code == 200
    assert act(reviewer, draft.json(), "approve").status_code == 200
    assert moved(), "an approval that supersedes (and moves the decision to its new quarter)"
    with session() as s:
        helsinki = s.exec(select(Municipality).where(Municipality.code == "091")).one()
        rebuild_municipality(s, helsinki.id)
        s.commit()
    assert moved(), "a rebuild (after an import)"
    assert len(set(tokens)) == len(tokens) - 3 and None not in tokens[1:], "never a token seen before"


def test_migration_0015_moves_an_approved_version_back_to_its_quarter_as_approved(client) -> None:
    """Where the code before moved an approved version with its decision's new date, revision 0015
    rebuilds the tables by the date as approved (its downgrade puts them back where that code kept them);
    with nothing to move, neither way touches the tables or their token."""
    from app.assessments import representation_cache
    from app.db.migrate import downgrade, upgrade

    official, reviewer = people(client, "091")
    steady = approved(official, reviewer, "KH 7/2026", "2026-05-05", [POSITIVE])
    rows, token = table_rows(), portfolio_token()
    downgrade("0014")
    assert (table_rows(), portfolio_token()) == (rows, token), "nothing to move: no rebuild"
    upgrade("head")
    assert (table_rows(), portfolio_token()) == (rows, token)

    a = approved(official, reviewer, "KH 8/2026", "2026-01-15", [NEGATIVE])
    assert official.post(f"/api/v1/assessments/{a['id']}/versions").status_code == 201
    d = official.get(f"/api/v1/decisions/{a['decision_id']}")
    r = official.patch(f"/api/v1/decisions/{a['decision_id']}", {"planned_date": "2027-11-30"}, d.headers["ETag"])
    assert r.status_code == 200, r.text
    incremental, token = table_rows(), portfolio_token()
    downgrade("0014")  # where the code before kept it: the decision's date as it is now
    assert portfolio_token() not in (None, token)
    representation_cache.clear()  # kept portfolios follow the audit chain, which a migration does not move
    assert [q["approved"] for q in impacts(official, 2026)["quarters"]] == [0, 1, 0, 0]
    assert [q["approved"] for q in impacts(official, 2027)["quarters"]] == [0, 0, 0, 1]
    upgrade("head")
    assert table_rows() == incremental, "as the code counts them now"
    representation_cache.clear()
    assert [q["approved"] for q in impacts(official, 2026)["quarters"]] == [1, 1, 0, 0]
    assert steady["status"] == "approved"
