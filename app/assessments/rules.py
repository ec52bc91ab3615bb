"""Domain rules of an assessment, as pure functions returning field-level problems.

Kept apart from the service so the web form, the API and the importer apply the very same rules.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from app.assessments.schemas import RatingIn, ScreeningItem
from app.errors import FieldProblem
from app.rubrics.models import Rubric


def rating_problems(
    rating: RatingIn, rubric: Rubric, relevance: Mapping[str, bool], prefix: str = ""
) -> list[FieldProblem]:
    """Problems of one rating against the pinned rubric and the screening (empty list: valid)."""
    problems: list[FieldProblem] = []
    found = rubric.criterion(rating.criterion_id)
    if found is None:
        return [
            FieldProblem(
                f"{prefix}criterion_id",
                f"criterion '{rating.criterion_id}' does not exist in rubric {rubric.key}",
                "unknown_criterion",
            )
        ]
    perspective, criterion = found
    if criterion.target != rating.target:
        problems.append(
            FieldProblem(
                f"{prefix}target",
                f"criterion '{criterion.id}' is about target '{criterion.target.value}', not '{rating.target.value}'",
                "wrong_target",
            )
        )
    if relevance.get(perspective.id) is False:
        problems.append(
            FieldProblem(
                f"{prefix}criterion_id",
                f"perspective '{perspective.id}' was screened out as not relevant; change the screening first",
                "screened_out",
            )
        )
    if rating.score != 0 and not rating.rationale.strip():
        what = "an unknown impact (say what is missing)" if rating.score == "unknown" else "a non-zero score"
        problems.append(FieldProblem(f"{prefix}rationale", f"a rationale is required for {what}", "required"))
    if isinstance(rating.score, int) and rating.score < 0 and not rating.mitigation.strip():
        problems.append(
            FieldProblem(f"{prefix}mitigation", "mitigation measures are required for a negative score", "required")
        )
    return problems


def screening_problems(items: Sequence[ScreeningItem], rubric: Rubric, statement: str) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        if rubric.perspective(item.perspective_id) is None:
            problems.append(
                FieldProblem(
                    f"items.{i}.perspective_id",
                    f"perspective '{item.perspective_id}' does not exist in rubric {rubric.key}",
                    "unknown_perspective",
                )
            )
        if item.perspective_id in seen:
            problems.append(FieldProblem(f"items.{i}.perspective_id", "perspective listed twice", "duplicate"))
        seen.add(item.perspective_id)
        if not item.relevant and not item.reason.strip():
            problems.append(
                FieldProblem(f"items.{i}.reason", "a reason is required when a perspective is not relevant", "required")
            )
    complete = {p.id for p in rubric.perspectives} <= seen
    if complete and items and not any(i.relevant for i in items) and not statement.strip():
        problems.append(
            FieldProblem(
                "statement",
                "no perspective is relevant: write a short screening statement to close the assessment",
                "required",
            )
        )
    return problems
