"""Unfinished form input kept on the server (table ``form_draft``), one per user, assessment and form.

Written by autosave (with JavaScript) and by every submit that could not be saved (invalid input or a
conflict), so nothing typed is ever lost; removed when the form is saved. ``base_version`` is the
assessment version the form was loaded from: a later save compares it with the current version.
"""

from __future__ import annotations

from sqlmodel import Session

from app.assessments import repository as repo
from app.assessments.models import Assessment, FormDraft
from app.auth.models import User
from app.db.base import utcnow

MAX_FIELDS = 400
MAX_VALUE = 20_001


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
