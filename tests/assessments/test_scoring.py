"""The scoring model (app/assessments/scoring.py): properties that must hold for any ratings
(hypothesis), and the edge cases one by one. The method is described in docs/method.md."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from random import Random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.assessments.scoring import (
    TARGET_ORDER,
    RatingInput,
    Summary,
    Weights,
    cell_symbol,
    cells_for,
    significance,
    significant,
    summarise,
    summarise_alternative,
)

pytestmark = pytest.mark.database_independent  # tests/conftest.py: run on SQLite only

PERSPECTIVES = ("policy", "infrastructure", "logistics")
ALTERNATIVES = ("proposal", "zero", "option-1")
LIKELIHOODS = (None, "unlikely", "possible", "likely", "certain")
CERTAINTIES = (None, "low", "medium", "high")
Key = tuple[str, str, str, str, int]

keys = st.tuples(
    st.sampled_from(ALTERNATIVES),
    st.sampled_from(PERSPECTIVES),
    st.sampled_from(("a", "b", "c")),
    st.sampled_from(TARGET_ORDER),
    st.integers(1, 2),
)
values = st.tuples(st.one_of(st.none(), st.integers(-3, 3)), st.sampled_from(LIKELIHOODS), st.sampled_from(CERTAINTIES))


def _rating(key: Key, value: tuple[int | None, str | None, str | None]) -> RatingInput:
    alt, p, c, t, effect = key
    score, likelihood, certainty = value
    return RatingInput(alt, p, f"{p}.{t}.{c}", t, score, effect, likelihood, None, certainty)


# Ratings as the database holds them: at most one per (alternative, criterion, target, effect).
ratings_lists = st.dictionaries(keys, values, max_size=40).map(
    lambda d: [_rating(k, v) for k, v in sorted(d.items(), key=lambda kv: repr(kv[0]))]
)
weights = st.builds(
    Weights,
    perspectives=st.dictionaries(st.sampled_from(PERSPECTIVES), st.integers(0, 4).map(float)),
    targets=st.dictionaries(st.sampled_from(TARGET_ORDER), st.integers(0, 4).map(float)),
)
EXPECTED = [(p, f"{p}.{t}.{c}", t) for p in PERSPECTIVES for t in TARGET_ORDER for c in ("a", "b", "c")]


def run(ratings: Sequence[RatingInput], w: Weights | None = None) -> Summary:
    return summarise(ratings, ALTERNATIVES, PERSPECTIVES, EXPECTED, w)


def known_values(s: Summary) -> list[float]:
    out: list[float] = []
    for a in s.alternatives.values():
        out += [c.mean for c in a.cells.values() if c.mean is not None]
        out += [v for v in a.profile.values() if v is not None]
        out += [a.overall] if a.overall is not None else []
    return out


# --- properties ----------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(ratings_lists, weights, st.randoms(use_true_random=False))
def test_order_of_ratings_never_matters(ratings: list[RatingInput], w: Weights, rnd: Random) -> None:
    shuffled = list(ratings)
    rnd.shuffle(shuffled)
    assert run(shuffled, w) == run(ratings, w)


@settings(max_examples=200, deadline=None)
@given(ratings_lists, weights)
def test_everything_stays_within_the_scale(ratings: list[RatingInput], w: Weights) -> None:
    s = run(ratings, w)
    assert all(-3 <= v <= 3 for v in known_values(s))
    deltas = [*s.delta_cells.values(), *s.delta_profile.values(), s.delta_overall]
    assert all(-6 <= d <= 6 for d in deltas if d is not None)
    for a in s.alternatives.values():
        for c in a.cells.values():
            if c.mean is not None:
                assert c.minimum is not None and c.maximum is not None
                assert c.minimum <= c.mean <= c.maximum
        assert a.uncertain_share is None or 0 <= a.uncertain_share <= 1
        assert all(0 <= i.significance <= 3 for i in a.negatives + a.positives)


def _raise_one(ratings: list[RatingInput], index: int, by: int) -> list[RatingInput]:
    r = ratings[index]
    assert r.score is not None
    raised = dataclasses.replace(r, score=min(3, r.score + by))
    return [raised if i == index else x for i, x in enumerate(ratings)]


@settings(max_examples=300, deadline=None)
@given(ratings_lists, weights, st.integers(0, 39), st.integers(1, 6))
def test_raising_a_score_never_lowers_its_cell_profile_or_overall(
    ratings: list[RatingInput], w: Weights, pick: int, by: int
) -> None:
    known = [i for i, r in enumerate(ratings) if r.score is not None]
    if not known:
        return
    index = known[pick % len(known)]
    r = ratings[index]
    before, after = run(ratings, w), run(_raise_one(ratings, index, by), w)
    a, b = before.alternatives[r.alternative], after.alternatives[r.alternative]
    key = (r.perspective_id, r.target)
    old_cell, new_cell = a.cells[key].mean, b.cells[key].mean
    assert old_cell is not None and new_cell is not None and new_cell >= old_cell
    for t in TARGET_ORDER:
        old_profile, new_profile = a.profile[t], b.profile[t]
        assert (old_profile is None) == (new_profile is None)
        if old_profile is not None and new_profile is not None:
            assert new_profile >= old_profile
    if a.overall is not None:
        assert b.overall is not None and b.overall >= a.overall
    # In the delta, the proposal counts up and the zero alternative counts down.
    old, new = before.delta_profile[r.target], after.delta_profile[r.target]
    if old is not None and new is not None and r.alternative == "proposal":
        assert new >= old
    if old is not None and new is not None and r.alternative == "zero":
        assert new <= old


@settings(max_examples=200, deadline=None)
@given(ratings_lists, weights, keys)
def test_an_unknown_never_counts_as_zero(ratings: list[RatingInput], w: Weights, key: Key) -> None:
    taken = {(r.alternative, r.perspective_id, r.criterion_id, r.target, r.effect) for r in ratings}
    gap = _rating(key, (None, None, "low"))
    if (gap.alternative, gap.perspective_id, gap.criterion_id, gap.target, gap.effect) in taken:
        return
    before, after = run(ratings, w), run([*ratings, gap], w)
    a, b = before.alternatives[gap.alternative], after.alternatives[gap.alternative]
    cell_key = (gap.perspective_id, gap.target)
    old_mean = a.cells[cell_key].mean if cell_key in a.cells else None
    assert b.cells[cell_key].mean == old_mean
    assert b.cells[cell_key].unknown == (a.cells[cell_key].unknown if cell_key in a.cells else 0) + 1
    assert b.profile == a.profile and b.overall == a.overall
    assert before.delta_profile == after.delta_profile
    assert b.unknown == a.unknown + 1 and b.effects == a.effects + 1
    assert b.negatives == a.negatives and b.positives == a.positives


@settings(max_examples=200, deadline=None)
@given(ratings_lists)
def test_rankings_are_the_most_significant_in_a_fixed_order(ratings: list[RatingInput]) -> None:
    s = run(ratings)
    for key, a in s.alternatives.items():
        mine = [r for r in ratings if r.alternative == key]
        for ranked, sign in ((a.negatives, -1), (a.positives, 1)):
            pool = sorted(
                (r for r in mine if r.score is not None and r.score * sign > 0),
                key=lambda r: (-significance(r), r.perspective_id, r.criterion_id, r.target, r.effect),
            )
            assert [i.rating for i in ranked] == pool[:3]
            assert [i.significance for i in ranked] == [significance(r) for r in pool[:3]]


@settings(max_examples=200, deadline=None)
@given(ratings_lists, weights)
def test_delta_is_proposal_minus_zero(ratings: list[RatingInput], w: Weights) -> None:
    s = run(ratings, w)
    p, z = s.alternatives["proposal"], s.alternatives["zero"]
    for t in TARGET_ORDER:
        pt, zt = p.profile[t], z.profile[t]
        assert s.delta_profile[t] == (None if pt is None or zt is None else pt - zt)
    # the overall delta is over the targets comparable in both (tests/assessments/test_overall_delta.py)
    common = [t for t in TARGET_ORDER if p.profile[t] is not None and z.profile[t] is not None and w.target(t) > 0]
    if all(p.profile[t] is not None and z.profile[t] is not None for t in TARGET_ORDER if w.target(t) > 0):
        assert s.delta_overall == (None if p.overall is None or z.overall is None else p.overall - z.overall)
    assert (s.delta_overall is None) == (not common)
    assert set(s.delta_cells) == set(p.cells) | set(z.cells)
    for key, d in s.delta_cells.items():
        pm = p.cells[key].mean if key in p.cells else None
        zm = z.cells[key].mean if key in z.cells else None
        assert d == (None if pm is None or zm is None else pm - zm)


@settings(max_examples=100, deadline=None)
@given(ratings_lists)
def test_unrated_is_exactly_the_expected_criteria_without_a_rating(ratings: list[RatingInput]) -> None:
    s = run(ratings)
    for key, a in s.alternatives.items():
        rated = {(r.criterion_id, r.target) for r in ratings if r.alternative == key}
        assert a.unrated == sorted((c, t) for _, c, t in EXPECTED if (c, t) not in rated)


# --- edge cases ------------------------------------------------------------------------------------


def r(
    score: int | None,
    p: str = "policy",
    t: str = "firms",
    c: str = "a",
    alt: str = "proposal",
    effect: int = 1,
    likelihood: str | None = "likely",
    certainty: str | None = "medium",
) -> RatingInput:
    return RatingInput(alt, p, f"{p}.{t}.{c}", t, score, effect, likelihood, None, certainty)


def test_no_ratings_gives_no_values_rather_than_zeros() -> None:
    s = run([])
    for a in s.alternatives.values():
        assert a.cells == {} and a.overall is None and a.uncertain_share is None and a.effects == 0
        assert a.profile == dict.fromkeys(TARGET_ORDER)
        assert len(a.unrated) == len(EXPECTED)
    assert s.delta_profile == dict.fromkeys(TARGET_ORDER) and s.delta_overall is None and s.delta_cells == {}


def test_a_cell_of_only_unknowns_has_no_mean_and_is_left_out_of_the_profile() -> None:
    a = summarise_alternative("proposal", [r(None), r(None, c="b"), r(2, t="residents")], PERSPECTIVES)
    cell = a.cells[("policy", "firms")]
    assert (cell.mean, cell.count, cell.unknown, cell.symbol) == (None, 0, 2, "?")
    assert a.profile == {"organisation": None, "firms": None, "residents": 2.0}
    assert a.overall == 2.0
    assert a.uncertain_share == pytest.approx(2 / 3)


def test_mixed_cell_keeps_both_sides() -> None:
    a = summarise_alternative("proposal", [r(-2, c="a"), r(2, c="b")], PERSPECTIVES)
    cell = a.cells[("policy", "firms")]
    assert cell.mean == 0 and cell.mixed and cell.symbol == "±"
    assert [i.rating.score for i in a.negatives] == [-2] and [i.rating.score for i in a.positives] == [2]


def test_two_effects_of_one_criterion_are_both_counted() -> None:
    a = summarise_alternative("proposal", [r(2, effect=1), r(-1, effect=2)], PERSPECTIVES)
    assert a.cells[("policy", "firms")].mean == 0.5 and a.cells[("policy", "firms")].count == 2
    assert a.negatives[0].rating.effect == 2 and a.positives[0].rating.effect == 1


@pytest.mark.parametrize(
    ("mean", "symbol"),
    [
        (-3, "−−"),
        (-1.5, "−−"),
        (-1.49, "−"),
        (-0.5, "−"),
        (-0.49, "0"),
        (0, "0"),
        (0.49, "0"),
        (0.5, "+"),
        (1.49, "+"),
        (1.5, "++"),
        (3, "++"),
    ],
)
def test_cell_symbol_thresholds_are_symmetric(mean: float, symbol: str) -> None:
    assert cell_symbol(mean, 0, False, 1) == symbol


def test_cell_symbol_for_empty_unknown_and_mixed_cells() -> None:
    assert cell_symbol(None, 0, False, 0) == "·"
    assert cell_symbol(None, 1, False, 0) == "?"
    assert cell_symbol(0.0, 0, True, 2) == "±"


@pytest.mark.parametrize(
    ("score", "likelihood", "expected", "is_significant"),
    [
        (-2, "likely", 1.5, True),
        (-3, "possible", 1.5, True),
        (3, "certain", 3.0, True),
        (-1, "certain", 1.0, False),
        (-3, "unlikely", 0.75, False),
        (-3, None, 1.5, True),
        (2, None, 1.0, False),
        (0, "certain", 0.0, False),
        (None, "certain", 0.0, False),
    ],
)
def test_significance_is_magnitude_times_likelihood(
    score: int | None, likelihood: str | None, expected: float, is_significant: bool
) -> None:
    rating = r(score, likelihood=likelihood)
    assert significance(rating) == expected
    assert significant(rating) is is_significant


def test_zero_scores_are_never_ranked_and_rankings_stop_at_three() -> None:
    ratings = [r(0, c="a"), *(r(-1, c=c) for c in "bcde"), *(r(1, c=c, t="residents") for c in "bcde")]
    a = summarise_alternative("proposal", ratings, PERSPECTIVES)
    assert len(a.negatives) == 3 and len(a.positives) == 3
    assert [i.rating.criterion_id for i in a.negatives] == ["policy.firms.b", "policy.firms.c", "policy.firms.d"]


def test_ties_are_broken_by_perspective_then_criterion_then_target_then_effect() -> None:
    ratings = [
        r(-2, p="policy", c="a"),
        r(-2, p="logistics", c="b"),
        r(-2, p="logistics", c="a", t="residents"),
        r(-2, p="logistics", c="a", t="organisation", effect=2),
        r(-2, p="logistics", c="a", t="organisation", effect=1),
    ]
    a = summarise_alternative("proposal", ratings, PERSPECTIVES, top=5)
    assert [(i.rating.criterion_id, i.rating.effect) for i in a.negatives] == [
        ("logistics.firms.b", 1),
        ("logistics.organisation.a", 1),
        ("logistics.organisation.a", 2),
        ("logistics.residents.a", 1),
        ("policy.firms.a", 1),
    ]


def test_perspective_and_target_weights() -> None:
    ratings = [r(3, p="policy"), r(0, p="logistics"), r(-3, p="infrastructure", t="residents")]
    w = Weights(perspectives={"policy": 2.0, "infrastructure": 0.0}, targets={"firms": 3.0})
    a = summarise_alternative("proposal", ratings, PERSPECTIVES, weights=w)
    assert a.profile["firms"] == pytest.approx((3 * 2 + 0 * 1) / 3)
    assert a.profile["residents"] is None  # its only cell has weight 0
    assert a.overall == pytest.approx(a.profile["firms"])
    assert w.as_dict() == {"perspectives": {"policy": 2.0, "infrastructure": 0.0}, "targets": {"firms": 3.0}}


def test_perspectives_outside_the_relevant_list_are_left_out_of_the_profile() -> None:
    a = summarise_alternative("proposal", [r(3, p="mergers"), r(1, p="policy")], PERSPECTIVES)
    assert ("mergers", "firms") in a.cells
    assert a.profile["firms"] == 1.0


def test_low_certainty_and_unknown_count_once_each_in_uncertainty() -> None:
    ratings = [r(1, certainty="low"), r(None, c="b", certainty="low"), r(2, c="c", certainty="high"), r(0, c="d")]
    a = summarise_alternative("proposal", ratings, PERSPECTIVES)
    assert (a.unknown, a.low_certainty, a.effects) == (1, 1, 4)
    assert a.uncertain_share == 0.5


def test_delta_needs_both_sides() -> None:
    ratings = [r(2, t="firms"), r(1, t="residents"), r(-1, t="firms", alt="zero")]
    s = summarise(ratings, ["proposal", "zero"], PERSPECTIVES)
    assert s.delta_profile == {"organisation": None, "firms": 3.0, "residents": None}
    assert s.delta_cells == {("policy", "firms"): 3.0, ("policy", "residents"): None}
    assert s.delta_overall == pytest.approx(2 - (-1))  # over firms, the only target rated in both
    assert s.delta_overall_targets == ("firms",) and s.delta_overall_partial
    without_zero = summarise(ratings, ["proposal"], PERSPECTIVES)
    assert without_zero.delta_profile == dict.fromkeys(TARGET_ORDER) and without_zero.delta_cells == {}


def test_ratings_of_unlisted_alternatives_are_ignored() -> None:
    s = summarise([r(3, alt="option-9"), r(1)], ["proposal", "zero"], PERSPECTIVES)
    assert set(s.alternatives) == {"proposal", "zero"}
    assert s.alternatives["proposal"].effects == 1


def test_cells_for_counts_known_and_unknown_apart() -> None:
    cells = cells_for([r(-1), r(3, c="b"), r(None, c="c")])
    cell = cells[("policy", "firms")]
    assert (cell.mean, cell.count, cell.unknown, cell.minimum, cell.maximum) == (1.0, 2, 1, -1, 3)
