"""the audit chain's head follows each appended event inside the database

The application used to move ``audit_head`` with its own UPDATE after every INSERT: one more statement on
every step, and a head that only stayed right as long as every writer remembered to move it. A trigger
makes the head follow the tail by construction.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE FUNCTION audit_events_move_head() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                UPDATE audit_head SET last_id = NEW.id, last_hash = NEW.hash WHERE id = 1;
                RETURN NULL;
            END $$;
            """
        )
        op.execute(
            "CREATE TRIGGER audit_events_move_head AFTER INSERT ON audit_events "
            "FOR EACH ROW EXECUTE FUNCTION audit_events_move_head()"
        )
    else:
        op.execute(
            "CREATE TRIGGER audit_events_move_head AFTER INSERT ON audit_events "
            "BEGIN UPDATE audit_head SET last_id = NEW.id, last_hash = NEW.hash WHERE id = 1; END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_events_move_head ON audit_events")
        op.execute("DROP FUNCTION audit_events_move_head()")
    else:
        op.execute("DROP TRIGGER audit_events_move_head")
