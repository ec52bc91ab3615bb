"""audit actor user, open invitation: four eyes by user, not by label; one open invitation per address

``audit_event.actor_user_id``: a reviewer cannot approve a version they changed themselves, and
``review.changed_by`` found their changes by the events' ``actor`` label ("Name <e-mail>"). Once an
admin or the person changed the name or the address, their earlier changes no longer matched and they
could approve their own work. Events now record the acting user's id (NULL for a system actor), and the
check matches it; events recorded before this revision keep NULL, and for them the check still compares
the label (no backfill: the id enters an event's hash when it is set, so setting it on an old event
would break the chain; ``app/audit/service.py``). The index on ``resource_id`` is replaced by one on
``(resource_id, actor_user_id)``: the old one is its prefix, so every query by resource uses the new
one, and the check finds a user's events of a version in the index alone.

``user_invitation``: inviting an address again replaces its open invitation, but two invitations of
the same address at once could both be created (each read that none was open). A unique index on
``(municipality_id, email)`` where ``accepted_at IS NULL`` allows one. Addresses are stored lower-cased
and trimmed (``app/web/accounts.py``, as users' addresses); the upgrade normalises any open invitation
stored otherwise and, of the open invitations of one address in a municipality, keeps the newest
(by ``created_at``, then id): the others' links stop working, as a new invitation would have made
them. Those removals are not undone by a downgrade.

A downgrade below this revision keeps the events' user ids in a side table (``STASH``) that this
upgrade reads back, so going down and up again loses nothing and every event's hash verifies again
(tests/faults/test_migrations_data.py). While the schema is below this revision, an older release's
``livskraft audit verify`` reports the first event recorded with a user id as edited: its hash covers
the id, which the older schema does not have.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STASH = "downgrade_stash_audit_event_actor_user"
OPEN = sa.text("accepted_at IS NULL")

_invitation = sa.table(
    "user_invitation",
    sa.column("id", sa.Uuid()),
    sa.column("municipality_id", sa.Uuid()),
    sa.column("email", sa.String()),
    sa.column("created_at", sa.DateTime()),
    sa.column("accepted_at", sa.DateTime()),
)


def _one_open_invitation_per_address() -> None:
    """Open invitations lower-cased and trimmed, and only the newest of each address in a municipality
    (in Python: SQLite's ``lower`` knows only ASCII, the application lower-cases with Python's)."""
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(_invitation.c.id, _invitation.c.municipality_id, _invitation.c.email)
        .where(_invitation.c.accepted_at.is_(None))
        .order_by(_invitation.c.created_at.desc(), _invitation.c.id.desc())
    ).all()
    kept: set[tuple[object, str]] = set()
    for row in rows:
        email = row.email.strip().lower()
        if (row.municipality_id, email) in kept:
            bind.execute(sa.delete(_invitation).where(_invitation.c.id == row.id))
            continue
        kept.add((row.municipality_id, email))
        if email != row.email:
            bind.execute(sa.update(_invitation).where(_invitation.c.id == row.id).values(email=email))


def upgrade() -> None:
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("actor_user_id", sa.Uuid(), nullable=True))
        batch_op.drop_index(batch_op.f("ix_audit_event_resource_id"))
        batch_op.create_index(
            batch_op.f("ix_audit_event_resource_id_actor_user_id"), ["resource_id", "actor_user_id"], unique=False
        )
    if sa.inspect(op.get_bind()).has_table(STASH):
        # up again after a downgrade: the ids kept then
        op.execute(
            "UPDATE audit_event SET actor_user_id = (SELECT s.actor_user_id "
            "FROM downgrade_stash_audit_event_actor_user s WHERE s.audit_event_id = audit_event.id) "
            "WHERE id IN (SELECT audit_event_id FROM downgrade_stash_audit_event_actor_user)"
        )
        op.drop_table(STASH)
    _one_open_invitation_per_address()
    with op.batch_alter_table("user_invitation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_user_invitation_open_email"),
            ["municipality_id", "email"],
            unique=True,
            sqlite_where=OPEN,
            postgresql_where=OPEN,
        )


def downgrade() -> None:
    with op.batch_alter_table("user_invitation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_invitation_open_email"))
    op.create_table(
        STASH,
        sa.Column("audit_event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        sa.Column("actor_user_id", sa.Uuid(), nullable=False),
    )
    op.execute(
        "INSERT INTO downgrade_stash_audit_event_actor_user (audit_event_id, actor_user_id) "
        "SELECT id, actor_user_id FROM audit_event WHERE actor_user_id IS NOT NULL"
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_event_resource_id_actor_user_id"))
        batch_op.create_index(batch_op.f("ix_audit_event_resource_id"), ["resource_id"], unique=False)
        batch_op.drop_column("actor_user_id")
