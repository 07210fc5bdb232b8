"""case-level limit alerts (T3), the paused case clock, and alert details (P4)

``cases.limit_alert_level`` records how far the supervisor has raised a running case's limit alerts (0 none,
1 past its promised limit, 2 past its legal limit), as ``open_tasks.alert_level`` does for steps.
``cases.clock_paused_at`` is set while a step that stops the legal clock (补正, 听证 …) is open; the case's
deadlines move on by the paused working days when it closes. The two partial indexes lead with the alert
level and the deadline and hold running cases whose clock runs, so a tick reads only the cases whose limit
has just passed, however many are open, paused or finished.

``alerts.details`` keeps the values a rule's message names beyond the step and the deadline (for P4 the
amount, the circumstance and the published range), so the message can be shown in any language.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_RUNNING = sa.text("status = 'running' AND clock_paused_at IS NULL")


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("limit_alert_level", sa.SmallInteger(), nullable=False,
                                      server_default=sa.text("0")))
        batch_op.add_column(sa.Column("clock_paused_at", sa.DateTime(), nullable=True))
    op.create_index("ix_cases_running_promised", "cases", ["limit_alert_level", "promised_due_at"],
                    sqlite_where=_RUNNING, postgresql_where=_RUNNING)
    op.create_index("ix_cases_running_legal", "cases", ["limit_alert_level", "legal_due_at"],
                    sqlite_where=_RUNNING, postgresql_where=_RUNNING)
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("details", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                                      nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_column("details")
    op.drop_index("ix_cases_running_legal", table_name="cases")
    op.drop_index("ix_cases_running_promised", table_name="cases")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("clock_paused_at")
        batch_op.drop_column("limit_alert_level")
