"""Fast bulk inserts for large writes (observations, stored scores).

The ORM's per-object overhead dominates at hundreds of thousands of rows, so these
writes go straight to the driver: COPY on PostgreSQL, executemany on SQLite.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.db import connection, models

COPY_LINES = 20_000
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


def bulk_insert(
    model: type[models.Model], columns: Sequence[str], records: Iterable[Sequence[Any]]
) -> None:
    """Insert records (tuples in `columns` order) into the model's table.

    Values must already be in database form: pass datetimes through
    `connection.ops.adapt_datetimefield_value` first.
    """
    table = model._meta.db_table
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
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
            return
        # sqlite3's own executemany with qmark placeholders: Django's wrapper rewrites
        # the SQL and parameters row by row, which triples the time of large inserts.
        placeholders = ", ".join(["?"] * len(columns))
        sql = f"INSERT INTO {connection.ops.quote_name(table)} ({names}) VALUES ({placeholders})"
        cursor.cursor.executemany(sql, records)
