"""The floor a scorer cannot beat: DuckDB reads the observations, keeps each
(unit, indicator)'s latest value at or before the year, and writes them to CSV.

Usage: python bench/engine/floor.py OBSERVATIONS YEAR OUT.csv
"""

from __future__ import annotations

import sys

import duckdb


def main(argv: list[str]) -> int:
    observations, year, out = argv[0], int(argv[1]), argv[2]
    reader = "read_parquet" if observations.endswith(".parquet") else "read_csv_auto"
    connection = duckdb.connect()
    # The engine's settings: no ordering promise the query does not need.
    connection.execute("SET preserve_insertion_order = false")
    connection.execute(
        f"""
        COPY (
            SELECT unit, indicator, max(year) AS year, arg_max(value, year) AS value
            FROM {reader}('{observations}')
            WHERE value IS NOT NULL AND year <= {year}
            GROUP BY unit, indicator
        ) TO '{out}' (HEADER)
        """
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
