"""who registers cases, import approvals: the approval a migration import's published version rests on

A catalog import goes through the review process as adjustment requests, unless it is a deliberate migration:
then each version it publishes carries ``approval_document`` (the approving document's reference, e.g.
示府函〔2026〕12号) and ``approved_by`` (who approved it). Both stay empty on versions published by review.
Who may register cases (受理 / 立案 posts) needs no schema.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("power_versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("approval_document", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("approved_by", sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("power_versions", schema=None) as batch_op:
        batch_op.drop_column("approved_by")
        batch_op.drop_column("approval_document")
