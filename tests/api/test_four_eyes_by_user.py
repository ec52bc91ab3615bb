"""Four eyes by user, not by label: the audit trail records the acting user's id, so a reviewer whose
name and e-mail address changed after they changed a version still cannot approve it; events recorded
before the id was (NULL) are matched by label; the id is part of the event's hash only when set."""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

from sqlalchemy import event, update
from sqlmodel import select

from tests.api.test_integrity_rules import RATING, people
from tests.api.test_review_flow import act, screened_and_rated
from tests.support import Api, make_token, session

__all__ = ["people"]  # a fixture
REVIEWER = "riikka@hel.fi"  # the fixture's first reviewer


def _user_id(email: str) -> uuid.UUID:
    from app.auth.models import User

    with session() as s:
        return s.exec(select(User.id).where(User.email == email)).one()


def _rename(user_id: uuid.UUID, name: str, email: str) -> None:
    """What an admin's edit of the account (or the person's own) does to the row."""
    from app.auth.models import User

    with session() as s:
        user = s.get(User, user_id)
        assert user is not None
        user.name, user.email = name, email
        s.add(user)
        s.commit()


def _events_of(resource_id: str) -> list[Any]:
    from app.audit.models import AuditEvent

    with session() as s:
        return list(s.exec(select(AuditEvent).where(AuditEvent.resource_id == resource_id)).all())


def test_a_renamed_reviewer_still_cannot_approve_their_changes(people: dict[str, Api]) -> None:
    official, reviewer, reviewer2 = people["official"], people["reviewer"], people["reviewer2"]
    a = screened_and_rated(official)
    assert reviewer.put_ratings(a["id"], [RATING]).status_code == 200
    assert act(official, a, "submit").status_code == 200
    _rename(_user_id(REVIEWER), "Riikka Nyman", "riikka.nyman@hel.fi")
    r = act(reviewer, a, "approve", "Ser bra ut")
    assert r.status_code == 403, r.text
    assert r.json()["type"].endswith("/approving-own-changes")
    assert official.get(f"/api/v1/assessments/{a['id']}").json()["status"] == "submitted", "nothing written"
    assert act(reviewer, a, "return", "Komplettera").status_code == 200, "returning stays open to them"
    assert act(official, a, "submit").status_code == 200
    assert act(reviewer, a, "approve").status_code == 403, "still this version, across the return"
    assert act(reviewer2, a, "approve").status_code == 200, "another reviewer approves"


def test_events_carry_the_acting_user_and_the_chain_verifies(people: dict[str, Api]) -> None:
    """Events of a person (also the fast write path's, on PostgreSQL) carry their id; a system token's
    carry none; ``audit verify`` passes and finds an id changed afterwards."""
    from app.audit import service as audit
    from app.audit.models import AuditEvent
    from app.municipalities.models import Municipality

    official, reviewer = people["official"], people["reviewer"]
    a = screened_and_rated(official)
    assert reviewer.put_ratings(a["id"], [RATING]).status_code == 200
    system = Api(official.client, make_token("091", ("read", "write")))
    system.create_decision("KS 2026/99")
    events = _events_of(a["id"])
    by_reviewer = [e for e in events if e.actor.startswith("Riikka")]
    assert by_reviewer and {e.actor_user_id for e in by_reviewer} == {_user_id(REVIEWER)}
    assert all(e.actor_user_id is not None for e in events), "every event of the assessment is a person's"
    with session() as s:
        made_by_token = s.exec(select(AuditEvent).where(AuditEvent.actor == "token:test")).all()
        assert made_by_token and all(e.actor_user_id is None for e in made_by_token)
        municipality = s.exec(select(Municipality).where(Municipality.code == "091")).one()
        assert audit.verify(s, municipality.id)[1] is None
        # the id is in the hash: pointing an event at another user breaks the chain at that event
        tampered = by_reviewer[0]
        s.execute(update(AuditEvent).where(AuditEvent.id == tampered.id).values(actor_user_id=uuid.uuid4()))
        broken = audit.verify(s, municipality.id)[1]
        assert broken is not None and broken.seq == tampered.seq and "edited" in broken.reason
        s.rollback()


def test_an_event_without_a_user_hashes_as_before_the_column() -> None:
    """The canonical form of an event without a user id is the one of every event recorded before
    migration 0014, so their hashes still verify; with an id, the id is part of it."""
    from datetime import UTC, datetime

    from app.audit import service as audit
    from app.audit.models import AuditEvent

    mid = uuid.UUID("00000000-0000-0000-0000-000000000091")
    at = datetime(2026, 11, 30, 12, 0, 0, 123456, tzinfo=UTC)
    old_form = {
        "municipality_id": str(mid),
        "seq": 7,
        "at": "2026-11-30T12:00:00.123456",
        "actor": "Riikka <riikka@hel.fi>",
        "action": "rating.saved",
        "resource_type": "assessment",
        "resource_id": "a1",
        "before": None,
        "after": {"score": 1},
    }
    expected = hashlib.sha256(
        b"0" * 64
        + json.dumps(old_form, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()
    ).hexdigest()
    fields = {k: v for k, v in old_form.items() if k not in ("municipality_id", "at")}
    without = AuditEvent(municipality_id=mid, at=at, prev_hash=audit.GENESIS, hash="", **fields)
    assert audit.compute_hash(audit.GENESIS, without) == expected
    with_user = AuditEvent(
        municipality_id=mid, at=at, prev_hash=audit.GENESIS, hash="", actor_user_id=uuid.uuid4(), **fields
    )
    assert audit.compute_hash(audit.GENESIS, with_user) != expected


def test_events_recorded_before_the_user_id_are_matched_by_label(people: dict[str, Api]) -> None:
    """An event with no user id (recorded before migration 0014) counts by the label it was recorded
    under, as before; the user id decides for every other event, whatever its label says."""
    from app.assessments import review
    from app.assessments.models import Assessment
    from app.audit.models import AuditEvent
    from app.auth.models import User
    from app.auth.web_sessions import actor_for_user
    from app.municipalities.models import Municipality

    official, reviewer = people["official"], people["reviewer"]
    a = screened_and_rated(official)
    assert reviewer.put_ratings(a["id"], [RATING]).status_code == 200
    with session() as s:
        assessment = s.get(Assessment, uuid.UUID(a["id"]))
        assert assessment is not None
        municipality = s.get(Municipality, assessment.municipality_id)
        assert municipality is not None
        users = {u.email: u for u in s.exec(select(User)).all()}
        riikka = actor_for_user(users["riikka@hel.fi"], municipality)
        rasmus = actor_for_user(users["rasmus@hel.fi"], municipality)
        mine = AuditEvent.actor_user_id == riikka.user_id
        # recorded before the column: no id, the label of the time
        s.execute(update(AuditEvent).where(mine).values(actor_user_id=None))
        assert review.changed_by(s, riikka, assessment)
        assert review.changed_among(s, riikka, [assessment.id]) == {assessment.id}
        assert not review.changed_by(s, rasmus, assessment)
        # with an id, the id decides: another user's id under Riikka's label is not Riikka's change
        s.execute(
            update(AuditEvent)
            .where(AuditEvent.resource_id == a["id"], AuditEvent.actor == riikka.label)
            .values(actor_user_id=rasmus.user_id)
        )
        assert not review.changed_by(s, riikka, assessment)
        assert review.changed_by(s, rasmus, assessment)
        s.rollback()


def test_the_list_check_is_one_statement_for_all_ids(people: dict[str, Api]) -> None:
    from app.assessments import review
    from app.auth.models import User
    from app.auth.web_sessions import actor_for_user
    from app.db.engine import get_engine
    from app.municipalities.models import Municipality

    official, reviewer = people["official"], people["reviewer"]
    mine = screened_and_rated(official)
    assert reviewer.put_ratings(mine["id"], [RATING]).status_code == 200
    others = [official.create_assessment(f"KS 2026/{n}") for n in (2, 3)]
    ids = [uuid.UUID(x["id"]) for x in (mine, *others)]
    statements: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        statements.append(statement)

    with session() as s:
        riikka = s.exec(select(User).where(User.email == "riikka@hel.fi")).one()
        municipality = s.get(Municipality, riikka.municipality_id)
        assert municipality is not None
        actor = actor_for_user(riikka, municipality)
        event.listen(get_engine(), "before_cursor_execute", seen)
        try:
            assert review.changed_among(s, actor, ids) == {ids[0]}
        finally:
            event.remove(get_engine(), "before_cursor_execute", seen)
        assert len(statements) == 1 and "audit_event" in statements[0]
        assert review.changed_among(s, actor, []) == set()
