"""The two file readers: plain-Python rows for small files, Arrow for observations."""

from __future__ import annotations

from pathlib import Path

import pytest

from sdgnet.engine.errors import InputError
from sdgnet.engine.tables import read_rows, read_table

GOLDEN = Path(__file__).parent / "golden" / "basic"


@pytest.mark.parametrize("name", ["framework.csv", "units.csv", "observations.csv"])
def test_both_readers_see_the_same_cells(name):
    rows, table = read_rows(GOLDEN / name), read_table(GOLDEN / name)
    assert rows.column_names == table.column_names
    assert rows.to_pylist() == table.to_pylist()


def test_rows_keep_text_as_written_and_read_empty_cells_as_missing(tmp_path):
    path = tmp_path / "units.csv"
    path.write_text(
        '\ufeffunit,name,group\n0301,"Oslo, kommune",\n\n 1103 ,Stavanger,Rogaland\n',
        encoding="utf-8",
    )
    rows = read_rows(path)
    assert rows.column_names == ["unit", "name", "group"]
    assert rows.to_pylist() == [
        {"unit": "0301", "name": "Oslo, kommune", "group": None},
        {"unit": " 1103 ", "name": "Stavanger", "group": "Rogaland"},
    ]


@pytest.mark.parametrize(
    ("read", "text", "row", "words"),
    [
        (
            read_rows,
            "unit,name,group\n0301,Oslo,Oslo\n\n1103,Stavanger\n",
            2,
            "expected 3 cells as in the header, found 2",
        ),
        (
            read_table,
            "unit,indicator,year,value\n0301,a,2020,1\n0301,a,2021,2\n0301,a,2022\n",
            3,
            "expected 4 cells as in the header, found 3",
        ),
    ],
    ids=["small file", "observations"],
)
def test_a_row_with_too_few_cells_is_refused_by_its_number(tmp_path, read, text, row, words):
    path = tmp_path / "file.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as error:
        read(path)
    assert error.value.row == row
    assert words in str(error.value)


def test_a_file_that_is_not_utf8_is_refused(tmp_path):
    path = tmp_path / "units.csv"
    path.write_bytes("unit,name\n0301,Bærum\n".encode("latin-1"))
    with pytest.raises(InputError, match="not a readable UTF-8 CSV file"):
        read_rows(path)


@pytest.mark.parametrize("ending", ["", "\n", "\r\n\n"])
def test_a_header_alone_is_a_table_without_rows(tmp_path, ending):
    path = tmp_path / "observations.csv"
    path.write_text(f"unit,indicator,year,value{ending}", encoding="utf-8")
    table = read_table(path)
    assert table.column_names == ["unit", "indicator", "year", "value"]
    assert table.num_rows == 0


def test_32_bit_floats_in_parquet_read_as_the_numbers_they_print_as(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "framework.parquet"
    pq.write_table(pa.table({"best": pa.array([1.22, None, 74.03], pa.float32())}), path)
    for table in (read_rows(path), read_table(path)):
        assert [row["best"] for row in table.to_pylist()] == [1.22, None, 74.03]
