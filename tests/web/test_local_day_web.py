"""The web names days and times on the clock of the signed-in user's municipality: Stockholm's for a
Swedish one, Helsinki's for a Finnish one (timestamps are stored in UTC).

21:30 UTC on 31 March 2026 is 23:30 on 31 March in Stockholm (UTC+2) and 00:30 on 1 April in Helsinki
(UTC+3): the same approval is of 31 March in Stockholm and of 1 April in Vaasa."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import select

from tests.support import session
from tests.web.support import Web

APPROVED_AT = datetime(2026, 3, 31, 21, 30, tzinfo=UTC)


def approve_in_database(assessment_id: str, at: datetime) -> None:
    """As a reviewer's approval leaves it (set directly: the instant is the point)."""
    from app.assessments.models import Assessment

    with session() as s:
        a = s.get(Assessment, uuid.UUID(assessment_id))
        assert a is not None
        a.status, a.reviewer_name, a.submitted_at, a.approved_at = "approved", "Göran Granskare", at, at
        s.add(a)
        s.commit()


def test_an_approval_is_of_the_day_of_the_users_municipality(app: Any) -> None:
    stockholm = Web.signed_in(app, "astrid@stockholm.se", "official", code="0180")
    vaasa = Web.signed_in(app, "tiina@vaasa.fi", "official", code="905")
    swedish, finnish = stockholm.new_assessment(), vaasa.new_assessment()
    approve_in_database(swedish, APPROVED_AT)
    approve_in_database(finnish, APPROVED_AT)

    page = stockholm.get(f"/assessments/{swedish}").text
    assert "Göran Granskare den 31 mars 2026" in page, "the date filter: Stockholm's day"
    assert "1 april 2026" not in page
    page = vaasa.get(f"/assessments/{finnish}").text
    assert "Göran Granskare den 1 april 2026" in page, "the date filter: Helsinki's day, not the UTC day"
    assert "31 mars 2026" not in page

    assert "2026-03-31 23:30" in stockholm.get(f"/assessments/{swedish}/history").text, "the datetime filter"
    assert "2026-04-01 00:30" in vaasa.get(f"/assessments/{finnish}/history").text


def test_a_draft_is_saved_at_the_time_of_the_users_municipality(app: Any) -> None:
    from app.assessments.models import FormDraft

    stockholm = Web.signed_in(app, "astrid@stockholm.se", "official", code="0180")
    aid = stockholm.new_assessment()
    r = stockholm.post(f"/assessments/{aid}/autosave", {"form_key": "screening", "s-policy-reason": "Min text"})
    assert r.status_code == 200 and r.json()["saved"] is True
    with session() as s:
        draft = s.exec(select(FormDraft).where(FormDraft.assessment_id == uuid.UUID(aid))).one()
        saved = draft.updated_at
        draft.updated_at = APPROVED_AT  # a draft saved late on 31 March, Stockholm time
        s.add(draft)
        s.commit()
    message = r.json()["message"]
    assert saved.astimezone(ZoneInfo("Europe/Stockholm")).strftime("%Y-%m-%d %H:%M") in message, message
    assert saved.astimezone(ZoneInfo("Europe/Helsinki")).strftime("%Y-%m-%d %H:%M") not in message, message

    page = stockholm.get(f"/assessments/{aid}/screening").text
    assert "Min text" in page and "2026-03-31 23:30" in page, "the restored draft's time"
