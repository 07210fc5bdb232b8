from sqlalchemy import text


def test_migrated(db):
    with db.sessions() as s:
        assert s.execute(text("select count(*) from cases")).scalar() == 0


def test_migrations_build_the_schema_the_models_describe(db):
    """A model changed without a migration (or the reverse) would only show as a failure in production."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from engine.store import Base

    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": False})
        diffs = compare_metadata(context, Base.metadata)
    # Triggers and the audit head live outside the models; only tables, columns and indexes are compared.
    assert diffs == []
