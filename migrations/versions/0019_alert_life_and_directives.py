"""the life of an alert (说明、整改、销号、问责) and 督办 (issue 15)

``alerts.stage`` (the alert's life between raised and closed; ``status`` keeps open/closed) and ``life_case_id`` (the
platform case that runs it), with the partial index of open red alerts whose life has not begun; ``alert_steps``
(each move, timed in working days); ``directives`` (督办) with the partial index of those whose next alert is due.

Revision ID: 0019
Revises: 0018
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

_AWAITING_LIFE = sa.text("level = 'red' AND status = 'open' AND stage IS NULL")
_DIRECTIVE_ALERT_DUE = sa.text("state = 'open' AND next_alert_at IS NOT NULL")


def upgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(sa.Column("stage", sa.String(20), nullable=True))
        batch.add_column(sa.Column("life_case_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_alerts_life_case_id_cases", "cases", ["life_case_id"], ["id"])
    op.create_index("ix_alerts_life_case_id", "alerts", ["life_case_id"])
    op.create_index("ix_alerts_awaiting_life", "alerts", ["raised_at"], sqlite_where=_AWAITING_LIFE,
                    postgresql_where=_AWAITING_LIFE)
    op.create_table(
        "alert_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("move", sa.String(20), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(50), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("workdays", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["alert_id"], ["alerts.id"], name=op.f("fk_alert_steps_alert_id_alerts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_steps")),
    )
    op.create_index("ix_alert_steps_alert_id", "alert_steps", ["alert_id"])
    op.create_table(
        "directives",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(20), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("own_case_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("requirement", sa.Text(), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("issued_by", sa.String(50), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("alert_level", sa.Integer(), nullable=False),
        sa.Column("next_alert_at", sa.DateTime(), nullable=True),
        sa.Column("extension_days", sa.Integer(), nullable=True),
        sa.Column("extension_reason", sa.Text(), nullable=True),
        sa.Column("extension_asked_at", sa.DateTime(), nullable=True),
        sa.Column("extension_asked_by", sa.String(50), nullable=True),
        sa.Column("extension_state", sa.String(20), nullable=True),
        sa.Column("extension_decided_at", sa.DateTime(), nullable=True),
        sa.Column("extension_decided_by", sa.String(50), nullable=True),
        sa.Column("reported_at", sa.DateTime(), nullable=True),
        sa.Column("reported_by", sa.String(50), nullable=True),
        sa.Column("report", sa.Text(), nullable=True),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["alert_id"], ["alerts.id"], name=op.f("fk_directives_alert_id_alerts")),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_directives_case_id_cases")),
        sa.ForeignKeyConstraint(["department_id"], ["departments.id"], name=op.f("fk_directives_department_id_departments")),
        sa.ForeignKeyConstraint(["own_case_id"], ["cases.id"], name=op.f("fk_directives_own_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directives")),
    )
    op.create_index("ix_directives_alert_id", "directives", ["alert_id"])
    op.create_index("ix_directives_case_id", "directives", ["case_id"])
    op.create_index("ix_directives_department_id", "directives", ["department_id"])
    op.create_index("ix_directives_issued", "directives", ["issued_at", "id"])
    op.create_index("ix_directives_alert_due", "directives", ["next_alert_at"], sqlite_where=_DIRECTIVE_ALERT_DUE,
                    postgresql_where=_DIRECTIVE_ALERT_DUE)


def downgrade() -> None:
    op.drop_table("directives")
    op.drop_table("alert_steps")
    op.drop_index("ix_alerts_awaiting_life", table_name="alerts")
    op.drop_index("ix_alerts_life_case_id", table_name="alerts")
    with op.batch_alter_table("alerts") as batch:
        batch.drop_constraint("fk_alerts_life_case_id_cases", type_="foreignkey")
        batch.drop_column("life_case_id")
        batch.drop_column("stage")
