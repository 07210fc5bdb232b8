"""the step path without platform-wide rows: no schema change was needed

A new case takes its serial number last (the ``counters`` row, one per department and day, as before) and a step's
lock statement reads its audit stream's tip (the function ``audit_stream_tip`` of migration 0008): both are code
changes in ``engine/runtime``. The revision stays so the chain keeps its numbers (0012 → 0013 → 0014).

Revision ID: 0013
Revises: 0012
"""

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
