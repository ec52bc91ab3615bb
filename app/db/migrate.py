"""Run Alembic migrations from code (CLI, start-up scripts, tests) against the configured database."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool

from app.db.engine import create_sqlite_file, get_engine
from app.db.models import metadata
from app.settings import PROJECT_ROOT, get_settings


def alembic_config() -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    return config


def upgrade(revision: str = "head") -> Path | None:
    """Migrate the configured database to ``revision``. An SQLite database that is not there yet is
    created first (with its folder): the one way a new database file is made. Returns it then."""
    created = create_sqlite_file(get_settings().effective_database_url)
    command.upgrade(alembic_config(), revision)
    return created


def current_revision(url: str | None = None) -> str | None:
    """The schema revision the configured database (or the one at ``url``, over a connection of its own
    that is closed afterwards) is at; None: not migrated."""
    engine = get_engine() if url is None else create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        if url is not None:
            engine.dispose()


def resolve(revision: str) -> str:
    """The revision id ``revision`` names ("head", a prefix); ``CommandError`` for one that is unknown."""
    found = ScriptDirectory.from_config(alembic_config()).get_revision(revision)
    if found is None:
        raise CommandError(f"no revision {revision!r}")
    return str(found.revision)


def downgrade(revision: str) -> None:
    command.downgrade(alembic_config(), revision)


def truncate_all() -> None:
    """Empty every table (tests only): children first, so foreign keys hold.

    DELETE rather than TRUNCATE: on the handful of rows a test leaves, it is ten times faster on
    PostgreSQL (TRUNCATE replaces each table's files).
    """
    with get_engine().begin() as conn:
        for table in reversed(metadata.sorted_tables):
            conn.execute(table.delete())
