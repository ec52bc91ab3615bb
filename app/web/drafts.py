"""Unfinished form input kept on the server (table ``form_draft``), one per user, assessment and form.

Written by autosave (with JavaScript) and by every submit that could not be saved (invalid input or a
conflict), so nothing typed is ever lost; removed when the form is saved. ``base_version`` is the
assessment version the form was loaded from: a later save compares it with the current version.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping

from sqlmodel import Session
from starlette.datastructures import FormData

from app.assessments import repository as repo
from app.assessments import service
from app.assessments.models import Assessment, FormDraft
from app.auth.models import User
from app.auth.web_sessions import WebLogin
from app.db.base import utcnow
from app.errors import DomainError

MAX_FIELDS = 400
MAX_VALUE = 20_001
FORM_KEY = re.compile(
    r"^(screening|rate:(proposal|zero|option-\d{1,2}):[a-z0-9-]{1,80}:(organisation|firms|residents))$"
)
"""The forms that keep drafts: the screening and each rating form (alternative × perspective × target)."""
FORM_PAGE = re.compile(
    r"^/assessments/(?P<id>[0-9a-fA-F-]{36})/(?:screening|rate/(?P<alt>[^/]+)/(?P<p>[^/]+)/(?P<t>[^/]+))$"
)
NOT_KEPT = frozenset({"csrf_token", "form_key", "then"})
"""Posted fields that are no input: the token, autosave's form key and the button pressed."""


def save(session: Session, assessment: Assessment, user: User, key: str, data: dict[str, str], base: int) -> FormDraft:
    clean = {k[:120]: v[:MAX_VALUE] for k, v in list(data.items())[:MAX_FIELDS] if k != "csrf_token"}
    row = repo.form_draft(session, assessment.id, user.id, key)
    if row is None:
        row = FormDraft(assessment_id=assessment.id, user_id=user.id, form_key=key, data=clean, base_version=base)
    else:
        row.data, row.base_version = clean, base
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    return row


def load(session: Session, assessment: Assessment, user: User, key: str) -> FormDraft | None:
    return repo.form_draft(session, assessment.id, user.id, key)


def discard(session: Session, assessment: Assessment, user: User, key: str) -> None:
    row = repo.form_draft(session, assessment.id, user.id, key)
    if row is not None:
        session.delete(row)
        session.flush()


def keys(session: Session, assessment: Assessment, user: User) -> set[str]:
    return {d.form_key for d in repo.form_drafts_of(session, assessment.id, user.id)}


def form_of(path: str) -> tuple[uuid.UUID, str] | None:
    """(assessment id, draft key) of a form page that restores drafts (its GET path; the POST path is
    the same), or None for any other page."""
    found = FORM_PAGE.match(path)
    if found is None:
        return None
    key = "screening" if found["alt"] is None else f"rate:{found['alt']}:{found['p']}:{found['t']}"
    if not FORM_KEY.match(key):
        return None
    try:
        return uuid.UUID(found["id"]), key
    except ValueError:
        return None


def posted(form: FormData | Mapping[str, object]) -> dict[str, str]:
    """What of a posted form a draft keeps: every filled-in field but the token, the key and the button."""
    return {k: v for k, v in form.items() if isinstance(v, str) and v and k not in NOT_KEPT}


def writable(session: Session, login: WebLogin, assessment_id: uuid.UUID) -> Assessment | None:
    """The assessment if ``login`` may keep drafts of its forms: the checks of the autosave route (a user
    with write rights, the assessment of their own municipality), else None."""
    try:
        login.actor.require("write")
        return service.get_assessment(session, login.actor, assessment_id)
    except DomainError:
        return None
