"""The process's DuckDB database, and small tables from Python lists.

Opening a DuckDB database costs ~0.1 s, a cursor on it ~1 ms, so the engine
keeps one in-memory database per process and gives each run its own cursor
(whose temporary tables and registered Arrow tables are private to it).

Small tables (framework, units) are `Columns`: per column a DuckDB type and a
Python list. `create_table` loads them into a cursor directly; `arrow_table`
makes an Arrow table of them through DuckDB (`pyarrow.array` on Python objects
imports pandas, ~0.4 s, which the `sdgnet score` start-up does not otherwise need).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import duckdb

if TYPE_CHECKING:
    import pyarrow as pa

# {name: (duckdb_type, values)}, all value lists equally long.
Columns = Mapping[str, tuple[str, Sequence[object]]]

_database: duckdb.DuckDBPyConnection | None = None
_lock = threading.Lock()


def shared_database() -> duckdb.DuckDBPyConnection:
    global _database  # noqa: PLW0603  (the process-wide DuckDB instance)
    with _lock:
        if _database is None:
            _database = duckdb.connect(":memory:")
        return _database


def sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def sql_name(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _select(columns: Columns) -> tuple[str, list[list[object]]]:
    """The query that unnests `columns`, and its parameters."""
    lengths = {len(values) for _type, values in columns.values()}
    if len(lengths) > 1:
        raise ValueError(f"columns of different lengths: {sorted(lengths)}")
    selects = ", ".join(
        f"unnest(?::{kind}[]) AS {sql_name(name)}" for name, (kind, _values) in columns.items()
    )
    return f"SELECT {selects}", [list(values) for _kind, values in columns.values()]


def create_table(cursor: duckdb.DuckDBPyConnection, name: str, columns: Columns) -> None:
    """A temporary table `name` of `columns` in `cursor`."""
    query, parameters = _select(columns)
    cursor.execute(f"CREATE OR REPLACE TEMP TABLE {sql_name(name)} AS {query}", parameters)


def arrow_table(columns: Columns) -> pa.Table:
    """`columns` as an Arrow table."""
    query, parameters = _select(columns)
    cursor = shared_database().cursor()
    try:
        return cursor.sql(query, params=parameters).to_arrow_table()
    finally:
        cursor.close()
