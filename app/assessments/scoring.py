"""The scoring model: pure functions from ratings (and a rubric's structure) to a summary.

No session, no HTTP, no I/O. The method is described for officials in ``docs/method.md``; the rules:

* A **cell** is one perspective × target for one alternative. Its value is the mean of the known scores
  (−3..+3) of the effects rated in it; unknown scores are knowledge gaps and never count as zero.
  A cell with both positive and negative effects is *mixed*, so neither side disappears in the mean.
* The **profile** of a target is the weighted mean of its cells over the perspectives (weights per
  perspective, default 1). The **overall** value is the weighted mean of the three target profiles.
* The **significance** of an effect is ``|score| × likelihood weight`` (unlikely 0.25, possible 0.5,
  likely 0.75, almost certain 1.0; 0.5 when the likelihood is not given). Effects with significance of at
  least 1.5 are *significant* (for example −2 likely, −3 possible). Rankings sort by significance, then
  by a stable key, so they never depend on input order.
* The **delta** is proposal − zero alternative, per cell and per target, where both sides are known.
  The overall delta compares like with like: each alternative's overall value is recomputed over the
  targets whose profiles are known in both (the *comparable* targets, with the targets' weights), and
  the delta is their difference; with no comparable target it is None.
* **Uncertainty** is the share of effects that are unknown or rated with low certainty.
* **Unrated** lists criteria of relevant perspectives that have no rating for an alternative yet.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

LIKELIHOOD_WEIGHTS: Mapping[str, float] = {"unlikely": 0.25, "possible": 0.5, "likely": 0.75, "certain": 1.0}
DEFAULT_LIKELIHOOD_WEIGHT = 0.5
SIGNIFICANT = 1.5
TARGET_ORDER: tuple[str, ...] = ("organisation", "firms", "residents")


@dataclass(frozen=True)
class RatingInput:
    """One rated effect, as scoring sees it."""

    alternative: str
    perspective_id: str
    criterion_id: str
    target: str
    score: int | None
    """−3..+3, or None for unknown (a knowledge gap)."""
    effect: int = 1
    likelihood: str | None = None
    horizon: str | None = None
    certainty: str | None = None
    mitigation: str = ""
    rationale: str = ""
    affected_groups: str = ""


@dataclass(frozen=True)
class Weights:
    perspectives: Mapping[str, float] = field(default_factory=dict)
    targets: Mapping[str, float] = field(default_factory=dict)

    def perspective(self, pid: str) -> float:
        return float(self.perspectives.get(pid, 1.0))

    def target(self, target: str) -> float:
        return float(self.targets.get(target, 1.0))

    def as_dict(self) -> dict[str, dict[str, float]]:
        return {"perspectives": dict(self.perspectives), "targets": dict(self.targets)}


@dataclass(frozen=True)
class Cell:
    perspective_id: str
    target: str
    mean: float | None
    count: int
    unknown: int
    minimum: int | None
    maximum: int | None

    @property
    def mixed(self) -> bool:
        return self.minimum is not None and self.maximum is not None and self.minimum < 0 < self.maximum

    @property
    def symbol(self) -> str:
        """A text symbol readable in black-and-white print (never colour alone)."""
        return cell_symbol(self.mean, self.unknown, self.mixed, self.count)


@dataclass(frozen=True)
class RankedImpact:
    rating: RatingInput
    significance: float


@dataclass(frozen=True)
class AlternativeSummary:
    key: str
    cells: dict[tuple[str, str], Cell]
    profile: dict[str, float | None]
    overall: float | None
    negatives: list[RankedImpact]
    positives: list[RankedImpact]
    uncertain_share: float | None
    effects: int
    unknown: int
    low_certainty: int
    unrated: list[tuple[str, str]]
    """(criterion id, target) of relevant perspectives not rated yet for this alternative."""


@dataclass(frozen=True)
class Summary:
    alternatives: dict[str, AlternativeSummary]
    delta_cells: dict[tuple[str, str], float | None]
    delta_profile: dict[str, float | None]
    delta_overall: float | None
    weights: Weights
    delta_overall_targets: tuple[str, ...] = ()
    """The targets the overall delta covers: known in both alternatives and weighted above 0."""

    @property
    def delta_overall_partial(self) -> bool:
        """True when the overall delta covers fewer targets than the overall value counts (those weighted
        above 0), so a reader must be told which it covers."""
        return self.delta_overall is not None and self.delta_overall_targets != tuple(
            t for t in TARGET_ORDER if self.weights.target(t) > 0
        )


def likelihood_weight(likelihood: str | None) -> float:
    return LIKELIHOOD_WEIGHTS.get(likelihood or "", DEFAULT_LIKELIHOOD_WEIGHT)


def significance(rating: RatingInput) -> float:
    if rating.score is None:
        return 0.0
    return abs(rating.score) * likelihood_weight(rating.likelihood)


def cell_symbol(mean: float | None, unknown: int, mixed: bool, count: int) -> str:
    if count == 0 and unknown == 0:
        return "·"
    if mean is None:
        return "?"
    if mixed:
        return "±"
    if mean <= -1.5:
        return "−−"
    if mean <= -0.5:
        return "−"
    if mean < 0.5:
        return "0"
    if mean < 1.5:
        return "+"
    return "++"


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _weighted_mean(pairs: Iterable[tuple[float | None, float]]) -> float | None:
    known = [(v, w) for v, w in pairs if v is not None and w > 0]
    total = sum(w for _, w in known)
    if not known or total == 0:
        return None
    return sum(v * w for v, w in known) / total


def _rank_key(item: RankedImpact) -> tuple[float, str, str, str, int]:
    r = item.rating
    return (-item.significance, r.perspective_id, r.criterion_id, r.target, r.effect)


def cells_for(ratings: Iterable[RatingInput]) -> dict[tuple[str, str], Cell]:
    scores: dict[tuple[str, str], list[int]] = defaultdict(list)
    unknown: dict[tuple[str, str], int] = defaultdict(int)
    for r in ratings:
        key = (r.perspective_id, r.target)
        if r.score is None:
            unknown[key] += 1
        else:
            scores[key].append(r.score)
    cells = {}
    for key in set(scores) | set(unknown):
        vals = scores.get(key, [])
        cells[key] = Cell(
            perspective_id=key[0],
            target=key[1],
            mean=_mean([float(v) for v in vals]),
            count=len(vals),
            unknown=unknown.get(key, 0),
            minimum=min(vals) if vals else None,
            maximum=max(vals) if vals else None,
        )
    return cells


def summarise_alternative(
    key: str,
    ratings: Sequence[RatingInput],
    perspectives: Sequence[str],
    expected: Sequence[tuple[str, str, str]] = (),
    weights: Weights | None = None,
    top: int = 3,
) -> AlternativeSummary:
    """Summarise one alternative. ``expected`` is (perspective, criterion, target) of relevant criteria."""
    weights = weights or Weights()
    cells = cells_for(ratings)
    profile: dict[str, float | None] = {}
    for target in TARGET_ORDER:
        profile[target] = _weighted_mean(
            (cells[(p, target)].mean if (p, target) in cells else None, weights.perspective(p)) for p in perspectives
        )
    overall = _weighted_mean((profile[t], weights.target(t)) for t in TARGET_ORDER)
    ranked = [RankedImpact(r, significance(r)) for r in ratings if r.score is not None and r.score != 0]
    negatives = sorted((i for i in ranked if (i.rating.score or 0) < 0), key=_rank_key)[:top]
    positives = sorted((i for i in ranked if (i.rating.score or 0) > 0), key=_rank_key)[:top]
    unknown = sum(1 for r in ratings if r.score is None)
    low = sum(1 for r in ratings if r.score is not None and r.certainty == "low")
    rated = {(r.criterion_id, r.target) for r in ratings}
    unrated = sorted((c, t) for _, c, t in expected if (c, t) not in rated)
    return AlternativeSummary(
        key=key,
        cells=cells,
        profile=profile,
        overall=overall,
        negatives=negatives,
        positives=positives,
        uncertain_share=(unknown + low) / len(ratings) if ratings else None,
        effects=len(ratings),
        unknown=unknown,
        low_certainty=low,
        unrated=unrated,
    )


def _diff(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a - b


def comparable_targets(p: AlternativeSummary, z: AlternativeSummary, weights: Weights) -> tuple[str, ...]:
    """The targets whose profiles are known in both alternatives and that count (weight above 0)."""
    return tuple(
        t for t in TARGET_ORDER if p.profile[t] is not None and z.profile[t] is not None and weights.target(t) > 0
    )


def overall_over(a: AlternativeSummary, targets: Sequence[str], weights: Weights) -> float | None:
    """An alternative's overall value counting only ``targets``: the weighted mean of their profiles."""
    return _weighted_mean((a.profile[t], weights.target(t)) for t in targets)


def summarise(
    ratings: Sequence[RatingInput],
    alternatives: Sequence[str],
    perspectives: Sequence[str],
    expected: Sequence[tuple[str, str, str]] = (),
    weights: Weights | None = None,
    proposal: str = "proposal",
    zero: str = "zero",
) -> Summary:
    """The whole summary: every alternative, and the delta proposal − zero alternative."""
    weights = weights or Weights()
    by_alt: dict[str, list[RatingInput]] = defaultdict(list)
    for r in ratings:
        by_alt[r.alternative].append(r)
    summaries = {
        key: summarise_alternative(key, by_alt.get(key, []), perspectives, expected, weights) for key in alternatives
    }
    p, z = summaries.get(proposal), summaries.get(zero)
    delta_cells: dict[tuple[str, str], float | None] = {}
    delta_profile: dict[str, float | None] = dict.fromkeys(TARGET_ORDER)
    delta_overall = None
    common: tuple[str, ...] = ()
    if p is not None and z is not None:
        for key in set(p.cells) | set(z.cells):
            delta_cells[key] = _diff(
                p.cells[key].mean if key in p.cells else None, z.cells[key].mean if key in z.cells else None
            )
        delta_profile = {t: _diff(p.profile[t], z.profile[t]) for t in TARGET_ORDER}
        # like with like: both overall values over the targets comparable in both, never a target
        # known on one side only (which would compare different sets of targets)
        common = comparable_targets(p, z, weights)
        delta_overall = _diff(overall_over(p, common, weights), overall_over(z, common, weights))
    return Summary(summaries, delta_cells, delta_profile, delta_overall, weights, common)


def significant(rating: RatingInput) -> bool:
    return significance(rating) >= SIGNIFICANT
