"""legal documents (issue 14): templates (versioned), issued documents (append-only), department number prefixes

``document_templates`` holds every saved version of each kind's template (version 1 of every kind is written here
from ``engine/documents/defaults.py``); ``documents`` every issued document with its number, text and the SHA-256 of its PDF (whose bytes are in the
file storage under that key).
The database refuses UPDATE and DELETE on both: a new template text is a new version, a correction a new document
citing the old one. ``departments.document_prefix`` is the prefix of a department's document numbers (示范市监管).

Revision ID: 0016
Revises: 0015
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

TABLES = ("document_templates", "documents")
MESSAGE = "{table} is append-only: a change is a new row"

#: The templates as they stood when this migration was written are read from the engine: a later change of the
#: defaults affects new installations only, since existing ones already hold their version 1.
TITLES = {"acceptance": "受理通知书", "supplement": "补正材料通知书", "non_acceptance": "不予受理通知书",
          "licence_grant": "准予行政许可决定书", "licence_refusal": "不予行政许可决定书",
          "penalty_notice": "行政处罚告知书", "penalty_decision": "行政处罚决定书", "delivery_receipt": "送达回证"}


def upgrade() -> None:
    with op.batch_alter_table("departments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("document_prefix", sa.String(length=40), nullable=True))
    templates = op.create_table(
        "document_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=50), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_document_templates"),
        sa.UniqueConstraint("kind", "version", name="uq_document_templates_kind"),
    )
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("number", sa.String(length=120), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("values", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("issued_by", sa.String(length=50), nullable=False),
        sa.Column("task_id", sa.String(length=40), nullable=True),
        sa.Column("step_name", sa.String(length=200), nullable=True),
        sa.Column("replaces_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name="fk_documents_case_id_cases"),
        sa.ForeignKeyConstraint(["department_id"], ["departments.id"], name="fk_documents_department_id_departments"),
        sa.ForeignKeyConstraint(["template_id"], ["document_templates.id"],
                                name="fk_documents_template_id_document_templates"),
        sa.ForeignKeyConstraint(["replaces_id"], ["documents.id"], name="fk_documents_replaces_id_documents"),
        sa.PrimaryKeyConstraint("id", name="pk_documents"),
        sa.UniqueConstraint("number", name="uq_documents_number"),
    )
    op.create_index("ix_documents_case_kind", "documents", ["case_id", "kind"])
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
    from engine.documents.defaults import DEFAULTS

    now = datetime.now(UTC).replace(tzinfo=None)
    op.bulk_insert(templates, [{"kind": kind, "version": 1, "title": TITLES[kind], "body": DEFAULTS[kind],
                                "note": "初始模板", "created_at": now, "created_by": "system"}
                               for kind in TITLES])


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table in reversed(TABLES):
        if dialect == "postgresql":
            op.execute(f"DROP TRIGGER {table}_no_change ON {table}")
            op.execute(f"DROP FUNCTION {table}_refuse()")
    op.drop_index("ix_documents_case_kind", table_name="documents")
    op.drop_table("documents")
    op.drop_table("document_templates")
    with op.batch_alter_table("departments", schema=None) as batch_op:
        batch_op.drop_column("document_prefix")
