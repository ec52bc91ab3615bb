"""The schema comes only from migrations: one head, and the models agree with the migrated database."""

from __future__ import annotations

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from app.db.engine import get_engine
from app.db.migrate import alembic_config, downgrade, upgrade
from app.db.models import metadata


def test_single_head() -> None:
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    assert len(heads) == 1, f"more than one Alembic head: {heads}"


def test_models_and_migrations_agree() -> None:
    with get_engine().connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
    assert diff == [], f"models and migrations differ: {diff}"


def test_migration_file_names_are_dated() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    for rev in script.walk_revisions():
        name = rev.path.rsplit("/", 1)[-1]
        assert name[:8].isdigit() and name[8] == "_", f"{name} does not start with a date"


def test_down_to_base_and_up_again() -> None:
    downgrade("base")
    with get_engine().connect() as conn:
        assert get_engine().dialect.has_table(conn, "decision") is False
    upgrade()
    with get_engine().connect() as conn:
        assert get_engine().dialect.has_table(conn, "decision") is True


def test_the_job_queue_schema_is_the_pinned_procrastinate_version() -> None:
    """Revision 0011 applies a copy of procrastinate's schema; a new pin needs a migration (see its
    docstring), so the copy must be the installed version's."""
    from importlib.metadata import version

    from procrastinate.schema import SchemaManager

    from app.settings import PROJECT_ROOT

    copy = PROJECT_ROOT / "alembic" / "procrastinate" / f"schema-{version('procrastinate')}.sql"
    assert copy.is_file(), f"procrastinate {version('procrastinate')} has no migration: see revision 0011"
    assert copy.read_text(encoding="utf-8") == SchemaManager.get_schema()


def test_the_job_queue_lives_in_its_own_postgresql_schema() -> None:
    """On PostgreSQL, procrastinate's tables are in the schema ``procrastinate`` (none on SQLite); they
    go and come back with the downgrade and upgrade of revision 0011."""
    from sqlalchemy import inspect

    engine = get_engine()
    if engine.dialect.name != "postgresql":
        assert "procrastinate_jobs" not in inspect(engine).get_table_names()
        return
    assert "procrastinate_jobs" in inspect(engine).get_table_names(schema="procrastinate")
    downgrade("0010")
    assert "procrastinate" not in inspect(engine).get_schema_names()
    upgrade()
    assert "procrastinate_jobs" in inspect(engine).get_table_names(schema="procrastinate")


def test_0014_audit_user_ids_and_one_open_invitation_per_address() -> None:
    """Revision 0014 on a populated database: the events keep verifying (their user id NULL), the open
    invitations of an address are cut to the newest (lower-cased, per municipality), a second open one
    is refused; down again, the events' user ids wait in a side table and come back on the way up."""
    from datetime import timedelta

    from sqlalchemy import inspect, select
    from sqlalchemy.exc import IntegrityError
    from sqlmodel import Session

    from app.audit import service as audit
    from app.audit.models import AuditEvent
    from app.auth.models import UserInvitation
    from app.auth.web_sessions import actor_for_user
    from app.db.base import utcnow
    from tests.support import make_municipality, make_user

    helsinki, espoo = make_municipality("091"), make_municipality("049")
    user = make_user("091", "riikka@hel.fi", "reviewer")
    engine = get_engine()
    now = utcnow()

    def invitation(municipality: object, email: str, age_days: int, accepted: bool = False) -> dict[str, object]:
        return {
            "id": uuid.uuid4(),
            "municipality_id": municipality.id,  # type: ignore[attr-defined]
            "email": email,
            "role": "official",
            "token_hash": uuid.uuid4().hex * 2,
            "created_by": "Anna <anna@hel.fi>",
            "created_at": now - timedelta(days=age_days),
            "expires_at": now + timedelta(days=14 - age_days),
            "accepted_at": now if accepted else None,
        }

    rows = {
        "older": invitation(helsinki, "ny@hel.fi", 3),
        "newest": invitation(helsinki, " NY@hel.fi", 1),
        "expired": invitation(helsinki, "ny@hel.fi", 20),
        "accepted": invitation(helsinki, "ny@hel.fi", 30, accepted=True),
        "other": invitation(helsinki, "annan@hel.fi", 2),
        "espoo": invitation(espoo, "ny@hel.fi", 2),
    }
    try:
        downgrade("0013")
        with engine.begin() as conn:
            conn.execute(UserInvitation.__table__.insert(), list(rows.values()))  # type: ignore[attr-defined]
        upgrade("0014")
        with Session(engine) as s:
            left = {r.id: r for r in s.exec(select(UserInvitation)).scalars()}  # type: ignore[call-overload]
            kept = {name for name, row in rows.items() if row["id"] in left}
            assert kept == {"newest", "accepted", "other", "espoo"}, kept
            assert left[rows["newest"]["id"]].email == "ny@hel.fi", "stored as the application stores it"
            events = s.exec(select(AuditEvent)).scalars().all()  # type: ignore[call-overload]
            assert events and all(e.actor_user_id is None for e in events)
            assert audit.verify(s, helsinki.id)[1] is None, "events recorded before 0014 verify unchanged"
        with engine.connect() as conn, conn.begin():
            again = invitation(helsinki, "ny@hel.fi", 0)
            with pytest.raises(IntegrityError):
                conn.execute(UserInvitation.__table__.insert(), [again])  # type: ignore[attr-defined]
        indexes = {i["name"] for i in inspect(engine).get_indexes("audit_event")}
        assert "ix_audit_event_resource_id_actor_user_id" in indexes and "ix_audit_event_resource_id" not in indexes
        # an event of a person, then down below 0014 and up again
        with Session(engine) as s:
            actor = actor_for_user(user, helsinki)
            recorded = audit.record(s, actor, "assessment.created", "assessment", uuid.uuid4())
            event_id = recorded.id
            s.commit()
        downgrade("0013")
        assert "actor_user_id" not in {c["name"] for c in inspect(engine).get_columns("audit_event")}
        assert "ix_audit_event_resource_id" in {i["name"] for i in inspect(engine).get_indexes("audit_event")}
        assert "ix_user_invitation_open_email" not in {
            i["name"] for i in inspect(engine).get_indexes("user_invitation")
        }
        upgrade("0014")
        with Session(engine) as s:
            back = s.get(AuditEvent, event_id)
            assert back is not None and back.actor_user_id == user.id
            assert audit.verify(s, helsinki.id)[1] is None
        assert not inspect(engine).has_table("downgrade_stash_audit_event_actor_user")
    finally:
        upgrade()
