"""Server-side drafts of the assessment forms: autosave (from the page's script) and discard."""

from __future__ import annotations

from datetime import datetime

from fastapi.responses import JSONResponse, Response

from app.i18n import format_datetime
from app.municipalities.timezone import zone
from app.routing import Router
from app.web import drafts
from app.web.deps import AssessmentDep, FormDep, LangDep, RegistryDep, SessionDep, WriterDep, redirect, text
from app.web.forms import whole_number
from app.web.routes_assessments import FORM_KEY
from app.web.templating import t

router = Router(include_in_schema=False)


@router.post("/assessments/{assessment_id}/autosave")
def autosave(
    session: SessionDep,
    lang: LangDep,
    login: WriterDep,
    registry: RegistryDep,
    assessment: AssessmentDep,
    form: FormDep,
) -> Response:
    """Keep what is typed as a server-side draft (called by the page's script; not a saved answer)."""
    key = text(form, "form_key", 120)
    if not FORM_KEY.match(key) or assessment.status != "draft":
        return JSONResponse({"saved": False}, status_code=409)
    base_version = whole_number(text(form, "base_version", 12)) or 0
    row = drafts.save(session, assessment, login.user, key, drafts.posted(form), base_version)
    saved = _time(row.updated_at, lang, login.municipality.country)
    return JSONResponse({"saved": True, "message": t(lang, "Draft saved %(time)s", time=saved)})


def _time(value: datetime, lang: str, country: str) -> str:
    """The time on the clock of the user's municipality."""
    return format_datetime(value, lang, "short", zone=zone(country))


@router.post("/assessments/{assessment_id}/discard")
def discard_draft(session: SessionDep, login: WriterDep, assessment: AssessmentDep, form: FormDep) -> Response:
    key = text(form, "form_key", 120)
    if FORM_KEY.match(key):
        drafts.discard(session, assessment, login.user, key)
    back = text(form, "back", 300)
    url = back if back.startswith(f"/assessments/{assessment.id}") else f"/assessments/{assessment.id}"
    return redirect(url, "draft_discarded")
