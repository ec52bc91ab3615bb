"""Alternatives side by side (add, change, remove further options) and the summary."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from app.assessments import review, service
from app.assessments.schemas import AlternativeCreate, AlternativeUpdate
from app.errors import Conflict, PreconditionFailed
from app.routing import Router
from app.web.deps import (
    AssessmentDep,
    FormDep,
    LangDep,
    LoginDep,
    RegistryDep,
    SessionDep,
    WriterDep,
    page,
    redirect,
    text,
)
from app.web.forms import FieldErrors, form_values, validated
from app.web.pages import load_page, values_hash
from app.web.templating import t

router = Router(include_in_schema=False)


ALTERED = ("alternative.updated",)
"""The audit action that can change an alternative's form (``_changed`` tells whether it did)."""


def _changed(alternative_id: Any) -> review.FormTouched:
    """Whether an audit event changed the form of one alternative (its title and description): for
    ``review.last_change_by``, which says whether that was the user's own save in another tab."""

    def touched(action: str, before: Any, after: Any) -> bool:
        return action == "alternative.updated" and isinstance(after, dict) and after.get("id") == str(alternative_id)

    return touched


@router.get("/assessments/{assessment_id}/alternatives")
def alternatives(
    request: Request,
    session: SessionDep,
    lang: LangDep,
    login: LoginDep,
    registry: RegistryDep,
    assessment: AssessmentDep,
) -> Response:
    pg = load_page(session, registry, login, assessment)
    return page(request, lang, "alternatives.html", login, pg=pg, values={"title": "", "description": ""}, fe={})


@router.get("/assessments/{assessment_id}/alternatives/{key}/delete")
def alternative_delete_confirm(
    request: Request,
    session: SessionDep,
    lang: LangDep,
    login: LoginDep,
    registry: RegistryDep,
    assessment: AssessmentDep,
    key: str,
) -> Response:
    """The alternatives page asking whether to remove a further option (its "Remove" link leads here,
    the button here posts to this address): its ratings go with it and nothing brings them back. An
    unknown key: 404; nothing to ask of the proposal or the zero alternative, of a reader, or when the
    assessment cannot be changed now."""
    pg = load_page(session, registry, login, assessment)
    alt = pg.alternative(key)
    asking = alt if alt.kind == "option" and pg.can_edit else None
    return page(
        request,
        lang,
        "alternatives.html",
        login,
        pg=pg,
        values={"title": "", "description": ""},
        fe={},
        removing=asking,
        removing_ratings=len(pg.ratings_of(asking)) if asking else 0,
    )


@router.post("/assessments/{assessment_id}/alternatives")
def alternative_add(
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
    values = form_values(form, ["title", "description"])
    errors = FieldErrors()
    if not values["title"].strip():
        errors.add("title", t(lang, "Enter a short title for the option"))
    data = validated(lang, AlternativeCreate, values, errors)
    if not errors and data is not None:
        try:
            with session.begin_nested():
                service.add_alternative(session, login.actor, assessment, data, assessment.lock_version)
            return redirect(f"/assessments/{assessment.id}/alternatives", "alternative_added")
        except Conflict:
            errors.add("title", t(lang, "An assessment can compare at most five further options"))
    return page(
        request,
        lang,
        "alternatives.html",
        login,
        422,
        pg=pg,
        values=values,
        errors=errors.summary(),
        fe=errors.by_field,
    )


@router.get("/assessments/{assessment_id}/alternatives/{key}")
def alternative_form(
    request: Request,
    session: SessionDep,
    lang: LangDep,
    login: WriterDep,
    registry: RegistryDep,
    assessment: AssessmentDep,
    key: str,
) -> Response:
    pg = load_page(session, registry, login, assessment)
    alt = pg.alternative(key)
    values = {"title": alt.title, "description": alt.description}
    return page(
        request,
        lang,
        "alternative_form.html",
        login,
        pg=pg,
        alt=alt,
        values=values,
        fe={},
        base_hash=values_hash(values),
    )


@router.post("/assessments/{assessment_id}/alternatives/{key}")
def alternative_save(
    request: Request,
    session: SessionDep,
    lang: LangDep,
    login: WriterDep,
    registry: RegistryDep,
    assessment: AssessmentDep,
    key: str,
    form: FormDep,
) -> Response:
    pg = load_page(session, registry, login, assessment)
    pg.require_editable()
    alt = pg.alternative(key)
    values = form_values(form, ["title", "description"])
    base_hash = text(form, "base_hash", 64)
    current = {"title": alt.title, "description": alt.description}
    errors = FieldErrors()
    conflict = None
    if values_hash(current) != base_hash:
        conflict = current
        if review.last_change_by(session, login.actor, assessment, _changed(alt.id), ALTERED):  # another tab
            message = t(
                lang,
                "You saved this alternative in another tab or window meanwhile. "
                "Compare with the saved text below and save again.",
            )
        else:
            message = t(
                lang,
                "Someone else changed this alternative meanwhile. Compare with the saved text below and save again.",
            )
        errors.add("title", message)
    elif not values["title"].strip():
        errors.add("title", t(lang, "Enter a short title for the option"))
    data = None if errors else validated(lang, AlternativeUpdate, values, errors)
    if data is not None:
        try:
            with session.begin_nested():
                service.update_alternative(session, login.actor, assessment, key, data, assessment.lock_version)
            return redirect(f"/assessments/{assessment.id}/alternatives", "saved")
        except PreconditionFailed:
            errors.add("title", t(lang, "Someone saved at the same moment; check the answers and save again"))
    return page(
        request,
        lang,
        "alternative_form.html",
        login,
        409 if conflict else 422,
        pg=pg,
        alt=alt,
        values=values,
        errors=errors.summary(),
        fe=errors.by_field,
        base_hash=values_hash(current),
        current=conflict,
    )


@router.post("/assessments/{assessment_id}/alternatives/{key}/delete")
def alternative_delete(
    session: SessionDep, login: WriterDep, registry: RegistryDep, assessment: AssessmentDep, key: str, form: FormDep
) -> Response:
    service.delete_alternative(session, login.actor, assessment, key, assessment.lock_version)
    return redirect(f"/assessments/{assessment.id}/alternatives", "alternative_removed")


@router.get("/assessments/{assessment_id}/summary")
def summary(
    request: Request,
    session: SessionDep,
    lang: LangDep,
    login: LoginDep,
    registry: RegistryDep,
    assessment: AssessmentDep,
) -> Response:
    pg = load_page(session, registry, login, assessment)
    return page(request, lang, "summary.html", login, pg=pg, s=pg.summary)
