"""inbox at scale: the inbox's queues as indexes in inbox order

The inbox (engine/inbox.py) merges queues, each one index range read in order and only as far as a page needs:
``ix_open_tasks_post_queue`` holds a post's unclaimed steps (partial: ``assignee_id IS NULL``) and
``ix_open_tasks_assignee_queue`` each user's own (partial: ``assignee_id IS NOT NULL``), both by (deadline,
arrival, id), the inbox order; counts read the same indexes up to a cap. Being partial, neither can be taken for
the other (SQLite, which has no statistics, otherwise reads all unclaimed steps through an index on
``assignee_id``). The assignee queue ends with ``post_id``, so that a user's own steps in one post are found and
counted from the index alone, and serves every ``assignee_id = …`` read, so it replaces the single-column
``ix_open_tasks_assignee_id``.

On PostgreSQL the indexes are built inside the migration's transaction, which holds writes to ``open_tasks``
while they are built (a few seconds for a million open steps).

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_UNCLAIMED = sa.text("assignee_id IS NULL")
_ASSIGNED = sa.text("assignee_id IS NOT NULL")


def upgrade() -> None:
    op.create_index("ix_open_tasks_post_queue", "open_tasks", ["post_id", "due_at", "created_at", "id"],
                    sqlite_where=_UNCLAIMED, postgresql_where=_UNCLAIMED)
    op.create_index("ix_open_tasks_assignee_queue", "open_tasks",
                    ["assignee_id", "due_at", "created_at", "id", "post_id"],
                    sqlite_where=_ASSIGNED, postgresql_where=_ASSIGNED)
    op.drop_index("ix_open_tasks_assignee_id", table_name="open_tasks")


def downgrade() -> None:
    op.create_index("ix_open_tasks_assignee_id", "open_tasks", ["assignee_id"])
    op.drop_index("ix_open_tasks_assignee_queue", table_name="open_tasks")
    op.drop_index("ix_open_tasks_post_queue", table_name="open_tasks")
