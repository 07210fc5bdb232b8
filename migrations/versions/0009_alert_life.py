"""alerts that end, applicant-time timers, case-level yellow

``alerts.status`` is ``open`` until the alert is closed; ``closed_at``, ``closed_how`` (``in_time``: what it
warned about finished before its limit; ``escalated``: the red alert on the same limit took over) and
``closed_by`` say when, how and by whom. Nothing is deleted; each closing is an ``alert.closed`` audit event.
电子监察 lists open alerts newest first, by ``ix_alerts_status_raised``. Existing alerts stay open.

``cases.promised_warn_at`` is when a running case's yellow warning before its promised limit falls due; it is
cleared once the warning is raised. Like the two T3 indexes of 0007, ``ix_cases_running_warn`` leads with the
limit alert level and holds running cases whose clock runs, so a tick reads only the warnings just due. Cases
started before this migration have none (their moment needs the working-day calendar, which SQL has not).

A step whose deadline is the applicant's or a third party's gets ``open_tasks.alert_level`` -1, which no index
read seeks; the column needs no change.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_RUNNING = sa.text("status = 'running' AND clock_paused_at IS NULL")


def upgrade() -> None:
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status", sa.String(length=20), nullable=False,
                                      server_default=sa.text("'open'")))
        batch_op.add_column(sa.Column("closed_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("closed_how", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("closed_by", sa.String(length=50), nullable=True))
    op.create_index("ix_alerts_status_raised", "alerts", ["status", "raised_at"])
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("promised_warn_at", sa.DateTime(), nullable=True))
    op.create_index("ix_cases_running_warn", "cases", ["limit_alert_level", "promised_warn_at"],
                    sqlite_where=_RUNNING, postgresql_where=_RUNNING)


def downgrade() -> None:
    op.drop_index("ix_cases_running_warn", table_name="cases")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("promised_warn_at")
    op.drop_index("ix_alerts_status_raised", table_name="alerts")
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_column("closed_by")
        batch_op.drop_column("closed_how")
        batch_op.drop_column("closed_at")
        batch_op.drop_column("status")
