"""supervision by level: supervisors' scopes, patrols (巡查) and their duty, missed patrols; the dashboard's index

``supervision_scopes`` puts a supervisor at a region (and the regions below) or in one department's supervision
office; ``patrols`` records each patrol, ``patrol_duties`` each region's patrol frequency, ``patrol_lapses`` each
missed one (rule W1). ``ix_cases_completed_at`` lets the dashboard read a period's completed cases alone.

Revision ID: 0020
Revises: 0019
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
_COMPLETED = sa.text("completed_at IS NOT NULL")


def upgrade() -> None:
    op.create_table(
        "supervision_scopes",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("assigned_at", sa.DateTime(), nullable=False),
        sa.Column("assigned_by", sa.String(length=50), nullable=False),
        sa.CheckConstraint("(region_id IS NULL) <> (department_id IS NULL)",
                           name=op.f("ck_supervision_scopes_one_scope")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_supervision_scopes_user_id_users")),
        sa.ForeignKeyConstraint(["region_id"], ["regions.id"], name=op.f("fk_supervision_scopes_region_id_regions")),
        sa.ForeignKeyConstraint(["department_id"], ["departments.id"],
                                name=op.f("fk_supervision_scopes_department_id_departments")),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_supervision_scopes")),
    )
    op.create_table(
        "patrols",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("supervisor", sa.String(length=50), nullable=False),
        sa.Column("patrolled_at", sa.DateTime(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("looked_at", _JSON, nullable=False),
        sa.Column("findings", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["region_id"], ["regions.id"], name=op.f("fk_patrols_region_id_regions")),
        sa.ForeignKeyConstraint(["department_id"], ["departments.id"],
                                name=op.f("fk_patrols_department_id_departments")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patrols")),
    )
    op.create_index("ix_patrols_region_at", "patrols", ["region_id", "patrolled_at"])
    op.create_table(
        "patrol_duties",
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("every_workdays", sa.Integer(), nullable=False),
        sa.Column("since", sa.DateTime(), nullable=False),
        sa.Column("set_by", sa.String(length=50), nullable=False),
        sa.ForeignKeyConstraint(["region_id"], ["regions.id"], name=op.f("fk_patrol_duties_region_id_regions")),
        sa.PrimaryKeyConstraint("region_id", name=op.f("pk_patrol_duties")),
    )
    op.create_table(
        "patrol_lapses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("raised_at", sa.DateTime(), nullable=False),
        sa.Column("last_patrol_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["region_id"], ["regions.id"], name=op.f("fk_patrol_lapses_region_id_regions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patrol_lapses")),
        sa.UniqueConstraint("region_id", "due_at", name="uq_patrol_lapses_once"),
    )
    op.create_index("ix_patrol_lapses_region_id", "patrol_lapses", ["region_id"])
    op.create_index("ix_cases_completed_at", "cases", ["completed_at", "department_id"],
                    sqlite_where=_COMPLETED, postgresql_where=_COMPLETED)


def downgrade() -> None:
    op.drop_index("ix_cases_completed_at", table_name="cases")
    op.drop_index("ix_patrol_lapses_region_id", table_name="patrol_lapses")
    op.drop_table("patrol_lapses")
    op.drop_table("patrol_duties")
    op.drop_index("ix_patrols_region_at", table_name="patrols")
    op.drop_table("patrols")
    op.drop_table("supervision_scopes")
