"""case operations: claims, returns, pauses, drafts, comments (issue 14)

``open_tasks.returned_reason`` marks a step reopened by a return (退回); ``cases.suspended_at`` a case paused by staff
(暂停) until it resumes; ``case_suspensions`` keeps each pause with its ground and what it took off the clock;
``case_links`` the cases merged into another (并案); ``step_drafts`` forms saved unchecked (暂存); ``case_comments``
the handlers' comments.

Revision ID: 0017
Revises: 0016
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
_RUNNING = sa.text("resumed_at IS NULL")


def upgrade() -> None:
    op.add_column("open_tasks", sa.Column("returned_reason", sa.Text(), nullable=True))
    op.add_column("cases", sa.Column("suspended_at", sa.DateTime(), nullable=True))
    op.create_table(
        "case_suspensions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("ground", sa.String(length=30), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("started_by", sa.String(length=50), nullable=False),
        sa.Column("alert_at", sa.DateTime(), nullable=True),
        sa.Column("frozen", _JSON, nullable=False),
        sa.Column("resumed_at", sa.DateTime(), nullable=True),
        sa.Column("resumed_by", sa.String(length=50), nullable=True),
        sa.Column("workdays", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_case_suspensions_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_suspensions")),
    )
    op.create_index("ix_case_suspensions_case_id", "case_suspensions", ["case_id"])
    op.create_index("ix_case_suspensions_running_alert", "case_suspensions", ["alert_at"],
                    sqlite_where=_RUNNING, postgresql_where=_RUNNING)
    op.create_table(
        "case_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("into_case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=50), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_case_links_case_id_cases")),
        sa.ForeignKeyConstraint(["into_case_id"], ["cases.id"], name=op.f("fk_case_links_into_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_links")),
    )
    op.create_index("ix_case_links_case_id", "case_links", ["case_id"])
    op.create_index("ix_case_links_into_case_id", "case_links", ["into_case_id"])
    op.create_table(
        "step_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("data", _JSON, nullable=False),
        sa.Column("saved_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_step_drafts_case_id_cases")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_step_drafts_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_step_drafts")),
    )
    op.create_index("ix_step_drafts_task_user", "step_drafts", ["task_id", "user_id", "id"])
    op.create_table(
        "case_comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=50), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_case_comments_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_comments")),
    )
    op.create_index("ix_case_comments_case_id", "case_comments", ["case_id"])


def downgrade() -> None:
    op.drop_table("case_comments")
    op.drop_table("step_drafts")
    op.drop_table("case_links")
    op.drop_table("case_suspensions")
    op.drop_column("cases", "suspended_at")
    op.drop_column("open_tasks", "returned_reason")
