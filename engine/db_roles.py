"""PostgreSQL roles: the platform runs as a role that can append to the audit log but never change it.

Only a table's owner (or a superuser) may disable its triggers, drop them or alter the table; the triggers are
what refuse UPDATE, DELETE and TRUNCATE on the audit tables. So the schema belongs to an owner role that runs the
migrations (``SUNSHINE_MIGRATION_DATABASE_URL``), and the web and the supervisors connect as an application role
granted here: everything they need on every table and sequence, and only SELECT and INSERT on the audit tables.
SQLite has no roles: there the database file's permissions and the external checkpoints protect the log.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, String, text

#: Tables the platform may read and append to, never change.
APPEND_ONLY = ("audit_events", "audit_checkpoints")
#: Tables the platform only reads.
READ_ONLY = ("alembic_version",)
_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


class RoleError(ValueError):
    """A role that cannot be granted, in Chinese and English."""


@dataclass(frozen=True)
class Granted:
    """What ``grant`` did."""

    role: str
    created: bool
    tables: int


def grant(engine: Engine, role: str, *, create: bool = False, password: str | None = None) -> Granted:
    """Give ``role`` what the platform needs in ``engine``'s database (connected as the schema's owner).

    Re-run it after every ``sunshine db upgrade``: new tables get no privileges by themselves.
    """
    if engine.dialect.name != "postgresql":
        raise RoleError("SQLite 没有数据库角色：请限制数据库文件的权限，并把审计检查点写到另一处存储 / "
                        "SQLite has no roles: restrict the database file's permissions and write the audit checkpoints "
                        "to other storage")
    if not _NAME.fullmatch(role):
        raise RoleError(f"角色名“{role}”无效：只能用小写字母、数字和下划线，且不以数字开头 / "
                        f"invalid role name {role!r}: lower-case letters, digits and underscores, "
                        f"not starting with a digit")
    with engine.begin() as conn:
        quoted = conn.dialect.identifier_preparer.quote(role)
        found = conn.execute(text("SELECT rolsuper FROM pg_roles WHERE rolname = :role"), {"role": role}).first()
        if found is None and not create:
            raise RoleError(f"角色 {role} 不存在；加 --create 以新建 / "
                            f"role {role} does not exist; add --create to make it")
        if found is None:
            conn.execute(text(f"CREATE ROLE {quoted} LOGIN" + _password(conn, password)))
        else:
            _refuse_powerful(conn, role, bool(found.rolsuper))
            if password:
                conn.execute(text(f"ALTER ROLE {quoted}" + _password(conn, password)))
        schema = conn.execute(text("SELECT current_schema()")).scalar_one()
        database = conn.execute(text("SELECT current_database()")).scalar_one()
        prepare = conn.dialect.identifier_preparer
        conn.execute(text(f"GRANT CONNECT ON DATABASE {prepare.quote(database)} TO {quoted}"))
        conn.execute(text(f"GRANT USAGE ON SCHEMA {prepare.quote(schema)} TO {quoted}"))
        tables = conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = :schema ORDER BY tablename"),
                              {"schema": schema}).scalars().all()
        for table in tables:
            name = f"{prepare.quote(schema)}.{prepare.quote(table)}"
            # Revoked first, so that running it again also takes back what an earlier grant (or a person) gave.
            conn.execute(text(f"REVOKE ALL ON {name} FROM {quoted}"))
            rights = ("SELECT, INSERT" if table in APPEND_ONLY else "SELECT" if table in READ_ONLY
                      else "SELECT, INSERT, UPDATE, DELETE")
            conn.execute(text(f"GRANT {rights} ON {name} TO {quoted}"))
        conn.execute(text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {prepare.quote(schema)} TO {quoted}"))
    return Granted(role, found is None, len(tables))


def _refuse_powerful(conn: Connection, role: str, superuser: bool) -> None:
    """A superuser, an owner of the tables or a member of their owner could disable the triggers itself."""
    if superuser:
        raise RoleError(f"角色 {role} 是超级用户，可以停用触发器：平台应以普通角色连接 / "
                        f"role {role} is a superuser and can disable triggers: the platform must connect as an "
                        f"ordinary role")
    owners = conn.execute(text("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = current_schema() "
                               "AND tablename = ANY(:tables)"), {"tables": list(APPEND_ONLY)}).scalars().all()
    for owner in owners:
        if conn.execute(text("SELECT pg_has_role(:role, :owner, 'USAGE')"), {"role": role, "owner": owner}).scalar():
            raise RoleError(f"角色 {role} 拥有（或继承）审计表的所有权，可以停用触发器：迁移应以另一个所有者角色运行 / "
                            f"role {role} owns the audit tables (or inherits their owner {owner}) and can disable "
                            f"their triggers: "
                            f"run migrations as another, owning role")


def _password(conn: Connection, password: str | None) -> str:
    if not password:
        return ""
    quote = String().literal_processor(dialect=conn.dialect)
    assert quote is not None
    return f" PASSWORD {quote(password)}"
