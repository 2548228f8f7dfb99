"""The DuckDB backend's own rules, against the CSV path's."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from sdgnet.engine.backend import WHITE_SPACE, trimmed
from sdgnet.engine.duck import shared_database


def test_parquet_ids_lose_exactly_the_blanks_that_csv_cells_lose():
    """CSV cells are trimmed by pyarrow, Parquet ids (when padded) by DuckDB: both must
    remove the same characters, for every character up to past the last blank one."""
    ids = [f"{chr(code)}0301{chr(code)}" for code in range(1, 0x3100)]
    by_csv = pc.utf8_trim_whitespace(pa.array(ids)).to_pylist()
    cursor = shared_database().cursor()
    try:
        (by_parquet,) = cursor.execute(
            f"SELECT list({trimmed('id')} ORDER BY i)"
            " FROM (SELECT unnest(?::VARCHAR[]) AS id, generate_subscripts(?::VARCHAR[], 1) AS i)",
            [ids, ids],
        ).fetchone()
    finally:
        cursor.close()
    assert by_parquet == by_csv
    assert by_csv.count("0301") == len(WHITE_SPACE)
