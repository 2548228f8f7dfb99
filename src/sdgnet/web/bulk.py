"""Fast bulk inserts for large writes (observations, stored scores).

The ORM's per-object overhead dominates at hundreds of thousands of rows, so these
writes go straight to the driver: COPY on PostgreSQL, executemany on SQLite.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models


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
                for record in records:
                    copy.write_row(record)
            return
        # sqlite3's own executemany with qmark placeholders: Django's wrapper rewrites
        # the SQL and parameters row by row, which triples the time of large inserts.
        placeholders = ", ".join(["?"] * len(columns))
        sql = f"INSERT INTO {connection.ops.quote_name(table)} ({names}) VALUES ({placeholders})"
        cursor.cursor.executemany(sql, records)
