"""supervision reports and department scores (issue 15)

Reports (月报、季报、年报) are generated once per (kind, period, scope): ``uq_reports_once`` lets two supervisors
race to insert and one wins. Scores are stored once per (kind, period, department, weights version). The figures
read the alerts open at a moment by ``ix_alerts_closed_at`` (a period's completed cases by
``ix_cases_completed_at``, migration 0020).

Revision ID: 0021
Revises: 0020
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

JSONType = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
UTCDateTime = sa.DateTime
TABLES = ("reports", "report_submissions", "score_weights", "department_scores")
MESSAGE = "{table} is append-only: a change is a new row"


def upgrade() -> None:
    op.create_index("ix_alerts_closed_at", "alerts", ["closed_at"])
    op.create_table(
        "reports",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("period", sa.String(10), nullable=False),
        sa.Column("scope", sa.String(80), nullable=False),
        sa.Column("scope_name", sa.String(200), nullable=False),
        sa.Column("department_ids", JSONType, nullable=True),
        sa.Column("generated_at", UTCDateTime(), nullable=False),
        sa.Column("generated_by", sa.String(50), nullable=False),
        sa.Column("pdf_sha256", sa.String(64), nullable=False),
        sa.Column("pdf_size", sa.Integer(), nullable=False),
        sa.Column("xlsx_sha256", sa.String(64), nullable=False),
        sa.Column("xlsx_size", sa.Integer(), nullable=False),
        sa.Column("summary", JSONType, nullable=False),
        sa.UniqueConstraint("kind", "period", "scope", name="uq_reports_once"),
    )
    op.create_index("ix_reports_generated_at", "reports", ["generated_at"])
    op.create_table(
        "report_submissions",
        sa.Column("report_id", sa.Integer(), sa.ForeignKey("reports.id", name="fk_report_submissions_report_id_reports"),
                  primary_key=True),
        sa.Column("submitted_at", UTCDateTime(), nullable=False),
        sa.Column("submitted_by", sa.String(50), nullable=False),
    )
    op.create_table(
        "score_weights",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("weights", JSONType, nullable=False),
        sa.Column("note", sa.String(300), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(50), nullable=False),
        sa.UniqueConstraint("version", name="uq_score_weights_version"),
    )
    op.create_table(
        "department_scores",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("period", sa.String(10), nullable=False),
        sa.Column("department_id", sa.Integer(),
                  sa.ForeignKey("departments.id", name="fk_department_scores_department_id_departments"),
                  nullable=False),
        sa.Column("weights_version", sa.Integer(), nullable=False),
        sa.Column("weights", JSONType, nullable=False),
        sa.Column("inputs", JSONType, nullable=False),
        sa.Column("score_hundredths", sa.Integer(), nullable=False),
        sa.Column("computed_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("kind", "period", "department_id", "weights_version", name="uq_department_scores_once"),
    )
    op.create_index("ix_department_scores_department_id", "department_scores", ["department_id"])
    dialect = op.get_bind().dialect.name
    for table in TABLES:
        message = MESSAGE.format(table=table)
        if dialect == "postgresql":
            op.execute(f"""CREATE FUNCTION {table}_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
                           BEGIN RAISE EXCEPTION '{message}'; END $$;""")
            op.execute(f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
                       f"FOR EACH ROW EXECUTE FUNCTION {table}_refuse()")
        else:
            for verb in ("UPDATE", "DELETE"):
                op.execute(f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                           f"BEGIN SELECT RAISE(ABORT, '{message}'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in reversed(TABLES):
            op.execute(f"DROP TRIGGER {table}_no_change ON {table}")
            op.execute(f"DROP FUNCTION {table}_refuse()")
    op.drop_index("ix_department_scores_department_id", table_name="department_scores")
    op.drop_table("department_scores")
    op.drop_table("score_weights")
    op.drop_table("report_submissions")
    op.drop_index("ix_reports_generated_at", table_name="reports")
    op.drop_table("reports")
    op.drop_index("ix_alerts_closed_at", table_name="alerts")
