"""PostgreSQL compresses the workflow JSON with lz4 instead of pglz

The case row's workflow JSON (10–12 KB) is rewritten on every step and PostgreSQL compresses it into TOAST
each time; lz4 does that in about a third less time per UPDATE (bench/README.md). Servers built without
lz4 (or older than 14) keep pglz, with a notice. SQLite stores the text as is.

Revision ID: 0005
Revises: 0004
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _set_compression(method: str) -> None:
    op.execute(
        f"""
        DO $$ BEGIN
            ALTER TABLE cases ALTER COLUMN workflow_json SET COMPRESSION {method};
        EXCEPTION WHEN OTHERS THEN
            RAISE NOTICE 'cases.workflow_json keeps its compression: %', SQLERRM;
        END $$;
        """
    )


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _set_compression("lz4")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _set_compression("pglz")
