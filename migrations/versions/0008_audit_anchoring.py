"""audit chain anchored outside the database: keyed hashes, one chain per case, checkpoints

* ``audit_head`` and the trigger that moved it go: every step of every case used to lock that one row. Events now
  link to the previous event of their own stream (their case, or the system's), see ``engine/audit``.
* ``audit_events.key_id`` names the key of an event's HMAC; the events already stored keep NULL there, and
  ``sunshine audit verify`` checks them the old way (plain SHA-256, one global chain). They are not rewritten:
  the table is append-only. The first checkpoint anchors them.
* ``audit_events.xact`` (PostgreSQL) is the writing transaction's id, filled by the column default, so the
  checkpointer can tell which events are committed for good. Existing rows keep NULL: a volatile default given
  with ADD COLUMN would rewrite the table.
* ``audit_checkpoints``: append-only like the events.
* ``audit_stream_tip(stream)`` (PostgreSQL): takes the stream's advisory lock, then reads its tip. A VOLATILE
  function's queries take a snapshot of their own, so the read sees whatever the lock's previous holder committed:
  one statement per transaction and stream instead of a lock and a read.

The columns are added with plain ALTER TABLE (not a batch copy, which on SQLite would rebuild the table and drop
its append-only triggers).

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

MESSAGE = "audit_checkpoints is append-only: corrections are new events"
#: ``engine.audit.chain.LOCK_SPACE``: the advisory lock namespace of audit streams.
LOCK_SPACE = 0x41554454
_HAS_XACT = sa.text("xact IS NOT NULL")
GENESIS = "0" * 64


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    pg = _postgresql()
    if pg:
        op.execute("DROP TRIGGER audit_events_move_head ON audit_events")
        op.execute("DROP FUNCTION audit_events_move_head()")
    else:
        op.execute("DROP TRIGGER audit_events_move_head")
    op.drop_table("audit_head")

    op.add_column("audit_events", sa.Column("key_id", sa.String(length=32), nullable=True))
    op.add_column("audit_events", sa.Column("xact", sa.BigInteger(), nullable=True))
    if pg:
        op.execute("ALTER TABLE audit_events ALTER COLUMN xact SET DEFAULT (pg_current_xact_id()::text::bigint)")
        op.execute(
            f"""
            CREATE FUNCTION audit_stream_tip(stream integer) RETURNS varchar LANGUAGE plpgsql VOLATILE AS $$
            BEGIN
                PERFORM pg_advisory_xact_lock({LOCK_SPACE}, stream);
                IF stream = 0 THEN
                    RETURN (SELECT hash FROM audit_events WHERE case_id IS NULL AND key_id IS NOT NULL
                            ORDER BY id DESC LIMIT 1);
                END IF;
                RETURN (SELECT hash FROM audit_events WHERE case_id = stream AND key_id IS NOT NULL
                        ORDER BY id DESC LIMIT 1);
            END $$;
            """
        )
    op.drop_index("ix_audit_events_case_id", table_name="audit_events")
    op.create_index("ix_audit_events_stream", "audit_events", ["case_id", "id"])
    op.create_index("ix_audit_events_xact", "audit_events", ["xact", "id"], postgresql_where=_HAS_XACT,
                    sqlite_where=_HAS_XACT)

    op.create_table(
        "audit_checkpoints",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("upto", sa.BigInteger(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("prev_mac", sa.String(length=64), nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("mac", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_checkpoints")),
    )
    if pg:
        op.execute(
            f"""
            CREATE FUNCTION audit_checkpoints_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$;
            """
        )
        op.execute("CREATE TRIGGER audit_checkpoints_no_change BEFORE UPDATE OR DELETE ON audit_checkpoints "
                    "FOR EACH ROW EXECUTE FUNCTION audit_checkpoints_refuse()")
        op.execute("CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints "
                    "FOR EACH STATEMENT EXECUTE FUNCTION audit_checkpoints_refuse()")
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER audit_checkpoints_no_{verb.lower()} BEFORE {verb} ON audit_checkpoints "
                       f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END")


def downgrade() -> None:
    """Back to one global chain with a head row. Events written since the upgrade stay as they are: the old
    ``verify`` reports the first of them as a broken link, which is the truth under the old scheme."""
    pg = _postgresql()
    if pg:
        op.execute("DROP TRIGGER audit_checkpoints_no_truncate ON audit_checkpoints")
        op.execute("DROP TRIGGER audit_checkpoints_no_change ON audit_checkpoints")
        op.execute("DROP FUNCTION audit_checkpoints_refuse()")
    else:
        op.execute("DROP TRIGGER audit_checkpoints_no_update")
        op.execute("DROP TRIGGER audit_checkpoints_no_delete")
    op.drop_table("audit_checkpoints")

    if pg:
        op.execute("DROP FUNCTION audit_stream_tip(integer)")
    op.drop_index("ix_audit_events_xact", table_name="audit_events")
    op.drop_index("ix_audit_events_stream", table_name="audit_events")
    op.create_index("ix_audit_events_case_id", "audit_events", ["case_id"])
    op.execute("ALTER TABLE audit_events DROP COLUMN xact")
    op.execute("ALTER TABLE audit_events DROP COLUMN key_id")

    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    op.execute(f"INSERT INTO audit_head (id, last_id, last_hash) SELECT 1, coalesce(max(id), 0), "
               f"coalesce((SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1), '{GENESIS}') FROM audit_events")
    if pg:
        op.execute(
            """
            CREATE FUNCTION audit_events_move_head() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                UPDATE audit_head SET last_id = NEW.id, last_hash = NEW.hash WHERE id = 1;
                RETURN NULL;
            END $$;
            """
        )
        op.execute("CREATE TRIGGER audit_events_move_head AFTER INSERT ON audit_events "
                    "FOR EACH ROW EXECUTE FUNCTION audit_events_move_head()")
    else:
        op.execute("CREATE TRIGGER audit_events_move_head AFTER INSERT ON audit_events "
                   "BEGIN UPDATE audit_head SET last_id = NEW.id, last_hash = NEW.hash WHERE id = 1; END")
