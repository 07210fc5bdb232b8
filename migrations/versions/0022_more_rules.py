"""supervision rules P2, P5, P6, P8, D2 (issue 15): rule P6 counts one person's steps of one night by index

Revision ID: 0022
Revises: 0021
"""

from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_step_records_actor_completed", "step_records", ["actor", "completed_at"])


def downgrade() -> None:
    op.drop_index("ix_step_records_actor_completed", table_name="step_records")
