"""Invitations of one address at the same moment: at most one stays open (a unique index on the open
invitations, migration 0014, and invitations taking turns on the municipality's audit chain); one
that loses a race to the index is answered like the other conflicts, not with a 500; inviting again
still replaces an open invitation, an expired one included."""

from __future__ import annotations

import re
import threading
import time
import uuid
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, update
from sqlalchemy.orm import ORMExecuteState
from sqlmodel import Session, select

from app.auth.models import UserInvitation
from tests.support import session
from tests.web.support import Web, error_summary


def _open(email: str = "ny@vaasa.fi") -> list[UserInvitation]:
    with session() as s:
        return list(
            s.exec(
                select(UserInvitation).where(UserInvitation.email == email, UserInvitation.accepted_at == None)  # noqa: E711
            ).all()
        )


def _link(html: str) -> str:
    return str(re.search(r"http://testserver(/invitations/[A-Za-z0-9_-]+)", html).group(1))  # type: ignore[union-attr]


def test_inviting_again_replaces_an_expired_open_invitation(admin: Web, app: Any) -> None:
    from app.db.base import utcnow

    first = admin.post("/admin/invitations", {"email": "ny@vaasa.fi", "role": "official"})
    assert first.status_code == 200
    with session() as s:
        s.execute(update(UserInvitation).values(expires_at=utcnow() - timedelta(days=1)))
        s.commit()
    assert TestClient(app).get(_link(first.text)).status_code == 404, "expired"
    again = admin.post("/admin/invitations", {"email": "Ny@Vaasa.fi", "role": "reviewer"})
    assert again.status_code == 200, again.text
    [row] = _open()
    assert row.role == "reviewer" and row.expires_at > utcnow()
    assert TestClient(app).get(_link(again.text)).status_code == 200


def _competing_row(municipality_id: uuid.UUID) -> dict[str, Any]:
    from app.db.base import utcnow

    return {
        "id": uuid.uuid4(),
        "municipality_id": municipality_id,
        "email": "ny@vaasa.fi",
        "role": "council",
        "token_hash": uuid.uuid4().hex * 2,
        "created_by": "Another admin <other@vaasa.fi>",
        "created_at": utcnow(),
        "expires_at": utcnow() + timedelta(days=14),
        "accepted_at": None,
    }


class _AnotherWriter:
    """Inserts an open invitation of the address right after the invitation's read of the open ones,
    as a writer that did not take turns would: on PostgreSQL committed by a connection of its own; on
    SQLite, whose writers are serial, in the request's own transaction (the only way a write can come
    between the read and the insert there)."""

    def __init__(self, municipality_id: uuid.UUID) -> None:
        self.municipality_id = municipality_id
        self.done = False

    def __call__(self, state: ORMExecuteState) -> Any:
        sql = str(state.statement)
        if self.done or not state.is_select or "user_invitation" not in sql or "accepted_at IS NULL" not in sql:
            return None
        result = state.invoke_statement()
        self.done = True
        from app.db.engine import get_engine

        row = _competing_row(self.municipality_id)
        engine = get_engine()
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                conn.execute(UserInvitation.__table__.insert(), [row])  # type: ignore[attr-defined]
        else:
            state.session.connection().execute(UserInvitation.__table__.insert(), [row])  # type: ignore[attr-defined]
        return result


def _municipality_of_admin() -> uuid.UUID:
    from app.auth.models import User

    with session() as s:
        return s.exec(select(User).where(User.email == "anna@vaasa.fi")).one().municipality_id


@pytest.fixture
def another_writer(admin: Web) -> Any:
    writer = _AnotherWriter(_municipality_of_admin())
    event.listen(Session, "do_orm_execute", writer)
    yield writer
    event.remove(Session, "do_orm_execute", writer)


@pytest.mark.parametrize(("lang", "words"), [("sv", "bjöds in i samma ögonblick"), ("en", "at the same moment")])
def test_an_invitation_that_loses_a_race_is_a_clear_conflict(
    admin: Web, another_writer: _AnotherWriter, lang: str, words: str
) -> None:
    admin.get(f"/language?lang={lang}")
    r = admin.post("/admin/invitations", {"email": "ny@vaasa.fi", "role": "official"})
    assert another_writer.done
    assert r.status_code == 422, r.text[:500]
    [(field, message)] = error_summary(r.text)
    assert field == "email" and message.startswith("ny@vaasa.fi") and words in message
    assert "/invitations/" not in r.text.split('id="invitations-caption"')[0], "no link of a second invitation"
    from app.audit.models import AuditEvent

    with session() as s:
        assert s.exec(select(AuditEvent).where(AuditEvent.action == "user.invited")).all() == [], "nothing recorded"
    opened = _open()
    assert len(opened) <= 1
    if opened:  # PostgreSQL: the other writer's invitation committed, and is the one listed
        assert opened[0].role == "council" and "ny@vaasa.fi" in admin.get("/admin/users").text


def test_the_race_in_finnish(admin: Web, another_writer: _AnotherWriter) -> None:
    admin.get("/language?lang=fi")
    r = admin.post("/admin/invitations", {"email": "ny@vaasa.fi", "role": "official"})
    assert r.status_code == 422
    assert "lähetettiin samalla hetkellä toinen kutsu" in error_summary(r.text)[0][1]


def test_two_invitations_at_once_leave_one_open(admin: Web) -> None:
    """Two admins' invitations of one address at once: the second waits for the first (the chain's
    head), reads its invitation and replaces it. Without that both read none and both stayed open (on
    PostgreSQL; SQLite's writers are serial anyway)."""
    from app.auth.models import User
    from app.auth.web_sessions import actor_for_user
    from app.db.session import unit_of_work
    from app.municipalities.models import Municipality
    from app.web import accounts

    with session() as s:
        user = s.exec(select(User).where(User.email == "anna@vaasa.fi")).one()
        municipality = s.get(Municipality, user.municipality_id)
        assert municipality is not None
        actor = actor_for_user(user, municipality)
    outcome: dict[str, Any] = {}

    def second() -> None:
        try:
            with unit_of_work() as s2:
                outcome["replaced"] = accounts.invite(s2, actor, "ny@vaasa.fi", "reviewer")[2]
        except Exception as exc:  # reported below
            outcome["error"] = exc

    with unit_of_work() as s1:
        accounts.invite(s1, actor, "ny@vaasa.fi", "official")
        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(0.5)  # the second reads the open invitations now, before the first commits
    thread.join(30)
    assert "error" not in outcome, outcome
    assert [r.role for r in outcome["replaced"]] == ["official"], "the second read the first's invitation"
    [row] = _open()
    assert row.role == "reviewer"
