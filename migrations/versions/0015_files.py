"""materials and evidence files (issue 14): ``attachments``, append-only like the audit log

Each row is one uploaded version of a material or of a step's evidence; the bytes live in the file storage
(``SUNSHINE_FILES_DIR``). The database refuses UPDATE and DELETE on the table: a correction is a new version.

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

MESSAGE = "attachments is append-only: a new upload is a new version"


def upgrade() -> None:
    op.create_table(
        "attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("slot", sa.String(length=250), nullable=False),
        sa.Column("material", sa.String(length=200), nullable=True),
        sa.Column("task_id", sa.String(length=36), nullable=True),
        sa.Column("bpmn_id", sa.String(length=100), nullable=True),
        sa.Column("step_name", sa.String(length=200), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("display_name", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("storage_key", sa.String(length=200), nullable=False),
        sa.Column("uploaded_by", sa.String(length=50), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name="fk_attachments_case_id_cases"),
        sa.PrimaryKeyConstraint("id", name="pk_attachments"),
        sa.UniqueConstraint("case_id", "slot", "version", name="uq_attachments_slot_version"),
    )
    op.create_index("ix_attachments_case_slot", "attachments", ["case_id", "slot"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""CREATE FUNCTION attachments_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
                       BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$;""")
        op.execute("CREATE TRIGGER attachments_no_change BEFORE UPDATE OR DELETE ON attachments "
                   "FOR EACH ROW EXECUTE FUNCTION attachments_refuse()")
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER attachments_no_{verb.lower()} BEFORE {verb} ON attachments "
                       f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER attachments_no_change ON attachments")
        op.execute("DROP FUNCTION attachments_refuse()")
    op.drop_index("ix_attachments_case_slot", table_name="attachments")
    op.drop_table("attachments")
