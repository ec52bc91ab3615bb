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
