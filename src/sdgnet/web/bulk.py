"""Fast bulk inserts for large writes (observations, stored scores).

The ORM's per-object overhead dominates at hundreds of thousands of rows, so these
writes go straight to the driver: COPY on PostgreSQL, multi-row INSERTs on SQLite.
`gc_paused` keeps Python's cyclic collector out of a step that builds such rows.
"""

from __future__ import annotations

import gc
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from itertools import chain, islice
from typing import Any

from django.db import connection, models

COPY_LINES = 20_000
# Rows per SQLite INSERT statement, within its limit on parameters (32,766 by default).
SQLITE_ROWS_PER_INSERT = 2_000
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: Any) -> str:
    """One value in PostgreSQL COPY text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, float):
        return repr(value)  # shortest exact form; PostgreSQL reads nan and inf too
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a bulk step (a rescore). Its rows are
    tuples and lists freed by reference counting as they go; left on, the collector walks
    the whole heap each time enough of them are alive at once (a rescore of the default
    data paid 40-60 ms for that; a web worker's heap is larger)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def bulk_insert(
    model: type[models.Model], columns: Sequence[str], records: Iterable[Sequence[Any]]
) -> None:
    """Insert records (tuples in `columns` order) into the model's table.

    Values must already be in database form: pass datetimes through
    `connection.ops.adapt_datetimefield_value` first.
    """
    table = model._meta.db_table
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    if connection.vendor == "postgresql":
        _copy_postgresql(table, names, records)
        return
    _insert_sqlite(table, names, len(columns), records)


def _copy_postgresql(table: str, names: str, records: Iterable[Sequence[Any]]) -> None:
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(f"COPY {connection.ops.quote_name(table)} ({names}) FROM STDIN") as copy:
            # COPY's text format built in bulk: psycopg's write_row adapts value by
            # value in Python and costs more than the server's whole insert.
            lines: list[str] = []
            for record in records:
                lines.append("\t".join(map(_copy_text, record)))
                if len(lines) == COPY_LINES:
                    copy.write("\n".join(lines) + "\n")
                    lines = []
            if lines:
                copy.write("\n".join(lines) + "\n")


def _insert_sqlite(table: str, names: str, width: int, records: Iterable[Sequence[Any]]) -> None:
    """Many rows per INSERT, on a plain sqlite3 cursor: executemany pays a statement (and
    the AUTOINCREMENT counter's update) per row, ~40 % of a large insert, and Django's
    cursor rewrites each statement's placeholders by regex."""
    connection.ensure_connection()
    database = connection.connection
    limit = database.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    rows_per_insert = max(1, min(SQLITE_ROWS_PER_INSERT, limit // width))
    row = "(" + ", ".join(["?"] * width) + ")"
    insert = f"INSERT INTO {connection.ops.quote_name(table)} ({names}) VALUES "
    full = insert + ", ".join([row] * rows_per_insert)
    cursor = database.cursor()
    try:
        remaining = iter(records)
        while chunk := list(islice(remaining, rows_per_insert)):
            sql = full if len(chunk) == rows_per_insert else insert + ", ".join([row] * len(chunk))
            cursor.execute(sql, list(chain.from_iterable(chunk)))
    finally:
        cursor.close()
