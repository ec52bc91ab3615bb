"""Form data ⇄ the domain's input models, and field errors in the reader's language.

The web form is parsed into the same pydantic models the API uses, and validated by the same domain
rules (``app.assessments.rules`` through the services); this module only maps names and messages.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from app.assessments.models import Rating
from app.assessments.schemas import MAX_EFFECT, MAX_SOURCES, DecisionCreate, RatingIn, ScreeningItem
from app.db.base import INT4_MAX
from app.errors import FieldProblem
from app.rubrics.models import Criterion, Perspective, Rubric
from app.web.templating import format_number, t

RATING_FIELDS = (
    "score",
    "likelihood",
    "horizon",
    "certainty",
    "rationale",
    "evidence",
    "mitigation",
    "affected_groups",
    "affected_area",
)
FORM_EFFECTS = 2
"""The form offers a first and a second effect per question; a third to fifth (saved through the API or
carried over by a rubric upgrade) is shown, and can be changed or removed, where one is saved."""
DECISION_FIELDS = ("case_number", "title", "summary", "deciding_body", "planned_date")
M = TypeVar("M", bound=BaseModel)


def whole_number(value: str | None, maximum: int = INT4_MAX) -> int | None:
    """A number a form or link sent (a version, an event number): ASCII digits within ``maximum``, else
    None. ``"²".isdigit()`` is true and ``int("²")`` raises; a version past the integer column's range
    cannot be current."""
    if value is None or not value.isascii() or not value.isdigit() or len(value) > len(str(maximum)):
        return None
    number = int(value)
    return number if number <= maximum else None


def validated(
    lang: str,
    model: type[M],
    data: Mapping[str, Any],
    errors: FieldErrors,
    field_of: Callable[[tuple[int | str, ...]], str] | str | None = None,
) -> M | None:
    """``model`` built from what the form sent, or None with each problem added to ``errors`` under its
    form field: ``field_of`` names it, or maps pydantic's location; by default the location's first part
    is the field's name."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err.get("loc", ()))
            if isinstance(field_of, str):
                name = field_of
            elif field_of is not None:
                name = field_of(loc)
            else:
                name = str(loc[0]) if loc else next(iter(data), "")
            errors.add(name, pydantic_message(lang, err))
        return None


@dataclass
class FieldErrors:
    """Errors by field id, in the order they were found (the error summary keeps that order)."""

    by_field: dict[str, str] = field(default_factory=dict)

    def add(self, field_id: str, message: str) -> None:
        self.by_field.setdefault(field_id, message)

    def summary(self, where: Callable[[str], str] | None = None) -> list[tuple[str, str]]:
        """(field id, message) for the error summary. ``where`` names the part of the form a field belongs
        to (its question, its perspective), put before the message: the summary lists the problems away
        from their fields, where nine "Give a reason" or four "Explain the rating" would not say which."""
        if where is None:
            return list(self.by_field.items())
        out = []
        for field_id, message in self.by_field.items():
            place = where(field_id)
            out.append((field_id, f"{place} – {message}" if place else message))
        return out

    def __bool__(self) -> bool:
        return bool(self.by_field)


_LINE_BREAKS_AND_TABS = re.compile(r"[\t\r\n]+")


def one_line(value: str) -> str:
    """A one-line field's value (a name) with each run of tabs and line breaks made one space: a browser
    keeps a tab pasted from a spreadsheet in a text input, which the rules of names refuse as a control
    character; the person sees a space there."""
    return _LINE_BREAKS_AND_TABS.sub(" ", value)


def form_values(form: FormData, names: Iterable[str]) -> dict[str, str]:
    out = {}
    for name in names:
        value = form.get(name)
        out[name] = value if isinstance(value, str) else ""
    return out


# --- messages --------------------------------------------------------------------------------

_PROBLEM_MESSAGES: Mapping[tuple[str, str], str] = {
    ("rationale", "required"): "Explain the rating: a rationale is required for a non-zero score and for unknown",
    ("mitigation", "required"): "Describe mitigation measures: they are required for a negative score",
    ("reason", "required"): "Give a reason why the perspective is not relevant",
    ("statement", "required"): "No perspective is relevant: write a short screening statement",
    ("case_number", "duplicate"): "This case number is already used by another decision",
    ("criterion_id", "screened_out"): "The perspective was screened out as not relevant; change the screening first",
    ("comment", "invalid"): "Say what needs to change: a comment is required when returning",
    ("rating_id", "invalid"): "Follow-up is recorded for significant ratings only",
}
_FIELD_REQUIRED: Mapping[str, str] = {
    "case_number": "Enter the case number",
    "title": "Enter the title of the decision",
    "deciding_body": "Enter the decision-making body",
    "name": "Enter the name",
    "email": "Enter an e-mail address like name@kommun.fi",
}


def problem_message(lang: str, problem: FieldProblem) -> str:
    """The reader's-language message for a domain problem (the domain speaks English to the API)."""
    last = problem.field.rsplit(".", 1)[-1]
    msgid = _PROBLEM_MESSAGES.get((last, problem.code))
    if msgid is None and problem.code == "required" and last in _FIELD_REQUIRED:
        msgid = _FIELD_REQUIRED[last]
    return t(lang, msgid) if msgid else t(lang, "This answer is not valid")


# The fields' names in messages about their length (the form's own label where it reads as a name).
_FIELD_NAMES: Mapping[str, str] = {
    "case_number": "Case number",
    "title": "Title",
    "summary": "Summary of the proposal",
    "deciding_body": "Decision-making body",
    "zero_description": "Zero alternative",
    "description": "Description",
    "reason": "Reason",
    "statement": "Screening statement",
    "rationale": "Rationale",
    "evidence": "Evidence",
    "mitigation": "Mitigation or enhancement measures",
    "affected_groups": "Who is affected",
    "affected_area": "Which part of the municipality",
    "sources": "Sources",
    "note": "Note",
    "name": "Name",
}


def _field_name(loc: list[Any]) -> str:
    names = [p for p in loc if isinstance(p, str)]
    return names[-1] if names else ""


def too_long(lang: str, limit: int, field: str = "") -> str:
    """The message of a text over its limit: the limit in characters, and the field's name when given
    (the error summary lists messages away from their fields)."""
    n = format_number(limit, lang, 0)
    if field:
        return t(lang, "%(field)s: the text is too long, at most %(n)s characters", field=field, n=n)
    return t(lang, "The text is too long: at most %(n)s characters", n=n)


def pydantic_message(lang: str, error: Mapping[str, Any]) -> str:
    kind = str(error.get("type", ""))
    raw = list(error.get("loc", ()))
    loc = [str(p) for p in raw]
    last = loc[-1] if loc else ""
    if kind in ("string_too_short", "missing") and last in _FIELD_REQUIRED:
        return t(lang, _FIELD_REQUIRED[last])
    if kind == "string_too_long" or (kind == "too_long" and _field_name(raw) in _FIELD_NAMES):
        msgid = _FIELD_NAMES.get(_field_name(raw))
        field = t(lang, msgid) if msgid else ""
        limit = int((error.get("ctx") or {}).get("max_length", 0))
        if kind == "too_long":  # a list: the lines of the evidence or the sources
            return t(lang, "%(field)s: at most %(n)s lines", field=field, n=limit)
        if field and raw and isinstance(raw[-1], int):  # one line of a list
            n = format_number(limit, lang, 0)
            return t(lang, "%(field)s: each line can be at most %(n)s characters", field=field, n=n)
        return too_long(lang, limit, field)
    if kind in ("date_from_datetime_parsing", "date_parsing", "date_type", "date_from_datetime_inexact"):
        return t(lang, "Enter a real date, for example 2026-12-14")
    if kind == "date_too_early":  # the dates' bounds (app/assessments/schemas.py)
        return t(lang, "Enter a date in the year 2000 or later")
    if kind == "date_too_late":
        years = int((error.get("ctx") or {}).get("years", 0))
        return t(lang, "Enter a date at most %(years)s years from today", years=years)
    if kind == "string_pattern_mismatch":
        return t(lang, "Remove control characters from the text")
    return t(lang, "This answer is not valid")


# Mark the messages above for extraction (Babel reads gettext_noop-style calls).
def N_(message: str) -> str:  # noqa: N802 - the conventional name of the no-op marker
    return message


_EXTRACT = (
    N_("Explain the rating: a rationale is required for a non-zero score and for unknown"),
    N_("Describe mitigation measures: they are required for a negative score"),
    N_("Give a reason why the perspective is not relevant"),
    N_("No perspective is relevant: write a short screening statement"),
    N_("This case number is already used by another decision"),
    N_("The perspective was screened out as not relevant; change the screening first"),
    N_("Say what needs to change: a comment is required when returning"),
    N_("Follow-up is recorded for significant ratings only"),
    N_("Enter the case number"),
    N_("Enter the title of the decision"),
    N_("Enter the decision-making body"),
    N_("Enter the name"),
    N_("Enter an e-mail address like name@kommun.fi"),
    N_("This answer is not valid"),
    N_("Case number"),
    N_("Title"),
    N_("Summary of the proposal"),
    N_("Decision-making body"),
    N_("Zero alternative"),
    N_("Description"),
    N_("Reason"),
    N_("Screening statement"),
    N_("Rationale"),
    N_("Evidence"),
    N_("Mitigation or enhancement measures"),
    N_("Who is affected"),
    N_("Which part of the municipality"),
    N_("Sources"),
    N_("Note"),
    N_("Name"),
    N_("Enter a real date, for example 2026-12-14"),
    N_("Remove control characters from the text"),
)


# --- decisions -------------------------------------------------------------------------------


def parse_decision(lang: str, values: Mapping[str, str]) -> tuple[DecisionCreate | None, FieldErrors]:
    errors = FieldErrors()
    data: dict[str, Any] = {k: values.get(k, "") for k in DECISION_FIELDS}
    data["planned_date"] = data["planned_date"].strip() or None
    return validated(lang, DecisionCreate, data, errors), errors


# --- screening -------------------------------------------------------------------------------


def screening_field(pid: str) -> str:
    return f"s-{pid}"


def screening_values(form: FormData, rubric: Rubric) -> dict[str, str]:
    names = [n for p in rubric.perspectives for n in (screening_field(p.id), screening_field(p.id) + "-reason")]
    return form_values(form, [*names, "statement", "sources"])


def parse_sources(lang: str, value: str, errors: FieldErrors) -> list[str]:
    """The sources field: one citation per line; blank lines are ignored."""
    lines = [line.strip() for line in value.splitlines() if line.strip()]
    if len(lines) > MAX_SOURCES:
        errors.add("sources", t(lang, "Give at most %(n)s sources", n=MAX_SOURCES))
    elif any(len(line) > 1000 for line in lines):
        errors.add("sources", t(lang, "Each source can be at most %(n)s characters", n=1000))
    return lines


def parse_screening(
    lang: str, rubric: Rubric, values: Mapping[str, str]
) -> tuple[list[ScreeningItem], str, list[str], FieldErrors]:
    errors = FieldErrors()
    items: list[ScreeningItem] = []
    for p in rubric.perspectives:
        answer = values.get(screening_field(p.id), "")
        reason = values.get(screening_field(p.id) + "-reason", "")
        if answer not in ("yes", "no"):
            errors.add(screening_field(p.id), t(lang, "Choose whether the perspective is relevant"))
            continue
        if answer == "no" and not reason.strip():
            errors.add(screening_field(p.id) + "-reason", t(lang, "Give a reason why the perspective is not relevant"))
        sent = {"perspective_id": p.id, "relevant": answer == "yes", "reason": reason}
        if item := validated(lang, ScreeningItem, sent, errors, screening_field(p.id) + "-reason"):
            items.append(item)
    statement = values.get("statement", "")
    if not errors and not any(i.relevant for i in items) and not statement.strip():
        errors.add("statement", t(lang, "No perspective is relevant: write a short screening statement"))
    sources = parse_sources(lang, values.get("sources", ""), errors)
    return items, statement, sources, errors


def screening_place(lang: str, rubric: Rubric) -> Callable[[str], str]:
    """The perspective a screening field belongs to, by its title, for the error summary."""
    titles = {screening_field(p.id): p.title.get(lang) for p in rubric.perspectives}

    def where(field_id: str) -> str:
        return titles.get(field_id.removesuffix("-reason"), "")

    return where


def screening_initial(answers: Iterable[Any], statement: str, sources: list[str] | None) -> dict[str, str]:
    """The screening form's values as saved: answers, reasons, the statement and the sources (a line each)."""
    out: dict[str, str] = {"statement": statement, "sources": "\n".join(sources or [])}
    for a in answers:
        out[screening_field(a.perspective_id)] = "yes" if a.relevant else "no"
        out[screening_field(a.perspective_id) + "-reason"] = a.reason
    return out


# --- ratings ---------------------------------------------------------------------------------


def rating_field(index: int, effect: int, name: str) -> str:
    return f"c{index}-e{effect}-{name}"


def effects_shown(criteria: list[Criterion], ratings: Iterable[Rating], values: Mapping[str, str] = {}) -> list[int]:
    """How many effects the form shows of each question: two, or up to the highest one saved or
    typed (``values``: a kept draft, or a form sent when the effect was still saved)."""
    highest: dict[str, int] = {}
    for r in ratings:
        highest[r.criterion_id] = max(highest.get(r.criterion_id, 0), r.effect)
    shown = [max(FORM_EFFECTS, highest.get(c.id, 0)) for c in criteria]
    for name, value in values.items():
        found = _RATING_FIELD.match(name)
        if value and found and int(found["i"]) < len(shown):
            i = int(found["i"])
            shown[i] = max(shown[i], min(int(found["e"]), MAX_EFFECT))
    return shown


def rating_names(shown: list[int]) -> list[str]:
    """The form's field names, in its order, for ``effects_shown`` (``[MAX_EFFECT] * n``: every name a
    form of n questions may send)."""
    return [rating_field(i, e, f) for i, n in enumerate(shown) for e in range(1, n + 1) for f in RATING_FIELDS]


def rating_place(lang: str, criteria: list[Criterion]) -> Callable[[str], str]:
    """The question (and the effect, after the first) a rating field belongs to, for the error summary."""

    def where(field_id: str) -> str:
        found = _RATING_FIELD.match(field_id)
        if found is None or int(found["i"]) >= len(criteria):
            return ""
        question, effect = criteria[int(found["i"])].question.get(lang), int(found["e"])
        return question if effect == 1 else f"{question} ({t(lang, 'effect %(n)s', n=effect)})"

    return where


_RATING_FIELD = re.compile(r"^c(?P<i>\d+)-e(?P<e>\d+)-")


def rating_initial(criteria: list[Criterion], ratings: Iterable[Rating]) -> dict[str, str]:
    """The form's values as saved: every effect of each of its questions, in the form's order."""
    index = {c.id: i for i, c in enumerate(criteria)}
    out: dict[str, str] = {}
    for r in sorted((r for r in ratings if r.criterion_id in index), key=lambda r: (index[r.criterion_id], r.effect)):
        values = {
            "score": "unknown" if r.score is None else str(r.score),
            "likelihood": r.likelihood or "",
            "horizon": r.horizon or "",
            "certainty": r.certainty or "",
            "rationale": r.rationale,
            "evidence": "\n".join(r.evidence),
            "mitigation": r.mitigation,
            "affected_groups": r.affected_groups,
            "affected_area": r.affected_area,
        }
        for name, value in values.items():
            out[rating_field(index[r.criterion_id], r.effect, name)] = value
    return out


@dataclass
class ParsedRatings:
    ratings: list[RatingIn]
    positions: list[tuple[int, int]]
    """(criterion index, effect) of each rating, to map domain problems back to fields."""
    cleared: list[tuple[str, int]]
    """(criterion id, effect) left without a score: an existing rating there is removed."""
    errors: FieldErrors


def parse_ratings(
    lang: str,
    alternative: str,
    perspective: Perspective,
    criteria: list[Criterion],
    shown: list[int],
    values: Mapping[str, str],
) -> ParsedRatings:
    """The ratings of the effects the form showed (``effects_shown``); an effect left without any
    answer is cleared."""
    errors = FieldErrors()
    out = ParsedRatings([], [], [], errors)
    for i, c in enumerate(criteria):
        for e in range(1, shown[i] + 1):
            v = {f: values.get(rating_field(i, e, f), "") for f in RATING_FIELDS}
            if v["score"] == "":
                if any(v[f].strip() for f in RATING_FIELDS if f != "score"):
                    errors.add(
                        rating_field(i, e, "score"), t(lang, "Choose a score, or 'unknown' if it cannot be judged")
                    )
                else:
                    out.cleared.append((c.id, e))
                continue
            data: dict[str, Any] = {
                "alternative": alternative,
                "criterion_id": c.id,
                "target": c.target.value,
                "effect": e,
                "score": v["score"] if v["score"] == "unknown" else _int(v["score"]),
                "likelihood": v["likelihood"] or None,
                "horizon": v["horizon"] or None,
                "certainty": v["certainty"] or None,
                "rationale": v["rationale"],
                "evidence": [line.strip() for line in v["evidence"].splitlines() if line.strip()],
                "mitigation": v["mitigation"],
                "affected_groups": v["affected_groups"],
                "affected_area": v["affected_area"],
            }
            if rating := validated(lang, RatingIn, data, errors, _rating_field_of(i, e)):
                out.ratings.append(rating)
                out.positions.append((i, e))
    return out


def _rating_field_of(index: int, effect: int) -> Callable[[tuple[int | str, ...]], str]:
    """The form field of a problem in one rating (a problem of no answer field goes to its score)."""

    def field_of(loc: tuple[int | str, ...]) -> str:
        name = str(loc[0]) if loc else ""
        return rating_field(index, effect, name if name in RATING_FIELDS else "score")

    return field_of


def _int(value: str) -> int | str:
    try:
        return int(value.replace("−", "-").replace("+", ""))
    except ValueError:
        return value


def rating_problem_field(problem: FieldProblem, positions: list[tuple[int, int]]) -> str:
    """``ratings.3.rationale`` → the form field of the 4th rating sent."""
    parts = problem.field.split(".")
    if len(parts) >= 3 and parts[0] == "ratings" and parts[1].isdigit() and int(parts[1]) < len(positions):
        i, e = positions[int(parts[1])]
        name = parts[2] if parts[2] in RATING_FIELDS else "score"
        return rating_field(i, e, name)
    return rating_field(0, 1, "score")
