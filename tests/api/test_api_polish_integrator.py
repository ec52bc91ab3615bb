"""API polish for integrators: a total order of the ratings, no-op changes that write nothing, one
`If-Match` rule (RFC 9110: lists and `*`) on every route, strict JSON types in request bodies."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.api.test_review_flow import PERSPECTIVES, act, screened_and_rated
from tests.reports.test_batches import empty_queue, on_postgresql
from tests.support import Api, make_token, make_user

__all__ = ["empty_queue"]  # a fixture of the report batches' tests, used here

POLICY = "policy.firms.business-climate"


def _screened(api: Api) -> dict[str, Any]:
    a = api.create_assessment()
    items = [
        {"perspective_id": p, "relevant": p == "policy", "reason": "" if p == "policy" else "Berör inte beslutet"}
        for p in PERSPECTIVES
    ]
    r = api.put(f"/api/v1/assessments/{a['id']}/screening", {"items": items}, api.etag(a["id"]))
    assert r.status_code == 200, r.text
    return a


def _rating(alternative: str, score: int = 1) -> dict[str, Any]:
    return {
        "alternative": alternative,
        "criterion_id": POLICY,
        "target": "firms",
        "score": score,
        "rationale": "Bättre",
    }


def test_ratings_of_one_criterion_come_in_the_alternatives_order(api: Api) -> None:
    a = _screened(api)
    r = api.post(f"/api/v1/assessments/{a['id']}/alternatives", {"title": "Etappvis"}, api.etag(a["id"]))
    assert r.status_code == 201, r.text
    # saved one at a time, the last alternative first: the order stored is the reverse of theirs
    for alternative in ("option-1", "zero", "proposal"):
        assert api.put_ratings(a["id"], [_rating(alternative)]).status_code == 200
    expected = ["proposal", "zero", "option-1"]
    listed = api.get(f"/api/v1/assessments/{a['id']}/ratings").json()
    assert [x["alternative"] for x in listed] == expected
    # the answer of the save lists them in the same order
    saved = api.put_ratings(a["id"], [_rating("zero", 2)]).json()
    assert [x["alternative"] for x in saved] == expected


@on_postgresql
def test_a_replayed_202_of_a_report_batch_keeps_retry_after(api: Api, empty_queue: None) -> None:
    a = api.create_assessment()
    body, key = {"assessment_ids": [a["id"]], "lang": "sv"}, {"Idempotency-Key": "batch-1"}
    first = api.post("/api/v1/report-batches", body, headers=key)
    assert first.status_code == 202, first.text
    again = api.post("/api/v1/report-batches", body, headers=key)
    assert again.status_code == 202, again.text
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    for header in ("Location", "Retry-After", "Content-Type"):
        assert again.headers[header] == first.headers[header], header


# --- If-Match: one rule on every route (RFC 9110 §13.1.1) -------------------------------------------


def if_match_cases(current: str) -> list[tuple[str, int]]:
    """(If-Match, the status it gets) for a resource whose ETag is ``current``: a list matches when any
    of its strong tags is current, `*` while the resource exists; a weak tag never matches."""
    return [
        (f'"v99", {current}', 200),
        (f'{current},"v99"', 200),
        ("*", 200),
        (f"W/{current}, {current}", 200),
        ('"v98", "v99"', 412),
        (f"W/{current}", 412),
        (f"{current[:-1]}", 412),  # not an entity-tag
        (f"{current} {current}", 412),  # not a list
    ]


def check_if_match(url: str, change: Callable[[str, int], Any], read: Callable[[], Any]) -> None:
    """Each case against the ETag of the moment (every success changes it): the status, a new ETag
    after a success, and nothing written after a refusal."""
    for i in range(len(if_match_cases('"x"'))):
        before = read()
        header, status = if_match_cases(before.headers["ETag"])[i]
        r = change(header, i)
        assert r.status_code == status, (url, header, r.text)
        after = read()
        if status == 200:
            assert r.headers["ETag"] == after.headers["ETag"] != before.headers["ETag"], header
        else:
            assert r.headers["content-type"].startswith("application/problem+json")
            assert after.json() == before.json() and after.headers["ETag"] == before.headers["ETag"], header


def test_if_match_lists_and_star_on_a_decision(api: Api) -> None:
    d = api.create_decision()
    url = f"/api/v1/decisions/{d['id']}"
    check_if_match(url, lambda h, i: api.patch(url, {"title": f"Titel {i}"}, h), lambda: api.get(url))


def test_if_match_lists_and_star_on_the_ratings_and_the_review_steps(api: Api) -> None:
    a = _screened(api)
    url = f"/api/v1/assessments/{a['id']}"
    ratings = f"{url}/ratings"
    check_if_match(
        ratings, lambda h, i: api.put(ratings, {"ratings": [_rating("proposal", i % 3)]}, h), lambda: api.get(url)
    )
    check_if_match(
        f"{url}/alternatives/zero",
        lambda h, i: api.patch(f"{url}/alternatives/zero", {"title": f"Inget beslut {i}"}, h),
        lambda: api.get(url),
    )


def test_if_match_lists_and_star_on_the_municipality_settings(client: Any) -> None:
    admin = Api(client, make_token("091", ("read", "write", "admin")))
    url = "/api/v1/municipalities/091"
    check_if_match(
        url,
        lambda h, i: admin.patch(f"{url}/settings", {"display_name": f"Helsingfors {i}"}, h),
        lambda: admin.get(url),
    )


# --- strict JSON types in request bodies ------------------------------------------------------------

SCORE = "score must be a JSON integer from -3 to 3 or the string 'unknown'"


@pytest.mark.parametrize("score", ["2", 2.0, True, "+2", " 2"])
def test_a_score_is_a_json_integer_or_unknown(api: Api, score: Any) -> None:
    a = _screened(api)
    r = api.put_ratings(a["id"], [{**_rating("proposal"), "score": score}])
    assert r.status_code == 422, r.text
    assert r.json()["errors"] == [{"field": "ratings.0.score", "message": SCORE, "code": "score_invalid"}]
    assert api.get(f"/api/v1/assessments/{a['id']}/ratings").json() == []
    for fine in (2, 3, "unknown"):
        assert api.put_ratings(a["id"], [{**_rating("proposal"), "score": fine}]).status_code == 200, fine


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("effect", "1", "must be a JSON integer, not a string"),
        ("effect", 1.0, "must be a JSON integer, not a number with a decimal point or exponent"),
        ("effect", True, "must be a JSON integer, not a boolean"),
    ],
)
def test_an_effect_is_a_json_integer(api: Api, field: str, value: Any, message: str) -> None:
    a = _screened(api)
    r = api.put_ratings(a["id"], [{**_rating("proposal"), field: value}])
    assert r.status_code == 422, r.text
    assert r.json()["errors"] == [{"field": f"ratings.0.{field}", "message": message, "code": "int_type"}]


@pytest.mark.parametrize("relevant", ["yes", "true", 1, 0, "false"])
def test_relevant_is_a_json_boolean(api: Api, relevant: Any) -> None:
    a = api.create_assessment()
    item = {"perspective_id": "policy", "relevant": relevant, "reason": "Berör inte beslutet"}
    items = [item] + [{"perspective_id": p, "relevant": False, "reason": "Nej"} for p in PERSPECTIVES[1:]]
    r = api.put(f"/api/v1/assessments/{a['id']}/screening", {"items": items}, api.etag(a["id"]))
    assert r.status_code == 422, r.text
    [error] = r.json()["errors"]
    assert (error["field"], error["code"]) == ("items.0.relevant", "bool_type")
    assert error["message"].startswith("must be a JSON boolean (true or false), not ")
    assert api.etag(a["id"]) == a["etag"]  # nothing written


def test_a_weight_is_a_json_number(client: Any) -> None:
    admin = Api(client, make_token("091", ("read", "write", "admin")))
    url, etag = "/api/v1/municipalities/091/settings", admin.municipality_etag("091")
    r = admin.patch(url, {"weights": {"perspectives": {"policy": "2"}}}, etag)
    assert r.status_code == 422, r.text
    assert r.json()["errors"] == [
        {"field": "weights.perspectives.policy", "message": "must be a JSON number, not a string", "code": "float_type"}
    ]
    r = admin.patch(url, {"weights": {"perspectives": {"policy": 2, "logistics": 1.5}}}, etag)  # an integer is a number
    assert r.status_code == 200, r.text
    assert r.json()["settings"]["weights"]["perspectives"] == {"policy": 2.0, "logistics": 1.5}


# --- a change to the values stored writes nothing ---------------------------------------------------


def _events(api: Api) -> list[dict[str, Any]]:
    r = api.get("/api/v1/audit-events", params={"limit": 200})
    assert r.status_code == 200, r.text
    return list(r.json()["items"])


def check_no_op(api: Api, read_url: str, send: Callable[[str], Any], body_url: str | None = None) -> None:
    """``send(if_match)`` sends the values ``read_url`` has: 200 with the resource as it is (as
    ``body_url`` reads it) and its ETag, no new version, no audit event; and still 412 on a stale ETag."""
    before, events = api.get(read_url), _events(api)
    body_before = api.get(body_url).json() if body_url else None
    r = send(before.headers["ETag"])
    assert r.status_code == 200, r.text
    assert r.headers["ETag"] == before.headers["ETag"]
    if body_url:
        assert r.json() == body_before
    after = api.get(read_url)
    assert (after.json(), after.headers["ETag"]) == (before.json(), before.headers["ETag"])
    assert _events(api) == events
    stale = send('"v999"')
    assert stale.status_code == 412, stale.text
    assert _events(api) == events


def test_a_decision_changed_to_its_values_writes_nothing(api: Api) -> None:
    d = api.create_decision(planned_date="2027-03-01")
    url = f"/api/v1/decisions/{d['id']}"
    same = {k: d[k] for k in ("case_number", "title", "deciding_body", "planned_date")}
    check_no_op(api, url, lambda h: api.patch(url, same, h), url)
    check_no_op(api, url, lambda h: api.patch(url, {"title": f"  {d['title']} "}, h), url)  # trimmed: the same
    r = api.patch(url, {"title": "Ny titel"}, api.get(url).headers["ETag"])  # a real change still writes
    assert r.status_code == 200 and r.headers["ETag"] == '"v2"'


def test_screening_alternatives_and_ratings_sent_again_write_nothing(api: Api) -> None:
    a = _screened(api)
    url = f"/api/v1/assessments/{a['id']}"
    screening = api.get(url).json()["screening"]
    items = [{k: s[k] for k in ("perspective_id", "relevant", "reason")} for s in screening]
    check_no_op(api, url, lambda h: api.put(f"{url}/screening", {"items": items}, h), url)
    check_no_op(api, url, lambda h: api.put(f"{url}/screening", {"items": items[:2]}, h), url)  # a part of it
    zero = next(x for x in api.get(url).json()["alternatives"] if x["key"] == "zero")
    check_no_op(api, url, lambda h: api.patch(f"{url}/alternatives/zero", {"title": zero["title"]}, h))
    rating = {**_rating("proposal", -2), "mitigation": "Digital lots", "evidence": ["Enkät 2026"]}
    assert api.put_ratings(a["id"], [rating]).status_code == 200
    ratings = f"{url}/ratings"
    check_no_op(api, url, lambda h: api.put(ratings, {"ratings": [rating]}, h), ratings)
    spaced = {**rating, "rationale": " Bättre ", "evidence": ["Enkät 2026", "  "]}  # stored as the same
    check_no_op(api, url, lambda h: api.put(ratings, {"ratings": [spaced]}, h), ratings)
    check_no_op(api, url, lambda h: api.put(ratings, {"ratings": []}, h), ratings)
    # a real change still writes, with a new version and one event
    events = len(_events(api))
    r = api.put(ratings, {"ratings": [{**rating, "score": -1}]}, api.etag(a["id"]))
    assert r.status_code == 200 and r.headers["ETag"] != a["etag"]
    assert len(_events(api)) == events + 1


def test_the_review_date_set_again_writes_nothing(client: Any) -> None:
    official = Api(client, make_token("091", ("read", "write"), make_user("091", "o@hel.fi", "official").id))
    reviewer = Api(client, make_token("091", ("read", "write"), make_user("091", "r@hel.fi", "reviewer").id))
    a = screened_and_rated(official)
    assert act(official, a, "submit").status_code == 200
    assert act(reviewer, a, "approve").status_code == 200
    url = f"/api/v1/assessments/{a['id']}"
    r = official.put(f"{url}/review-date", {"review_date": "2028-06-01"}, official.etag(a["id"]))
    assert r.status_code == 200, r.text
    check_no_op(official, url, lambda h: official.put(f"{url}/review-date", {"review_date": "2028-06-01"}, h), url)


def test_municipality_settings_set_to_their_values_write_nothing(client: Any) -> None:
    admin = Api(client, make_token("091", ("read", "write", "admin")))
    url = "/api/v1/municipalities/091"
    body = {"weights": {"perspectives": {"policy": 2}}, "display_name": "Helsingfors stad"}
    assert admin.patch(f"{url}/settings", body, admin.municipality_etag("091")).status_code == 200
    check_no_op(admin, url, lambda h: admin.patch(f"{url}/settings", body, h), url)
    check_no_op(admin, url, lambda h: admin.patch(f"{url}/settings", {"display_name": "Helsingfors stad"}, h), url)


# --- conditional GET: If-None-Match ------------------------------------------------------------------


def test_a_read_with_the_current_etag_in_if_none_match_is_304(client: Any) -> None:
    admin = Api(client, make_token("091", ("read", "write", "admin")))
    other = Api(client, make_token("0180", ("read", "write", "admin")))
    a = admin.create_assessment()
    urls = [f"/api/v1/assessments/{a['id']}", f"/api/v1/decisions/{a['decision_id']}", "/api/v1/municipalities/091"]
    for url in urls:
        first = admin.get(url)
        etag = first.headers["ETag"]
        for header in (etag, f"W/{etag}", f'"stale", {etag}', "*"):
            for method in ("GET", "HEAD"):
                r = client.request(method, url, headers={**admin._h(), "If-None-Match": header})
                assert r.status_code == 304, (url, header, method, r.text)
                assert r.content == b"" and r.headers["ETag"] == etag
                assert r.headers["Cache-Control"] == first.headers["Cache-Control"]
                assert "content-type" not in r.headers
        for header in ('"stale"', 'W/"stale"', "v1", ""):
            r = admin.get(url, headers={"If-None-Match": header})
            assert r.status_code == 200 and r.json() == first.json(), (url, header)
        # another municipality's resource stays a 404, whatever it sends
        assert other.get(url, headers={"If-None-Match": "*"}).status_code == 404
    # a change gives a new ETag: the old one no longer holds, and the new one does
    url = urls[1]
    old = admin.get(url).headers["ETag"]
    assert admin.patch(url, {"title": "Ny titel"}, old).status_code == 200
    r = admin.get(url, headers={"If-None-Match": old})
    assert r.status_code == 200 and r.json()["title"] == "Ny titel"
    assert admin.get(url, headers={"If-None-Match": r.headers["ETag"]}).status_code == 304
    # a list has no ETag: never 304
    assert admin.get("/api/v1/decisions", headers={"If-None-Match": "*"}).status_code == 200


def test_the_benchmarks_bodies_sent_in_turn_each_change_something(api: Api) -> None:
    """bench/wrk.py counts versions itself (the next `If-Match` is the last plus one): a body that
    changed nothing would keep the version and turn every later request into a 412."""
    from bench.prepare import rating_bodies

    a = _screened(api)
    version = int(api.etag(a["id"]).strip('"v'))
    bodies = rating_bodies()
    for n in range(3 * len(bodies)):
        r = api.client.put(
            f"/api/v1/assessments/{a['id']}/ratings",
            content=bodies[n % len(bodies)],
            headers={**api._h(f'"v{version}"'), "Content-Type": "application/json"},
        )
        assert r.status_code == 200, (n, r.text)
        version += 1
        assert r.headers["ETag"] == f'"v{version}"'
