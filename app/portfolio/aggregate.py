"""What one approved assessment adds to the portfolio: pure, no session (the data generator uses it too).

Counted are the proposal's rated effects in the perspectives screened as relevant (ratings kept from
before a perspective was screened out do not count, as in the summary), by direction, with the sum of
the known scores and the number of significant negative effects.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from app.assessments.scoring import SIGNIFICANT, likelihood_weight
from app.municipalities.timezone import local_day


class AlternativeLike(Protocol):
    @property
    def id(self) -> uuid.UUID: ...
    @property
    def kind(self) -> str: ...


class ScreeningLike(Protocol):
    @property
    def perspective_id(self) -> str: ...
    @property
    def relevant(self) -> bool: ...


class RatingLike(Protocol):
    @property
    def alternative_id(self) -> uuid.UUID: ...
    @property
    def perspective_id(self) -> str: ...
    @property
    def target(self) -> str: ...
    @property
    def score(self) -> int | None: ...
    @property
    def likelihood(self) -> str | None: ...


COUNTS = ("negative", "neutral", "positive", "unknown", "score_sum", "significant_negative")


@dataclass
class CellCounts:
    negative: int = 0
    neutral: int = 0
    positive: int = 0
    unknown: int = 0
    score_sum: int = 0
    significant_negative: int = 0

    def add(self, score: int | None, likelihood: str | None) -> None:
        if score is None:
            self.unknown += 1
            return
        self.score_sum += score
        if score > 0:
            self.positive += 1
        elif score == 0:
            self.neutral += 1
        else:
            self.negative += 1
            if -score * likelihood_weight(likelihood) >= SIGNIFICANT:
                self.significant_negative += 1

    def as_dict(self, sign: int = 1) -> dict[str, int]:
        return {name: sign * getattr(self, name) for name in COUNTS}


@dataclass(frozen=True)
class Contribution:
    year: int
    quarter: int
    cells: dict[tuple[str, str], CellCounts] = field(default_factory=dict)

    @property
    def significant(self) -> bool:
        return any(c.significant_negative for c in self.cells.values())


def period(decision_date: date | None, created_at: datetime, country: str) -> tuple[int, int]:
    """(year, quarter) of a decision: its planned date, else the day its assessment was created on the
    clock of its municipality, of ``country`` (``app/municipalities/timezone.py``)."""
    day = decision_date or local_day(created_at, country)
    return day.year, (day.month - 1) // 3 + 1


def planned_as_approved(snapshot: Mapping[str, object] | None, planned_now: date | None) -> date | None:
    """The planned date an approved assessment counts by: the decision's date as it was approved (its
    ``decision_snapshot``, taken by ``review.approve``), not as the decision is now. A new draft version
    may change the decision; the approved version keeps its quarter until a newer version is approved
    and supersedes it. An approved assessment without a snapshot (none since migration 0013) follows
    the decision as it is now."""
    if not snapshot:
        return planned_now
    planned = snapshot.get("planned_date")
    if isinstance(planned, date):
        return planned
    return date.fromisoformat(planned) if isinstance(planned, str) and planned else None


def contribution(
    year_quarter: tuple[int, int],
    alternatives: Iterable[AlternativeLike],
    screening: Iterable[ScreeningLike],
    ratings: Iterable[RatingLike],
) -> Contribution:
    proposal = {a.id for a in alternatives if a.kind == "proposal"}
    screened_out = {s.perspective_id for s in screening if not s.relevant}
    cells: dict[tuple[str, str], CellCounts] = {}
    for r in ratings:
        if r.alternative_id in proposal and r.perspective_id not in screened_out:
            key = (r.perspective_id, r.target)
            cell = cells.get(key)
            if cell is None:
                cell = cells[key] = CellCounts()
            cell.add(r.score, r.likelihood)
    return Contribution(year_quarter[0], year_quarter[1], cells)
