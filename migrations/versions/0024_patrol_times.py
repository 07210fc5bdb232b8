"""patrol duties count patrols: at least K patrols every N working days

Seed 003 第十一条(二) asks a city or county office to patrol its own platform twice or more every working day; a duty
of "one patrol every N working days" cannot say that. ``patrol_duties.times`` (default 1, what every duty meant so far)
is how many patrols each N working days must hold.

Revision ID: 0024
Revises: 0023
"""

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("patrol_duties") as batch:
        batch.add_column(sa.Column("times", sa.Integer(), nullable=False, server_default=sa.text("1")))


def downgrade() -> None:
    with op.batch_alter_table("patrol_duties") as batch:
        batch.drop_column("times")
