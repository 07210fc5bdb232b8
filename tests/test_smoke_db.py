from sqlalchemy import text


def test_migrated(db):
    with db.sessions() as s:
        assert s.execute(text("select count(*) from cases")).scalar() == 0
