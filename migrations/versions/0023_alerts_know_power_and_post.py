"""alerts know their power and post: the dashboard counts open alerts from one index

An alert keeps its case's power and, for a step alert, the step's post, as it is raised; the dashboard's counts of
open alerts by department, power and post then read the partial index ``ix_alerts_open_tally`` alone, without a
join to a million cases. Existing alerts are filled in from their case and, where the step is still open, its post.

Revision ID: 0023
Revises: 0022
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

_OPEN = sa.text("status = 'open'")


def upgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(sa.Column("power_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("post_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_alerts_power_id_powers", "powers", ["power_id"], ["id"])
        batch.create_foreign_key("fk_alerts_post_id_posts", "posts", ["post_id"], ["id"])
    op.execute("UPDATE alerts SET power_id = (SELECT cases.power_id FROM cases WHERE cases.id = alerts.case_id)")
    op.execute("UPDATE alerts SET post_id = "
               "(SELECT open_tasks.post_id FROM open_tasks WHERE open_tasks.id = alerts.subject)")
    op.create_index("ix_alerts_open_tally", "alerts", ["department_id", "power_id", "post_id", "level"],
                    sqlite_where=_OPEN, postgresql_where=_OPEN)


def downgrade() -> None:
    op.drop_index("ix_alerts_open_tally", table_name="alerts")
    with op.batch_alter_table("alerts") as batch:
        batch.drop_constraint("fk_alerts_post_id_posts", type_="foreignkey")
        batch.drop_constraint("fk_alerts_power_id_powers", type_="foreignkey")
        batch.drop_column("post_id")
        batch.drop_column("power_id")
