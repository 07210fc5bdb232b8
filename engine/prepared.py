"""Hot-path statements: compiled once per dialect by SQLAlchemy, run straight on the DBAPI connection.

``Connection.execute`` spends 40–70 µs of Python per statement (cache key, parameter processing, result
set-up), several times what SQLite itself needs, and a case step runs about ten statements. The statements
a step runs never change, so each is compiled once per dialect; a run then only applies the column types'
own bind and result processors (the same functions SQLAlchemy would call) and hands the SQL to the driver,
inside the caller's transaction.

On PostgreSQL, ``Batch`` sends a step's writes in one pipeline: one round trip instead of one per statement.
"""

from __future__ import annotations

import threading
from collections import namedtuple
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

Params = Mapping[str, Any]
_Processor = Callable[[Any], Any]


@dataclass
class _Compiled:
    """One statement's SQL for one dialect and parameter set, with what a run needs to prepare values."""

    sql: str
    #: Parameter names in placeholder order (``?`` dialects), or None when the driver takes a mapping.
    order: tuple[str, ...] | None
    #: Rendered parameter name -> the name the caller uses (they differ only for escaped names).
    names: dict[str, str]
    defaults: dict[str, Any]
    binds: dict[str, _Processor]
    row: type | None
    #: The result columns' types; their processors are made at the first fetch, from the driver's type codes.
    types: tuple[Any, ...]
    dialect: Dialect
    results: tuple[_Processor | None, ...] | None = None

    def parameters(self, params: Params) -> Any:
        values = dict(self.defaults)
        for rendered, given in self.names.items():
            if given in params:
                value = params[given]
                process = self.binds.get(rendered)
                values[rendered] = value if process is None or value is None else process(value)
        if self.order is None:
            return values
        return tuple(values[name] for name in self.order)

    def make_row(self, cursor: Any, raw: Sequence[Any]) -> Any:
        assert self.row is not None
        results = self.results
        if results is None:
            results = self.results = tuple(
                type_.dialect_impl(self.dialect).result_processor(self.dialect, described[1])
                for type_, described in zip(self.types, cursor.description, strict=True))
        return self.row(*(v if p is None or v is None else p(v) for p, v in zip(results, raw, strict=True)))


class Prepared:
    """A Core statement compiled once per (dialect, parameter names) and run on the DBAPI cursor.

    Supports what the hot path uses: plain and ``RETURNING`` inserts, updates, deletes and selects with
    scalar bound parameters. Expanding ``IN`` parameters and Python-callable column defaults are refused
    when the statement is first compiled, since running them needs SQLAlchemy's execution context.
    """

    def __init__(self, statement: ClauseElement) -> None:
        self.statement = statement
        self._compiled: dict[tuple[str, frozenset[str]], _Compiled] = {}
        self._lock = threading.Lock()

    # ---- running ----

    def run(self, conn: Connection, params: Params | None = None) -> Any:
        """Execute once; returns the DBAPI cursor (for ``rowcount``)."""
        return self._cursor(conn, params or {})[1]

    def first(self, conn: Connection, params: Params | None = None) -> Any:
        """The first result row (a named tuple with the columns' Python values), or None."""
        compiled, cursor = self._cursor(conn, params or {})
        raw = cursor.fetchone()
        return None if raw is None else compiled.make_row(cursor, raw)

    def all(self, conn: Connection, params: Params | None = None) -> list[Any]:
        """Every result row."""
        compiled, cursor = self._cursor(conn, params or {})
        return [compiled.make_row(cursor, raw) for raw in cursor.fetchall()]

    def scalar(self, conn: Connection, params: Params | None = None) -> Any:
        """The first column of the first row, or None."""
        row = self.first(conn, params)
        return None if row is None else row[0]

    def send(self, cursor: Any, dialect: Dialect, params: Params | list[Params]) -> _Compiled:
        """Execute on ``cursor``: once for a mapping, once per row (``executemany``) for a list of them."""
        if isinstance(params, list):
            compiled = self._for(dialect, params[0])
            cursor.executemany(compiled.sql, [compiled.parameters(row) for row in params])
        else:
            compiled = self._for(dialect, params)
            cursor.execute(compiled.sql, compiled.parameters(params))
        return compiled

    def _cursor(self, conn: Connection, params: Params) -> tuple[_Compiled, Any]:
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        return self.send(cursor, conn.dialect, params), cursor

    # ---- compiling ----

    def _for(self, dialect: Dialect, params: Params) -> _Compiled:
        key = (dialect.name, frozenset(params))
        found = self._compiled.get(key)
        if found is None:
            found = _compile(self.statement, dialect, list(params))
            with self._lock:
                self._compiled[key] = found
        return found


def _compile(statement: ClauseElement, dialect: Dialect, keys: list[str]) -> _Compiled:
    compiled = statement.compile(dialect=dialect, column_keys=keys)
    assert isinstance(compiled, SQLCompiler)
    if compiled.literal_execute_params or compiled.post_compile_params:
        raise TypeError("Prepared statements take scalar parameters only (no expanding IN)")
    escaped = dict(compiled.escaped_bind_names or {})
    names: dict[str, str] = {}
    defaults: dict[str, Any] = {}
    binds: dict[str, _Processor] = {}
    for bind, rendered in compiled.bind_names.items():
        rendered = escaped.get(rendered, rendered)
        process = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            binds[rendered] = process
        if bind.required:
            names[rendered] = bind.key
        else:
            value = bind.effective_value
            defaults[rendered] = value if process is None or value is None else process(value)
            names.setdefault(rendered, bind.key)
    for column in [*compiled.insert_prefetch, *compiled.update_prefetch]:
        default = column.default
        if default is None or not default.is_scalar:  # type: ignore[attr-defined]
            raise TypeError(f"Prepared statements need {column.key!r} given: its default is computed in Python")
        rendered = escaped.get(column.key, column.key)
        value = default.arg  # type: ignore[attr-defined]
        process = binds.get(rendered)
        defaults[rendered] = value if process is None or value is None else process(value)
        names[rendered] = column.key
    order = tuple(escaped.get(n, n) for n in compiled.positiontup) if compiled.positiontup is not None else None
    columns = list(getattr(statement, "exported_columns", []))
    row = namedtuple("Row", [c.key for c in columns]) if columns else None  # type: ignore[misc]
    return _Compiled(compiled.string, order, names, defaults, binds, row, tuple(c.type for c in columns), dialect)


class Batch:
    """Writes that need no answer until the end, sent together: one pipeline on PostgreSQL.

    Statements run in the order added. ``flush`` returns each statement's row count, so callers can
    check optimistic version updates once the batch has run.
    """

    def __init__(self) -> None:
        self._items: list[tuple[Prepared, Params | list[Params] | Callable[[], Params]]] = []

    def add(self, statement: Prepared, params: Params | Callable[[], Params]) -> int:
        """Queue one execution; returns its position for ``flush``'s row counts.

        ``params`` may be a function: it is called as the batch is flushed, in order (an audit event is linked
        to its stream then).
        """
        self._items.append((statement, params))
        return len(self._items) - 1

    def add_many(self, statement: Prepared, rows: Iterable[Params]) -> None:
        """Queue one execution per row (nothing when there are none)."""
        rows = list(rows)
        if rows:
            self._items.append((statement, rows))

    def __len__(self) -> int:
        return len(self._items)

    def flush(self, conn: Connection) -> list[int]:
        """Run everything queued (in order) and empty the batch; returns each entry's row count."""
        queued, self._items = self._items, []
        if not queued:
            return []
        items = [(statement, params() if callable(params) else params) for statement, params in queued]
        dbapi: Any = conn.connection.dbapi_connection
        cursors = [dbapi.cursor() for _ in items]
        if conn.dialect.name == "postgresql":
            with dbapi.pipeline():
                for (statement, params), cursor in zip(items, cursors, strict=True):
                    statement.send(cursor, conn.dialect, params)
        else:
            for (statement, params), cursor in zip(items, cursors, strict=True):
                statement.send(cursor, conn.dialect, params)
        return [int(cursor.rowcount) for cursor in cursors]
