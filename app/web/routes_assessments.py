"""The assessment form: overview (task list), screening, rating per perspective × target, autosave."""

from __future__ import annotations

import re
import uuid
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel
from sqlmodel import Session

from app.api.param_models import parsed
from app.assessments import review, rules, service
from app.assessments.rubric_upgrade import upgrade_offer
from app.assessments.schemas import MAX_EFFECT, ScreeningUpdate
from app.auth.web_sessions import WebLogin
from app.db.session import request_unit_of_work
from app.errors import DomainError, NotFound, PreconditionFailed, ValidationFailed
from app.reports.labels import signed
from app.routing import Router
from app.rubrics.models import Target
from app.rubrics.registry import RubricRegistry
from app.web import drafts, kept_pages
from app.web.deps import (
    AssessmentDep,
    FormDep,
    LangDep,
    LoginDep,
    RegistryDep,
    SessionDep,
    WriterDep,
    assessment_for,
    current_login,
    language,
    page,
    redirect,
    rubrics,
    text,
)
from app.web.forms import (
    FieldErrors,
    effects_shown,
    form_values,
    parse_ratings,
    parse_screening,
    problem_message,
    rating_initial,
    rating_names,
    rating_place,
    rating_problem_field,
    screening_initial,
    screening_place,
    screening_values,
    validated,
    whole_number,
)
from app.web.pages import AssessmentPage, load_page, returned_drafts, sort_drafts, values_hash
from app.web.templating import t

router = Router(include_in_schema=False)
FORM_KEY = drafts.FORM_KEY


def _base(form: Any) -> tuple[int, str]:
    return whole_number(text(form, "base_version", 12)) or 0, text(form, "base_hash", 64)


SCREENED = ("assessment.screened",)
"""The audit actions that change the screening form (``review.last_change_by``): every such event does."""
RATED = ("ratings.saved", "rating.deleted")
"""The audit actions that can change a rating form (``_rated`` tells whether one did)."""


def _rated(alternative_id: Any, perspective_id: str, target: str) -> review.FormTouched:
    """Whether an audit event changed the rating form of one alternative × perspective × target: saved
    ratings (each row before and after) or a rating deleted."""
    form = {"alternative_id": str(alternative_id), "perspective_id": perspective_id, "target": target}

    def of_form(row: Any) -> bool:
        return isinstance(row, dict) and all(row.get(k) == v for k, v in form.items())

    def touched(action: str, before: Any, after: Any) -> bool:
        if action == "ratings.saved" and isinstance(after, dict):
            changes = after.get("changes") or []
            return any(isinstance(c, dict) and (of_form(c.get("after")) or of_form(c.get("before"))) for c in changes)
        return action == "rating.deleted" and of_form(before)

    return touched


def _conflict_rows(mine: dict[str, str], theirs: dict[str, str]) -> list[tuple[str, str, str]]:
    return [
        (k, mine.get(k, ""), theirs.get(k, ""))
        for k in sorted(set(mine) | set(theirs))
        if mine.get(k, "") != theirs.get(k, "")
    ]


@router.get("/assessments/{assessment_id}")
def overview(
    request: Request,
    session: SessionDep,
    lang: LangDep,
    login: LoginDep,
    registry: RegistryDep,
    assessment: AssessmentDep,
) -> Response:
    pg = load_page(session, registry, login, assessment)
    # drafts of forms that can be saved now are marked; the others (a perspective screened out, an option
    # removed, the assessment under review) are listed to be discarded, never dropped unasked
    unsaved, kept = sort_drafts(pg, drafts.keys(session, assessment, login.user))
    returned = returned_drafts(session, [assessment]).get(assessment.id)
    return page(
        request,
        lang,
        "assessment.html",
        login,
        pg=pg,
        progress=pg.progress(),
        unsaved=unsaved,
        kept_drafts=kept,
        returned=returned,
        upgrade_to=upgrade_offer(session, registry, login.actor, assessment) if pg.can_edit else None,
    )


# --- screening -----------------------------------------------------------------------------------


def _screening_page(
    request: Request, lang: str, login: Any, pg: AssessmentPage, status: int = 200, **ctx: Any
) -> Response:
    current = screening_initial(pg.data.screening, pg.assessment.screening_statement, pg.assessment.sources)
    ctx.setdefault("values", current)
    ctx.setdefault("base_version", pg.assessment.lock_version)
    ctx.setdefault("base_hash", values_hash(current))
    ctx.setdefault("fe", {})
    ctx.setdefault("restored", None)
    ctx.setdefault("conflict", None)
    return page(request, lang, "screening.html", login, status, pg=pg, **ctx)


@router.get("/assessments/{assessment_id}/screening")
def screening_form(
    request: Request,
    session: SessionDep,
    lang: LangDep,
    login: LoginDep,
    registry: RegistryDep,
    assessment: AssessmentDep,
) -> Response:
    pg = load_page(session, registry, login, assessment)
    draft = drafts.load(session, assessment, login.user, "screening") if pg.can_edit else None
    if draft is not None:
        return _screening_page(
            request,
            lang,
            login,
            pg,
            values=draft.data,
            base_version=draft.base_version,
            base_hash=draft.data.get("base_hash", ""),
            restored=draft,
        )
    return _screening_page(request, lang, login, pg)


@router.post("/assessments/{assessment_id}/screening")
def screening_save(
    request: Request,
    session: SessionDep,
    lang: LangDep,
    login: WriterDep,
    registry: RegistryDep,
    assessment: AssessmentDep,
    form: FormDep,
) -> Response:
    pg = load_page(session, registry, login, assessment)
    pg.require_editable()
    values = screening_values(form, pg.rubric)
    base_version, base_hash = _base(form)
    current = screening_initial(pg.data.screening, assessment.screening_statement, assessment.sources)
    keep = values | {"base_hash": base_hash}
    if base_version != assessment.lock_version and values_hash(current) != base_hash:
        drafts.save(
            session,
            assessment,
            login.user,
            "screening",
            keep | {"base_hash": values_hash(current)},
            assessment.lock_version,
        )
        return _screening_page(
            request,
            lang,
            login,
            pg,
            409,
            values=values,
            conflict=_conflict_rows(values, current),
            # saved in another tab: by whoever changed the screening last
            conflict_mine=review.last_change_by(session, login.actor, assessment, actions=SCREENED),
            base_version=assessment.lock_version,
            base_hash=values_hash(current),
            title_error=True,  # the save was refused: "Error:" before the title, as with an error summary
        )
    items, statement, sources, errors = parse_screening(lang, pg.rubric, values)
    update = validated(
        lang,
        ScreeningUpdate,
        {"items": items, "statement": statement, "sources": sources},
        errors,
        lambda loc: _screening_problem_field(".".join(map(str, loc)), pg),
    )
    if not errors and update is not None:
        try:
            with session.begin_nested():
                service.set_screening(session, login.actor, registry, assessment, update, assessment.lock_version)
        except ValidationFailed as exc:
            for p in exc.errors:
                errors.add(_screening_problem_field(p.field, pg), problem_message(lang, p))
        except PreconditionFailed:
            errors.add("statement", t(lang, "Someone saved at the same moment; check the answers and save again"))
    if errors:
        drafts.save(session, assessment, login.user, "screening", keep, base_version)
        return _screening_page(
            request,
            lang,
            login,
            pg,
            422,
            values=values,
            base_version=base_version,
            base_hash=base_hash,
            errors=errors.summary(screening_place(lang, pg.rubric)),
            fe=errors.by_field,
        )
    drafts.discard(session, assessment, login.user, "screening")
    return redirect(f"/assessments/{assessment.id}", "saved")


def _screening_problem_field(field: str, pg: AssessmentPage) -> str:
    parts = field.split(".")
    if parts[0] == "sources":
        return "sources"
    if parts[0] == "items" and len(parts) == 3 and parts[1].isdigit():
        perspectives = pg.rubric.perspectives
        i = int(parts[1])
        if i < len(perspectives):
            return f"s-{perspectives[i].id}" + ("-reason" if parts[2] == "reason" else "")
    return "statement"


# --- ratings -------------------------------------------------------------------------------------


def _rate_setup(pg: AssessmentPage, alt_key: str, perspective_id: str, target: str) -> tuple[Any, Any, list[Any], str]:
    perspective = pg.rubric.perspective(perspective_id)
    if perspective is None or target not in Target.__members__:
        raise NotFound("no such perspective or target")
    alt = pg.alternative(alt_key)
    criteria = perspective.criteria_for(target)
    return alt, perspective, criteria, rate_form_key(alt.key, perspective.id, target)


def _next_url(pg: AssessmentPage, alt_key: str, perspective_id: str, target: str) -> str:
    """The next perspective × target to rate for the same alternative, or the overview at the end."""
    steps = [(p.id, t.value) for p in pg.relevant_perspectives for t in Target]
    try:
        i = steps.index((perspective_id, target))
    except ValueError:
        return f"/assessments/{pg.assessment.id}"
    if i + 1 < len(steps):
        p, tg = steps[i + 1]
        return f"/assessments/{pg.assessment.id}/rate/{alt_key}/{p}/{tg}"
    return f"/assessments/{pg.assessment.id}"


def _rate_page(
    request: Request,
    lang: str,
    login: Any,
    pg: AssessmentPage,
    parts: tuple[Any, Any, list[Any], str],
    status: int = 200,
    **ctx: Any,
) -> Response:
    alt, perspective, criteria, key = parts
    saved = pg.ratings_of(alt)
    current = rating_initial(criteria, saved)
    ctx.setdefault("values", current)
    ctx.setdefault("effects", effects_shown(criteria, saved, ctx["values"]))
    ctx.setdefault("base_version", pg.assessment.lock_version)
    ctx.setdefault("base_hash", values_hash(current))
    ctx.setdefault("fe", {})
    ctx.setdefault("restored", None)
    ctx.setdefault("conflict", None)
    target = criteria[0].target.value if criteria else ""
    return page(
        request,
        lang,
        "rate.html",
        login,
        status,
        pg=pg,
        alt=alt,
        perspective=perspective,
        criteria=criteria,
        target=target,
        form_key=key,
        scale=pg.rubric.scale,
        **ctx,
    )


def rate_form_key(alt_key: str, perspective_id: str, target: str) -> str:
    """The key of a rating form's drafts (``form_draft.form_key``)."""
    return f"rate:{alt_key}:{perspective_id}:{target}"


class RateFormPath(BaseModel):
    """The rating form's path, validated in one call (``app/api/param_models.py``): the busiest web page."""

    assessment_id: uuid.UUID
    alt_key: str
    perspective_id: str
    target: str


@router.get("/assessments/{assessment_id}/rate/{alt_key}/{perspective_id}/{target}")
async def rate_form(request: Request, form: Annotated[RateFormPath, Depends(parsed(RateFormPath, "path"))]) -> Response:
    """Sent as kept when nothing it shows has changed (``app/web/kept_pages.py``), else built here."""
    lang, registry = language(request), rubrics(request)
    assessment_id, alt_key, perspective_id, target = form.assessment_id, form.alt_key, form.perspective_id, form.target
    found = await kept_pages.lookup(request, lang, assessment_id, rate_form_key(alt_key, perspective_id, target))
    if found.response is not None:
        return found.response
    async with request_unit_of_work(write=False) as session:
        login, response, restored = await run_in_threadpool(
            _rate_form, request, session, lang, registry, assessment_id, alt_key, perspective_id, target
        )
    return kept_pages.keep(found, login, response, restored)


def _rate_form(
    request: Request,
    session: Session,
    lang: str,
    registry: RubricRegistry,
    assessment_id: uuid.UUID,
    alt_key: str,
    perspective_id: str,
    target: str,
) -> tuple[WebLogin, Response, bool]:
    """The rating form the ordinary way: (the login, the page, whether it restored a draft)."""
    login = current_login(request, session)
    assessment = assessment_for(assessment_id, session, login)
    pg = load_page(session, registry, login, assessment)
    parts = _rate_setup(pg, alt_key, perspective_id, target)
    draft = drafts.load(session, assessment, login.user, parts[3]) if pg.can_edit else None
    screened_out = next((s for s in pg.data.screening if s.perspective_id == perspective_id and not s.relevant), None)
    if screened_out is not None:  # nothing to rate: the page says why (a draft stays kept, and is named)
        return login, _rate_page(request, lang, login, pg, parts, screened_out=screened_out, kept=draft), False
    if draft is not None:
        restored = _rate_page(
            request,
            lang,
            login,
            pg,
            parts,
            values=draft.data,
            base_version=draft.base_version,
            base_hash=draft.data.get("base_hash", ""),
            restored=draft,
        )
        return login, restored, True
    return login, _rate_page(request, lang, login, pg, parts), False


@router.post("/assessments/{assessment_id}/rate/{alt_key}/{perspective_id}/{target}")
def rate_save(
    request: Request,
    session: SessionDep,
    lang: LangDep,
    login: WriterDep,
    registry: RegistryDep,
    assessment: AssessmentDep,
    form: FormDep,
    alt_key: str,
    perspective_id: str,
    target: str,
) -> Response:
    pg = load_page(session, registry, login, assessment)
    pg.require_editable()
    parts = _rate_setup(pg, alt_key, perspective_id, target)
    alt, perspective, criteria, key = parts
    # whole, not cut at the limit + 1 as text() does: a text over its limit is refused and shown again
    # as typed, so nothing beyond the limit is lost (the body's own limit bounds it)
    saved = pg.ratings_of(alt)
    values = {k: v for k, v in form_values(form, rating_names([MAX_EFFECT] * len(criteria))).items() if v}
    shown = effects_shown(criteria, saved, values)
    base_version, base_hash = _base(form)
    current = rating_initial(criteria, saved)
    if base_version != assessment.lock_version and values_hash(current) != base_hash:
        drafts.save(
            session, assessment, login.user, key, values | {"base_hash": values_hash(current)}, assessment.lock_version
        )
        return _rate_page(
            request,
            lang,
            login,
            pg,
            parts,
            409,
            values=values,
            conflict=_conflict_rows(values, current),
            # saved in another tab: by whoever changed this form last
            conflict_mine=review.last_change_by(
                session, login.actor, assessment, _rated(alt.id, perspective.id, target), RATED
            ),
            base_version=assessment.lock_version,
            base_hash=values_hash(current),
            title_error=True,  # the save was refused: "Error:" before the title, as with an error summary
        )
    parsed = parse_ratings(lang, alt.key, perspective, criteria, shown, values)
    errors = parsed.errors
    if not errors:
        _save_ratings(session, login, registry, pg, alt, parsed, errors, lang)
    else:
        # the domain's rules of the ratings that could be read too, so that one round shows every problem
        # (a missing rationale beside a missing score), in the order of the form
        for i, rating in enumerate(parsed.ratings):
            for p in rules.rating_problems(rating, pg.rubric, pg.relevance, f"ratings.{i}."):
                errors.add(rating_problem_field(p, parsed.positions), problem_message(lang, p))
        order = {name: n for n, name in enumerate(rating_names(shown))}
        errors.by_field = dict(sorted(errors.by_field.items(), key=lambda item: order.get(item[0], len(order))))
    if errors:
        drafts.save(session, assessment, login.user, key, values | {"base_hash": base_hash}, base_version)
        return _rate_page(
            request,
            lang,
            login,
            pg,
            parts,
            422,
            values=values,
            base_version=base_version,
            base_hash=base_hash,
            errors=errors.summary(rating_place(lang, criteria)),
            fe=errors.by_field,
        )
    drafts.discard(session, assessment, login.user, key)
    then = text(form, "then", 20)
    url = f"/assessments/{assessment.id}" if then == "overview" else _next_url(pg, alt.key, perspective.id, target)
    return redirect(url, "saved")


def _save_ratings(
    session: Any, login: Any, registry: Any, pg: AssessmentPage, alt: Any, parsed: Any, errors: FieldErrors, lang: str
) -> None:
    assessment = pg.assessment
    existing = {(r.criterion_id, r.effect): r for r in pg.ratings_of(alt)}
    gone = [existing[k] for k in parsed.cleared if k in existing]
    try:
        with session.begin_nested():
            if parsed.ratings:
                service.put_ratings(
                    session,
                    login.actor,
                    registry,
                    assessment,
                    parsed.ratings,
                    assessment.lock_version,
                    alternatives=pg.alternatives,
                    screening=pg.relevance,
                )
            for rating in gone:
                service.delete_rating(session, login.actor, assessment, rating.id, assessment.lock_version)
    except ValidationFailed as exc:
        for p in exc.errors:
            errors.add(rating_problem_field(p, parsed.positions), problem_message(lang, p))
    except PreconditionFailed:
        errors.add("c0-e1-score", t(lang, "Someone saved at the same moment; check the answers and save again"))


# --- a refused save: what was typed, for the page that shows it (app/web/__init__.py) ----------------

_NOT_TYPED = frozenset({"csrf_token", "base_version", "base_hash", "form_key", "then", "back", "next", "version"})
_LABELS = {
    "title": "Title",
    "description": "Description",
    "case_number": "Case number",
    "deciding_body": "Decision-making body",
    "summary": "Summary of the proposal",
    "zero_description": "Zero alternative",
    "planned_date": "Planned date of the decision",
    "statement": "Screening statement",
    "sources": "Sources",
    "comment": "Message to the reviewer (optional)",
    "review_date": "Date of the follow-up review",
}
_RATING_LABELS = {
    "score": "Score",
    "likelihood": "Likelihood",
    "horizon": "Time horizon",
    "certainty": "Certainty of the rating",
    "rationale": "Rationale",
    "evidence": "Evidence",
    "mitigation": "Mitigation or enhancement measures",
    "affected_groups": "Who is affected",
    "affected_area": "Which part of the municipality",
}
_RATING_NAME = re.compile(r"^c(?P<i>\d{1,4})-e(?P<e>\d{1,2})-(?P<f>[a-z_]{1,40})$")


def typed_fields(
    session: Session,
    registry: RubricRegistry,
    login: WebLogin,
    assessment: Any,
    path: str,
    form: Any,
    lang: str,
) -> list[tuple[str, str]]:
    """(label, value) of each field typed into a form whose save was refused, for the page that shows
    them to be copied: labelled as on the form (the question, the perspective) where the form is known.
    No passwords, tokens or hidden fields."""
    typed = [
        (k, v)
        for k, v in form.items()
        if isinstance(v, str)
        and v.strip()
        and k not in _NOT_TYPED
        and "password" not in k.lower()
        and "token" not in k.lower()
    ]
    label: Any = lambda k: t(lang, _LABELS[k]) if k in _LABELS else k  # noqa: E731
    shown: Any = lambda k, v: v  # noqa: E731
    found = drafts.FORM_PAGE.match(path)
    if found is not None and assessment is not None:
        try:
            pg = load_page(session, registry, login, assessment)
            if found["alt"] is None:
                label, shown = _screening_labels(pg, lang)
            else:
                criteria = _rate_setup(pg, found["alt"], found["p"], found["t"])[2]
                label, shown = _rating_labels(pg, criteria, lang)
        except DomainError:
            pass
    return [(label(k), shown(k, v)) for k, v in typed]


def _screening_labels(pg: AssessmentPage, lang: str) -> tuple[Any, Any]:
    def label(key: str) -> str:
        if key in _LABELS:
            return t(lang, _LABELS[key])
        reason = key.endswith("-reason")
        p = pg.rubric.perspective(key[2:].removesuffix("-reason"))
        if not key.startswith("s-") or p is None:
            return key
        return f"{p.title.get(lang)} – {t(lang, 'reason')}" if reason else p.title.get(lang)

    def shown(key: str, value: str) -> str:
        if key.startswith("s-") and not key.endswith("-reason") and value in ("yes", "no"):
            return t(lang, "Relevant") if value == "yes" else t(lang, "Not relevant")
        return value

    return label, shown


def _rating_labels(pg: AssessmentPage, criteria: list[Any], lang: str) -> tuple[Any, Any]:
    scale = pg.rubric.scale

    def label(key: str) -> str:
        found = _RATING_NAME.match(key)
        if found is None or int(found["i"]) >= len(criteria) or found["f"] not in _RATING_LABELS:
            return key
        question = criteria[int(found["i"])].question.get(lang)
        effect = t(lang, "effect %(n)s", n=int(found["e"]))
        return f"{question} – {effect} – {t(lang, _RATING_LABELS[found['f']])}"

    def shown(key: str, value: str) -> str:
        field = key.rsplit("-", 1)[-1]
        if key.endswith("-score"):
            if value == "unknown":
                return str(scale.unknown.label.get(lang))
            for s in scale.scores:
                if str(s.value) == value:
                    return f"{signed(s.value, lang, 0)} {s.label.get(lang)}"
        steps = {"likelihood": scale.likelihood, "horizon": scale.horizon, "certainty": scale.certainty}.get(field)
        for step in steps or []:
            if step.id == value:
                return str(step.label.get(lang))
        return value

    return label, shown
