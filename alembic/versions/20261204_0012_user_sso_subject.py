"""user sso subject: a local user bound to the identity provider's subject (``iss`` + ``sub``)

Single sign-on picked the local user by the ID token's verified e-mail address alone; an address can be
given to someone else at the provider (a leaver's to a new employee), who would then sign in as the
leaver. OpenID Connect's stable identifier of a person is the issuer and subject together: the first
single sign-on of a user binds the account to them (``app/auth/oidc.py``), and later sign-ins go by
them. Both columns are empty until then (and again after ``livskraft users sso-unbind``); the unique
constraint holds where both are set (NULLs are distinct in a unique constraint on SQLite and
PostgreSQL alike), so one person at the provider is never two accounts, even when two first sign-ins
race.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sso_issuer", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True))
        batch_op.add_column(sa.Column("sso_subject", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_user_sso_issuer_sso_subject"), ["sso_issuer", "sso_subject"])


def downgrade() -> None:
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_user_sso_issuer_sso_subject"), type_="unique")
        batch_op.drop_column("sso_subject")
        batch_op.drop_column("sso_issuer")
