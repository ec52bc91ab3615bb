"""The overall difference proposal − zero alternative compares the same targets on both sides
(docs/method.md, "The difference from the zero alternative"): each alternative's overall value is
recomputed over the targets comparable in both, with the targets' weights; none comparable → null.
The API, the web summary and the PDF say which targets it covers when it is not all of them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.assessments.scoring import TARGET_ORDER, RatingInput, Summary, Weights, summarise
from tests.reports.factories import page_texts
from tests.support import Api, make_token
from tests.web.support import Web

PERSPECTIVES = ("policy", "infrastructure", "logistics")
ALTERNATIVES = ("proposal", "zero", "option-1")


def r(score: int | None, t: str, alt: str = "proposal", p: str = "policy", c: str = "a") -> RatingInput:
    return RatingInput(alt, p, f"{p}.{t}.{c}", t, score)


def run(ratings: Sequence[RatingInput], w: Weights | None = None) -> Summary:
    return summarise(ratings, ALTERNATIVES, PERSPECTIVES, (), w)


# --- the rule, case by case ---------------------------------------------------------------------


def test_the_reported_case_compares_only_the_firms() -> None:
    """Proposal: organisation −2, firms +2 (overall 0); zero: firms 0 (overall 0). Only firms compare."""
    s = run([r(-2, "organisation"), r(2, "firms"), r(0, "firms", alt="zero")])
    assert (s.alternatives["proposal"].overall, s.alternatives["zero"].overall) == (0.0, 0.0)
    assert s.delta_profile == {"organisation": None, "firms": 2.0, "residents": None}
    assert s.delta_overall == 2.0  # not 0.0 − 0.0
    assert s.delta_overall_targets == ("firms",) and s.delta_overall_partial


def test_no_comparable_target_gives_no_overall_difference() -> None:
    s = run([r(-2, "organisation"), r(1, "firms", alt="zero")])
    assert s.delta_overall is None and s.delta_overall_targets == () and not s.delta_overall_partial
    only_unknowns = run([r(2, "firms"), r(None, "firms", alt="zero")])
    assert only_unknowns.delta_overall is None


def test_the_common_targets_keep_their_weights() -> None:
    ratings = [r(3, "organisation"), r(1, "firms"), r(-3, "residents"), r(0, "organisation", alt="zero")]
    ratings.append(r(-1, "firms", alt="zero"))
    w = Weights(targets={"organisation": 3.0, "firms": 1.0})
    s = run(ratings, w)
    assert s.delta_overall_targets == ("organisation", "firms")
    assert s.delta_overall == pytest.approx((3 * 3 + 1 * 1) / 4 - (3 * 0 + 1 * -1) / 4)
    # a target weighted 0 counts nowhere: it is neither comparable nor missing from the difference
    zero_weight = run(ratings, Weights(targets={"residents": 0.0}))
    assert zero_weight.delta_overall_targets == ("organisation", "firms") and not zero_weight.delta_overall_partial
    assert zero_weight.delta_overall == pytest.approx(zero_weight.alternatives["proposal"].overall - (-0.5))


def test_when_every_target_compares_it_is_the_difference_of_the_overalls() -> None:
    ratings = [r(s, t) for s, t in ((2, "organisation"), (1, "firms"), (-1, "residents"))]
    ratings += [r(s, t, alt="zero") for s, t in ((0, "organisation"), (-1, "firms"), (0, "residents"))]
    s = run(ratings)
    p, z = s.alternatives["proposal"], s.alternatives["zero"]
    assert p.overall is not None and z.overall is not None
    assert s.delta_overall == p.overall - z.overall
    assert s.delta_overall_targets == TARGET_ORDER and not s.delta_overall_partial


# --- the property ----------------------------------------------------------------------------------

keys = st.tuples(
    st.sampled_from(ALTERNATIVES),
    st.sampled_from(PERSPECTIVES),
    st.sampled_from(("a", "b")),
    st.sampled_from(TARGET_ORDER),
    st.integers(1, 2),
)
ratings_lists = st.dictionaries(keys, st.one_of(st.none(), st.integers(-3, 3)), max_size=30).map(
    lambda d: [
        RatingInput(alt, p, f"{p}.{t}.{c}", t, score, effect)
        for (alt, p, c, t, effect), score in sorted(d.items(), key=lambda kv: repr(kv[0]))
    ]
)
weights = st.builds(
    Weights,
    perspectives=st.dictionaries(st.sampled_from(PERSPECTIVES), st.integers(0, 3).map(float)),
    targets=st.dictionaries(st.sampled_from(TARGET_ORDER), st.integers(0, 3).map(float)),
)


@settings(max_examples=300, deadline=None)
@given(ratings_lists, weights)
def test_overall_difference_is_the_difference_of_the_overalls_over_the_common_targets(
    ratings: list[RatingInput], w: Weights
) -> None:
    s = run(ratings, w)
    p, z = s.alternatives["proposal"], s.alternatives["zero"]
    common = tuple(t for t in TARGET_ORDER if p.profile[t] is not None and z.profile[t] is not None and w.target(t) > 0)
    assert s.delta_overall_targets == common
    # the same assessment with only the common targets rated: its overall values are over those alone
    same = run([x for x in ratings if x.target in common], w)
    sp, sz = same.alternatives["proposal"].overall, same.alternatives["zero"].overall
    if not common:
        assert s.delta_overall is None
    else:
        assert sp is not None and sz is not None and s.delta_overall is not None
        assert s.delta_overall == pytest.approx(sp - sz, abs=1e-12)
        assert same.delta_overall == pytest.approx(s.delta_overall, abs=1e-12)
        assert -6 <= s.delta_overall <= 6
    # the per-target differences are unchanged by the rule
    for t in TARGET_ORDER:
        pt, zt = p.profile[t], z.profile[t]
        assert s.delta_profile[t] == (None if pt is None or zt is None else pt - zt)


# --- through the API, the PDF and the web ----------------------------------------------------------


def rating(criterion: str, score: int, alternative: str = "proposal") -> dict[str, Any]:
    body: dict[str, Any] = {"criterion_id": criterion, "target": criterion.split(".")[1], "score": score}
    body["alternative"] = alternative
    if score:
        body["rationale"] = f"Motivering för {criterion}"
    if score < 0:
        body["mitigation"] = f"Åtgärd för {criterion}"
    return body


def reported_case(api: Api) -> str:
    a = api.create_assessment("KS 2026/77")
    ratings = [
        rating("policy.organisation.strategy-fit", -2),
        rating("policy.firms.business-climate", 2),
        rating("policy.firms.business-climate", 0, "zero"),
    ]
    r = api.put_ratings(a["id"], ratings)
    assert r.status_code == 200, r.text
    return str(a["id"])


def test_api_summary_gives_the_difference_over_the_comparable_targets(api: Api) -> None:
    aid = reported_case(api)
    r = api.get(f"/api/v1/assessments/{aid}/summary")
    assert r.status_code == 200, r.text
    delta = r.json()["delta"]
    assert delta["profile"] == {"organisation": None, "firms": 2.0, "residents": None}
    assert delta["overall"] == 2.0
    assert delta["overall_targets"] == ["firms"]


@pytest.mark.parametrize(
    ("lang", "row", "note"),
    [
        (
            "sv",
            "Sammantaget 0,0 0,0 +2,0 Bättre än nollalternativet",
            "Den sammantagna skillnaden gäller bara de målgrupper som är bedömda i båda alternativen: Företagen.",
        ),
        (
            "fi",
            "Kokonaisuutena 0,0 0,0 +2,0",
            "Kokonaisero koskee vain kohderyhmiä, jotka on arvioitu molemmissa vaihtoehdoissa: Yritykset.",
        ),
        (
            "en",
            "Overall 0.0 0.0 +2.0 Better than the zero alternative",
            "The overall difference covers only the targets rated in both alternatives: Firms.",
        ),
    ],
)
def test_pdf_states_the_difference_and_which_targets_it_covers(api: Api, lang: str, row: str, note: str) -> None:
    aid = reported_case(api)
    r = api.get(f"/api/v1/assessments/{aid}/report", params={"lang": lang})
    assert r.status_code == 200, r.text
    text = " ".join(" ".join(page_texts(bytes(r.content))[:2]).split())
    assert row in text, text[:3000]
    assert note in text, text[:3000]


def test_pdf_has_no_note_when_every_target_compares(api: Api) -> None:
    a = api.create_assessment("KS 2026/78")
    ratings = [
        rating("policy.organisation.strategy-fit", -2),
        rating("policy.firms.business-climate", 2),
        rating("policy.residents.employment", 1),
    ]
    ratings += [{**x, "alternative": "zero", "score": 0} for x in ratings]
    for x in ratings[3:]:
        x.pop("mitigation", None)
        x.pop("rationale", None)
    r = api.put_ratings(a["id"], ratings)
    assert r.status_code == 200, r.text
    summary = api.get(f"/api/v1/assessments/{a['id']}/summary").json()
    assert summary["delta"]["overall_targets"] == list(TARGET_ORDER)
    pdf = api.get(f"/api/v1/assessments/{a['id']}/report", params={"lang": "en"})
    assert "covers only" not in " ".join(page_texts(bytes(pdf.content)))


def test_web_summary_says_which_targets_the_overall_difference_covers(app: Any) -> None:
    web = Web.signed_in(app, "tiina@vaasa.fi")
    aid = reported_case(Api(web.client, make_token("905")))
    page = web.get(f"/assessments/{aid}/summary")
    assert page.status_code == 200, page.text
    html = " ".join(page.text.split())
    assert "Den sammantagna skillnaden gäller bara de målgrupper som är bedömda i båda alternativen: Företagen." in html
    assert "<strong>+2,0</strong>" in html, html[html.find("difference-caption") :][:1500]
    web.get("/language?lang=fi&next=/")
    fi = " ".join(web.get(f"/assessments/{aid}/summary").text.split())
    assert "Kokonaisero koskee vain kohderyhmiä, jotka on arvioitu molemmissa vaihtoehdoissa: Yritykset." in fi
