"""The schema comes only from migrations: one head, and the models agree with the migrated database."""

from __future__ import annotations

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
