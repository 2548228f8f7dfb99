"""The floor written the way the engine scans (aggregate FILTER clauses, no WHERE).

On L, DuckDB 2.0 ran floor.py's WHERE + GROUP BY form about 20x slower than this
form (it re-read the Parquet file many times); both are reported.

Usage: python bench/engine/floor_filter.py OBSERVATIONS YEAR OUT.csv
"""

import sys

import duckdb

observations, year, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
c = duckdb.connect()
c.execute("SET preserve_insertion_order = false")
c.execute(f"""COPY (SELECT unit, indicator, max(year) FILTER (WHERE value IS NOT NULL AND year <= {year}) AS year,
  arg_max(value, year) FILTER (WHERE value IS NOT NULL AND year <= {year}) AS value
  FROM read_parquet('{observations}') GROUP BY unit, indicator) TO '{out}' (HEADER)""")
