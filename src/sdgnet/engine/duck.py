"""The process's DuckDB database, and Python lists to Arrow through it.

Opening a DuckDB database costs ~0.1 s, a cursor on it ~1 ms, so the engine
keeps one in-memory database per process and gives each run its own cursor
(whose temporary tables and registered Arrow tables are private to it).

`arrow_table` builds small Arrow tables from Python lists through DuckDB:
`pyarrow.array` on Python objects imports pandas (~0.4 s), which the
`sdgnet score` start-up does not otherwise need.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence

import duckdb
import pyarrow as pa

_database: duckdb.DuckDBPyConnection | None = None
_lock = threading.Lock()


def shared_database() -> duckdb.DuckDBPyConnection:
    global _database  # noqa: PLW0603  (the process-wide DuckDB instance)
    with _lock:
        if _database is None:
            _database = duckdb.connect(":memory:")
        return _database


def arrow_table(columns: Mapping[str, tuple[str, Sequence[object]]]) -> pa.Table:
    """`{name: (duckdb_type, values)}` → Arrow table; all value lists equally long."""
    lengths = {len(values) for _type, values in columns.values()}
    if len(lengths) > 1:
        raise ValueError(f"columns of different lengths: {sorted(lengths)}")
    selects = ", ".join(
        f'unnest(?::{kind}[]) AS "{name}"' for name, (kind, _values) in columns.items()
    )
    parameters = [list(values) for _kind, values in columns.values()]
    cursor = shared_database().cursor()
    try:
        return cursor.sql(f"SELECT {selects}", params=parameters).to_arrow_table()
    finally:
        cursor.close()
