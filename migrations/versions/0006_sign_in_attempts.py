"""sign-in attempts, counted to throttle password guessing

Every staff sign-in whose password was checked appends one row; ``engine/signin_guard.py`` reads the latest
attempts of a username, or failures of a client address, to refuse either for a while. Both indexes lead
with the key and then ``at``, so each check is one index range read, newest first.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sign_in_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_attempts")),
    )
    with op.batch_alter_table("sign_in_attempts", schema=None) as batch_op:
        batch_op.create_index("ix_sign_in_attempts_username", ["username", "at", "id"], unique=False)
        batch_op.create_index("ix_sign_in_attempts_address", ["address", "succeeded", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sign_in_attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_sign_in_attempts_address")
        batch_op.drop_index("ix_sign_in_attempts_username")
    op.drop_table("sign_in_attempts")
