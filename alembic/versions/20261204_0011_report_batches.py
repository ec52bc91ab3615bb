"""report batches: the ``report_batch`` table, and procrastinate's job queue schema on PostgreSQL

``report_batch`` (both databases) holds a batch of decision summaries rendered by a background job: its
state, progress, error text and, when done, the ZIP of its PDFs (``app/reports/batches.py``).

On PostgreSQL this also creates the schema of procrastinate, the PostgreSQL-backed job queue that runs
the batches (``app/reports/jobs.py``), in a PostgreSQL schema of its own, ``procrastinate``: its tables,
types, functions and triggers stay out of the application's schema (``public``), so the models/migration
comparison (``tests/db/test_migrations.py``) and ``alembic revision --autogenerate`` never see them, and
the downgrade is one ``DROP SCHEMA``. Procrastinate's connections name the schema in their
``search_path`` (``jobs.QUEUE_SEARCH_PATH``). SQLite gets no queue: procrastinate needs PostgreSQL, and
the API refuses report batches there.

The SQL applied is procrastinate 3.10.0's ``sql/schema.sql``, copied verbatim to
``alembic/procrastinate/schema-3.10.0.sql`` (a migration must not change when a package is upgraded;
``tests/db/test_migrations.py`` checks that the copy is the installed version's schema, so raising the
pin in ``constraints.txt`` without a migration fails the tests).

Upgrading procrastinate later: procrastinate ships each schema change as SQL files in
``procrastinate/sql/migrations/`` named ``VERSION_NN_{pre,post}_NAME.sql``. For a new pin, copy the
files newer than the pinned version (here: newer than 03.10.00) into ``alembic/procrastinate/`` and
apply them in a new Alembic revision as this one applies the schema (a copy of ``apply_sql``: the
``procrastinate`` search path, then ``PIN_FUNCTIONS`` again): the ``pre`` files in a revision deployed
*before* the new procrastinate (old workers keep running on them), the ``post`` files in a revision
deployed once every worker runs the new version. Add the new version's ``schema.sql`` as
``alembic/procrastinate/schema-VERSION.sql`` (the test compares it with the installed package; this
revision keeps applying 3.10.0's, which the migrations bring up to date). Never run
``procrastinate schema --apply`` against a deployed database: the schema comes only from Alembic.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04
"""

from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.db.types

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

QUEUE_SCHEMA = "procrastinate"
PROCRASTINATE_SQL = Path(__file__).resolve().parent.parent / "procrastinate" / "schema-3.10.0.sql"


PIN_FUNCTIONS = """
DO $$
DECLARE f regprocedure;
BEGIN
    FOR f IN SELECT p.oid::regprocedure FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE n.nspname = 'procrastinate' LOOP
        EXECUTE format('ALTER FUNCTION %s SET search_path = procrastinate, pg_catalog', f);
    END LOOP;
END;
$$;
"""
"""Procrastinate's functions and triggers name its tables without a schema: each function is given the
queue's search path, so they work whoever calls them (a worker, or an operator in psql deleting old jobs).
``CREATE OR REPLACE FUNCTION`` in a later procrastinate migration drops the setting: ``apply_sql`` sets
it again after every file."""


def apply_sql(sql: str) -> None:
    """Run procrastinate's SQL file as it is (several statements, ``$$`` bodies, ``%`` in strings:
    through the driver, without parameters) with the queue's schema first on the search path, in the
    migration's transaction; pin the functions' search path (``PIN_FUNCTIONS``); then put the search
    path back for Alembic's own statements."""
    driver = op.get_bind().connection.driver_connection
    assert driver is not None
    previous = driver.execute("SELECT current_setting('search_path')").fetchone()[0]
    driver.execute(f"SET LOCAL search_path TO {QUEUE_SCHEMA}")
    driver.execute(sql)
    driver.execute(PIN_FUNCTIONS)
    driver.execute("SELECT set_config('search_path', %s, true)", (previous,))


def upgrade() -> None:
    op.create_table(
        "report_batch",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("municipality_id", sa.Uuid(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("lang", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
        sa.Column("variant", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("assessment_ids", app.db.types.JSONType, nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("error", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("created_at", app.db.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", app.db.types.UTCDateTime(), nullable=False),
        sa.Column("finished_at", app.db.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["municipality_id"], ["municipality.id"], name=op.f("fk_report_batch_municipality_id_municipality")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_batch")),
    )
    with op.batch_alter_table("report_batch", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_batch_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_report_batch_municipality_id"), ["municipality_id"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE SCHEMA {QUEUE_SCHEMA}")
        apply_sql(PROCRASTINATE_SQL.read_text(encoding="utf-8"))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP SCHEMA {QUEUE_SCHEMA} CASCADE")  # the queue's jobs, events and workers with it
    with op.batch_alter_table("report_batch", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_batch_municipality_id"))
        batch_op.drop_index(batch_op.f("ix_report_batch_created_at"))
    op.drop_table("report_batch")
