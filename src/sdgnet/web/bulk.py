"""Fast bulk inserts for large writes (observations, stored scores).

The ORM's per-object overhead dominates at hundreds of thousands of rows, so these
writes go straight to the driver: COPY on PostgreSQL, executemany on SQLite.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models

CHUNK = 5000


def bulk_insert(
    model: type[models.Model], columns: Sequence[str], records: Iterable[Sequence[Any]]
) -> None:
    table = model._meta.db_table
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(f"COPY {connection.ops.quote_name(table)} ({names}) FROM STDIN") as copy:
                for record in records:
                    copy.write_row(record)
            return
        sql = f"INSERT INTO {connection.ops.quote_name(table)} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"
        chunk: list[Sequence[Any]] = []
        for record in records:
            chunk.append(record)
            if len(chunk) == CHUNK:
                cursor.executemany(sql, chunk)
                chunk = []
        if chunk:
            cursor.executemany(sql, chunk)
