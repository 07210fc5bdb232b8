"""inbox and case-list search (issue 14): the search box's indexes and the 被退回 / 已暂停 filters

The search box of 我的待办 and 办件 (engine/case_search.py) reads one index range per term: the beginning of a serial
or an applicant's name (``varchar_pattern_ops`` on PostgreSQL, so that ``LIKE 'x%'`` is served in any collation; a
range of a plain index on SQLite), an exact ID number. The case list's date range reads ``ix_cases_created_at``;
已暂停 reads the partial ``ix_cases_paused`` (few cases are paused at once), and the inbox's 被退回 the partial
``ix_open_tasks_returned`` (few steps are returned).

Revision ID: 0018
Revises: 0017
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

_PAUSED = sa.text("clock_paused_at IS NOT NULL")
_RETURNED = sa.text("returned_reason IS NOT NULL")


def upgrade() -> None:
    op.create_index("ix_cases_serial_pattern", "cases", ["serial"],
                    postgresql_ops={"serial": "varchar_pattern_ops"})
    op.create_index("ix_cases_applicant_name", "cases", ["applicant_name"],
                    postgresql_ops={"applicant_name": "varchar_pattern_ops"})
    op.create_index("ix_cases_applicant_id_number", "cases", ["applicant_id_number"])
    op.create_index("ix_cases_created_at", "cases", ["created_at", "id"])
    op.create_index("ix_cases_paused", "cases", ["department_id", "id"], sqlite_where=_PAUSED, postgresql_where=_PAUSED)
    op.create_index("ix_open_tasks_returned", "open_tasks", ["assignee_id", "post_id", "due_at", "created_at", "id"],
                    sqlite_where=_RETURNED, postgresql_where=_RETURNED)


def downgrade() -> None:
    op.drop_index("ix_open_tasks_returned", table_name="open_tasks")
    for name in ("ix_cases_paused", "ix_cases_created_at", "ix_cases_applicant_id_number", "ix_cases_applicant_name",
                 "ix_cases_serial_pattern"):
        op.drop_index(name, table_name="cases")
