"""The fast write path (PostgreSQL): saving ratings on the event loop does exactly what the ordinary
path does — the same answer, the same rows, the same audit event in an unbroken chain, the same flag —
and leaves every refusal (401, 403, 404, 409, 412, 422) to the ordinary path, with nothing written."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from app.rubrics.models import PERSPECTIVE_IDS
from tests.support import Api, fast_pool_taken, make_token, make_user, session

BUSINESS = "policy.firms.business-climate"


@pytest.fixture(autouse=True)
def _postgres_only(client: Any) -> None:
    if client.app.state.loop_db is None:
        pytest.skip("the fast write path serves PostgreSQL only")


def served() -> int:
    from app.api import fast_path

    return fast_path.saved


@contextmanager
def ordinary(client: Any) -> Iterator[None]:
    """Requests in this block take the ordinary path."""
    loop_db = client.app.state.loop_db
    loop_db.writes = False
    try:
        yield
    finally:
        loop_db.writes = True


def screened(api: Api) -> dict[str, Any]:
    a = api.create_assessment(f"KS 2026/{uuid.uuid4().hex[:6]}")
    items = [
        {"perspective_id": p, "relevant": p == "policy", "reason": "" if p == "policy" else "Nej"}
        for p in PERSPECTIVE_IDS
    ]
    assert api.put(f"/api/v1/assessments/{a['id']}/screening", {"items": items}, api.etag(a["id"])).status_code == 200
    return a


def rating(score: int | str, **fields: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"criterion_id": BUSINESS, "target": "firms", "score": score, "rationale": "Grounds"}
    if isinstance(score, int) and score < 0:
        out["mitigation"] = "Advice for small firms"
    return {**out, **fields}


def put(api: Api, a: dict[str, Any], ratings: list[dict[str, Any]], etag: str | None = None) -> Any:
    return api.put(f"/api/v1/assessments/{a['id']}/ratings", {"ratings": ratings}, etag or api.etag(a["id"]))


def stable(ratings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in r.items() if k not in ("id", "updated_at")} for r in ratings]


def events(assessment_id: str) -> list[Any]:
    from app.audit import repository
    from app.municipalities.service import get_or_create

    with session() as s:
        m = get_or_create(s, "091")
        return [e for e in repository.events_for(s, m.id, [assessment_id]) if e.action == "ratings.saved"]


def chain_intact() -> bool:
    from app.audit.service import verify
    from app.municipalities.service import get_or_create

    with session() as s:
        _, broken = verify(s, get_or_create(s, "091").id)
    return broken is None


def flag(assessment_id: str) -> bool:
    from app.assessments.models import Assessment

    with session() as s:
        row = s.get(Assessment, uuid.UUID(assessment_id))
        assert row is not None
        return row.significant_negative


def test_a_save_is_fast_and_does_what_the_ordinary_path_does(api: Api, client: Any) -> None:
    fast_a, slow_a = screened(api), screened(api)
    bodies = [
        [rating(-2, likelihood="likely", evidence=[" Registret ", ""], affected_groups=" Små företag ")],
        [rating(1), rating("unknown", criterion_id="policy.firms.competition", rationale="Okänt", effect=2)],
    ]
    for body in bodies:
        before = served()
        fast = put(api, fast_a, body)
        assert served() - before == 1, ("served by the fast path", fast.text)
        with ordinary(client):
            slow = put(api, slow_a, body)
        assert served() - before == 1
        assert fast.status_code == slow.status_code == 200, (fast.text, slow.text)
        assert fast.headers["etag"] == slow.headers["etag"]
        assert fast.headers["content-type"] == slow.headers["content-type"] == "application/json"
        assert stable(fast.json()) == stable(slow.json())
        listed = api.get(f"/api/v1/assessments/{fast_a['id']}/ratings")
        assert listed.json() == fast.json() and listed.headers["etag"] == fast.headers["etag"]
    # the first save made a significant negative effect of the proposal; the second replaced it
    assert flag(fast_a["id"]) is False and flag(slow_a["id"]) is False
    assert [r["score"] for r in fast.json()] == [1, "unknown"]
    first_id = fast.json()[0]["id"]
    assert put(api, fast_a, [rating(-2, likelihood="certain")]).json()[0]["id"] == first_id, "replaced in place"
    assert flag(fast_a["id"]) is True
    # the audit trail: the same events, before and after each change, and the chain unbroken
    fast_events, slow_events = events(fast_a["id"]), events(slow_a["id"])
    assert len(fast_events) == 3 and len(slow_events) == 2

    def content(event: Any) -> Any:
        changes = [
            {
                side: {k: v for k, v in (c[side] or {}).items() if k not in ("id", "assessment_id", "alternative_id")}
                for side in ("before", "after")
            }
            for c in event.after["changes"]
        ]
        return event.actor, event.resource_id == fast_a["id"] or event.resource_id == slow_a["id"], changes

    assert [content(e) for e in fast_events[:2]] == [content(e) for e in slow_events]
    assert fast_events[1].after["changes"][0]["before"]["id"] == first_id
    assert fast_events[1].after["changes"][0]["before"]["evidence"] == ["Registret"]
    assert chain_intact()
    # the flag's row is written only when the flag changes: a save that keeps it keeps it
    before = served()
    assert put(api, fast_a, [rating(-2, likelihood="certain", rationale="Still grounds")]).status_code == 200
    assert flag(fast_a["id"]) is True
    assert put(api, fast_a, [rating(1)]).status_code == 200 and flag(fast_a["id"]) is False
    assert put(api, fast_a, [rating(2)]).status_code == 200 and flag(fast_a["id"]) is False
    assert served() - before == 3 and chain_intact()


def test_a_save_while_the_pool_is_full_takes_the_ordinary_path_and_the_fast_paths_do_not_rest(
    api: Api, client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """Every connection of the event-loop pool taken (load): the save waits the pool's timeout once (for
    the caller; the save then goes the ordinary way at once, not waiting a second time), and the ordinary
    path saves it, as it saves any; the next save, a connection free again, is fast at once: a full pool
    does not rest the fast paths."""
    a = screened(api)
    before = served()
    etag = api.etag(a["id"])
    with fast_pool_taken(client) as stats, caplog.at_level(logging.INFO, logger="app.db.loop_db"):
        assert stats["pool_size"] == stats["pool_max"] and stats["pool_available"] == 0, stats
        busy = put(api, a, [rating(1)], etag)
    waits = [r for r in caplog.records if "pool is busy" in r.getMessage()]
    assert len(waits) == 1, ("one wait for the pool per request", [r.getMessage() for r in caplog.records])
    assert busy.status_code == 200 and served() == before, ("saved by the ordinary path", busy.text)
    assert [r["score"] for r in busy.json()] == [1] and busy.headers["etag"] == api.etag(a["id"])
    again = put(api, a, [rating(2)])
    assert again.status_code == 200 and served() == before + 1, ("saved fast: the fast paths did not rest", again.text)
    assert [r["score"] for r in again.json()] == [2] and again.json()[0]["id"] == busy.json()[0]["id"]
    assert len(events(a["id"])) == 2 and chain_intact()


def test_refusals_are_the_ordinary_ones_and_write_nothing(api: Api, client: Any) -> None:
    a = screened(api)
    assert put(api, a, [rating(1)]).status_code == 200
    path = f"/api/v1/assessments/{a['id']}/ratings"
    etag = api.etag(a["id"])
    before, saved_before = served(), api.get(path).json()
    # a stale version: 412 with the current one
    r = put(api, a, [rating(2)], '"v1"')
    assert r.status_code == 412 and r.json()["current_version"] == int(etag.strip('"v'))
    # invalid ratings: 422 with every field, nothing saved
    r = put(api, a, [rating(-1, mitigation=""), rating(2, criterion_id="no.such.criterion")], etag)
    assert r.status_code == 422
    fields = {e["field"] for e in r.json()["errors"]}
    assert {"ratings.0.mitigation", "ratings.1.criterion_id"} <= fields, fields
    # a perspective screened out, an unknown alternative
    r = put(api, a, [rating(1, criterion_id="logistics.residents.travel-time", target="residents")], etag)
    assert r.status_code == 422
    assert put(api, a, [rating(1, alternative="option-9")], etag).status_code == 422
    # another municipality: 404; no write scope: 403; unknown token: 401
    other = Api.for_new_municipality(client, "0180")
    assert other.put(path, {"ratings": [rating(2)]}, etag=etag).status_code == 404
    reader = Api.for_new_municipality(client, "091", ("read",))
    assert reader.put(path, {"ratings": [rating(2)]}, etag=etag).status_code == 403
    assert Api(client, "lk_" + "x" * 43).put(path, {"ratings": [rating(2)]}, etag=etag).status_code == 401
    council = Api(client, make_token("091", ("read", "write"), make_user("091", "c@hel.fi", "council").id))
    assert council.put(path, {"ratings": [rating(2)]}, etag=etag).status_code == 403
    assert served() == before, "none of these was served fast"
    assert api.get(path).json() == saved_before and api.etag(a["id"]) == etag, "nothing was written"
    # not a draft: 409
    assert api.post(f"/api/v1/assessments/{a['id']}/submit", {}, etag).status_code == 200
    r = put(api, a, [rating(2)])
    assert r.status_code == 409 and served() == before
    assert chain_intact()


def test_a_personal_token_is_recorded_by_name(client: Any) -> None:
    user = make_user("091", "anna@hel.fi", "official")
    official = Api(client, make_token("091", ("read", "write"), user.id))
    a = screened(official)
    before = served()
    assert put(official, a, [rating(2)]).status_code == 200 and served() == before + 1
    assert events(a["id"])[-1].actor == "Anna <anna@hel.fi>"


def test_concurrent_saves_of_one_version_one_wins(api: Api, client: Any) -> None:
    """Two saves from the same version at once: one is saved, the other gets 412 (no lost update)."""
    import threading

    a = screened(api)
    etag = api.etag(a["id"])
    results: list[int] = []
    barrier = threading.Barrier(4)

    def save(score: int) -> None:
        barrier.wait()
        results.append(put(api, a, [rating(score)], etag).status_code)

    threads = [threading.Thread(target=save, args=(s,)) for s in (1, 2, -1, -2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [200, 412, 412, 412]
    assert api.etag(a["id"]) == f'"v{int(etag.strip(chr(34) + "v")) + 1}"'
    assert len(events(a["id"])) == 1 and chain_intact()


def test_a_save_of_none_and_of_many_is_the_same_on_both_paths(api: Api, client: Any) -> None:
    fast_a, slow_a = screened(api), screened(api)
    criteria = ["affected-firms", "business-climate", "competition", "cost-types", "renewal"]
    many = [rating(2 - effect, criterion_id=f"policy.firms.{c}", effect=effect) for c in criteria for effect in (1, 2)]
    changed = [{**r, "rationale": "New grounds"} for r in many[:3]]
    # a save that changes nothing ([], or the values stored) writes nothing on either path: the fast
    # path hands it to the ordinary one, which answers with the ratings as they are and the same ETag
    for body, count, writes in (
        ([], 0, False),
        (many, 10, True),
        (changed, 10, True),
        (changed, 10, False),
        ([], 10, False),
    ):
        before = served()
        fast = put(api, fast_a, body)
        with ordinary(client):
            slow = put(api, slow_a, body)
        assert served() - before == (1 if writes else 0)
        assert fast.status_code == slow.status_code == 200, (fast.text, slow.text)
        assert fast.headers["etag"] == slow.headers["etag"]
        assert stable(fast.json()) == stable(slow.json()) and len(fast.json()) == count
    assert [len(e.after["changes"]) for e in events(fast_a["id"])] == [10, 3]
    assert [len(e.after["changes"]) for e in events(slow_a["id"])] == [10, 3]
    assert chain_intact()


def test_a_save_that_only_updates_answers_in_the_order_the_database_lists(api: Api, client: Any) -> None:
    """A save that only changes existing ratings does not read their order back (nothing of it moves):
    the answer must still be the listing's order, whatever order the request named them in."""
    fast_a, slow_a = screened(api), screened(api)
    keys = [
        (alternative, f"policy.{target}.{criterion}", target, effect)
        for alternative in ("zero", "proposal")
        for target, criterion in (("residents", "employment"), ("firms", "competition"), ("firms", "affected-firms"))
        for effect in (2, 1)
    ]
    first = [rating(1, alternative=a, criterion_id=c, target=t, effect=e) for a, c, t, e in keys]
    updates = [{**r, "score": 2, "rationale": "Updated grounds"} for r in first[::-3]]
    for body in (first, updates):
        before = served()
        fast = put(api, fast_a, body)
        with ordinary(client):
            slow = put(api, slow_a, body)
        assert served() - before == 1
        assert fast.status_code == slow.status_code == 200, (fast.text, slow.text)
        assert fast.headers["etag"] == slow.headers["etag"]
        assert stable(fast.json()) == stable(slow.json()) and len(fast.json()) == len(keys)
        listed = api.get(f"/api/v1/assessments/{fast_a['id']}/ratings")
        assert listed.json() == fast.json()
    assert [r["score"] for r in fast.json()].count(2) == len(updates)
    assert chain_intact()


def test_an_assessment_with_local_extensions_is_saved_fast_once_its_rubric_is_merged(api: Api, client: Any) -> None:
    """Vaasa pins its file extension: the first save (the merged rubric not yet cached) takes the
    ordinary path, the later ones the fast path, with the local criterion checked the same way."""
    vaasa = Api(client, make_token("905"))
    a = vaasa.create_assessment(f"KS 2026/{uuid.uuid4().hex[:6]}")
    assert a["extensions"], "the Vaasa file extension is pinned"
    rubric = vaasa.get(f"/api/v1/assessments/{a['id']}/rubric").json()
    criterion = next(c for p in rubric["perspectives"] for c in p["criteria"] if c["local"])
    items = [{"perspective_id": p, "relevant": True, "reason": ""} for p in PERSPECTIVE_IDS]
    assert (
        vaasa.put(f"/api/v1/assessments/{a['id']}/screening", {"items": items}, vaasa.etag(a["id"])).status_code == 200
    )
    client.app.state.rubrics.merged.clear()  # as in a process that has not merged it yet
    before = served()
    first = rating(1, criterion_id=criterion["id"], target=criterion["target"])
    assert put(vaasa, a, [first]).status_code == 200
    assert served() == before, "the first save merges the rubric on the ordinary path"
    second = put(vaasa, a, [{**first, "score": 2}, rating(-1)])
    assert second.status_code == 200 and served() == before + 1, second.text
    assert {(r["criterion_id"], r["score"]) for r in second.json()} == {(criterion["id"], 2), (BUSINESS, -1)}
    # an invalid local rating is the ordinary 422, nothing written
    etag = vaasa.etag(a["id"])
    wrong = next(t for t in ("organisation", "firms", "residents") if t != criterion["target"])
    r = put(vaasa, a, [{**first, "target": wrong}], etag)
    assert r.status_code == 422 and served() == before + 1 and vaasa.etag(a["id"]) == etag
