"""Reading the open file formats into Arrow tables, CSV or Parquet alike.

CSV files are read with every column as text (empty cell = null), so that the
parsers in `framework` and `inputs` see exactly what the user wrote and can name
the row of a bad cell. Parquet files keep their own column types.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from sdgnet.engine.errors import InputError


def is_parquet(path: str | Path) -> bool:
    return str(path).lower().endswith(".parquet")


def read_csv_header(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle), None)
    if not header:
        raise InputError(path, "the file is empty; a header row is needed")
    return [name.strip() for name in header]


def read_table(path: str | Path) -> pa.Table:
    """The file as an Arrow table; CSV columns are all strings (empty = null)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "no such file")
    if is_parquet(path):
        try:
            return pq.read_table(path)
        except (pa.ArrowInvalid, OSError) as error:
            raise InputError(path, f"not a readable Parquet file ({error})") from error
    header = read_csv_header(path)
    if len(header) == 1 and ";" in header[0]:
        # Spreadsheets set to Norwegian (and most European) settings save CSV this way.
        raise InputError(
            path,
            "the header is one column with ';' in it: the file seems to be separated by "
            "semicolons; save it as comma-separated CSV (with '.' as the decimal mark)",
        )
    duplicated = sorted({name for name in header if header.count(name) > 1})
    if duplicated:
        raise InputError(path, f"the header names a column twice: {', '.join(duplicated)}")
    try:
        return pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(column_names=header, skip_rows=1),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.string() for name in header},
                strings_can_be_null=True,
                null_values=[""],
            ),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError) as error:
        raise InputError(path, f"not a readable UTF-8 CSV file ({error})") from error


def require_columns(path: str | Path, table: pa.Table, required: list[str]) -> None:
    missing = [name for name in required if name not in table.column_names]
    if missing:
        raise InputError(path, f"missing required column(s): {', '.join(missing)}")
