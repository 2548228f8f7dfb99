"""Reading the open file formats, CSV or Parquet alike.

CSV files are read with every column as text (empty cell = null), so that the
parsers in `framework` and `inputs` see exactly what the user wrote and can name
the row of a bad cell. Parquet files keep their own column types.

Two readers: `read_rows` for the small files a run starts with (framework, units),
in plain Python, so that `sdgnet score` on CSV inputs and Parquet observations
never imports pyarrow (a tenth of a second at start-up, more than parsing takes);
`read_table` gives an Arrow table, for observations in CSV (pyarrow's reader is the
fast one for large files) and for the platform.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from sdgnet.engine.errors import InputError

if TYPE_CHECKING:
    import pyarrow as pa


class TableLike(Protocol):
    """What the file parsers read: column names and rows as dicts. An Arrow table is one."""

    @property
    def column_names(self) -> list[str]: ...

    def to_pylist(self) -> list[dict[str, Any]]: ...


@dataclass(frozen=True)
class Rows:
    """A CSV file's data rows as dicts of text (an empty cell is None)."""

    column_names: list[str]
    rows: list[dict[str, Any]]

    def to_pylist(self) -> list[dict[str, Any]]:
        return self.rows


def is_parquet(path: str | Path) -> bool:
    return str(path).lower().endswith(".parquet")


def _unreadable_csv(path: Path, error: Exception) -> InputError:
    return InputError(path, f"not a readable UTF-8 CSV file ({error})")


def read_csv_header(path: Path) -> list[str]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle), None)
    except UnicodeDecodeError as error:
        raise _unreadable_csv(path, error) from error
    if not header:
        raise InputError(path, "the file is empty; a header row is needed")
    return [name.strip() for name in header]


def _checked_header(path: Path) -> list[str]:
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
    return header


def existing_file(path: str | Path) -> Path:
    """`path`, refused unless it is a file."""
    path = Path(path)
    if path.is_dir():
        raise InputError(path, "this is a folder; give a file")
    if not path.is_file():
        raise InputError(path, "no such file")
    return path


def _read_parquet(path: Path) -> pa.Table:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as error:
        raise InputError(path, f"not a readable Parquet file ({error})") from error
    for index, field in enumerate(table.schema):
        if is_short_float(field.type):
            table = table.set_column(index, field.name, float64_as_printed(table.column(index)))
    return table


def is_short_float(kind: pa.DataType) -> bool:
    import pyarrow as pa

    return bool(pa.types.is_float16(kind) or pa.types.is_float32(kind))


def float64_as_printed(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """A 16- or 32-bit float column as 64-bit floats of the numbers it prints as (1.22,
    where widening gives 1.2200000286102295), as the same data written as CSV is read."""
    import pyarrow as pa

    return column.cast(pa.string()).cast(pa.float64())


def read_rows(path: str | Path) -> TableLike:
    """A small file (framework, units) for the parsers: CSV as `Rows`, Parquet as Arrow."""
    path = existing_file(path)
    if is_parquet(path):
        typed: TableLike = _read_parquet(path)
        return typed
    header = _checked_header(path)
    try:
        rows = [
            dict(zip(header, [cell if cell != "" else None for cell in record], strict=True))
            for record in _data_records(path, len(header))
        ]
    except UnicodeDecodeError as error:
        raise _unreadable_csv(path, error) from error
    return Rows(column_names=header, rows=rows)


def _data_records(path: Path, width: int) -> Iterator[list[str]]:
    """The rows after the header, blank lines skipped; a row with too few or too many
    cells is refused by its number (1 = the first data row)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        next(reader, None)
        row = 0
        for record in reader:
            if not record or record == [""]:
                continue
            row += 1
            if len(record) != width:
                raise InputError(
                    path, f"expected {width} cells as in the header, found {len(record)}", row=row
                )
            yield record


def read_table(path: str | Path) -> pa.Table:
    """The file as an Arrow table; CSV columns are all strings (empty = null)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    path = existing_file(path)
    if is_parquet(path):
        return _read_parquet(path)
    header = _checked_header(path)
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
        if isinstance(error, pa.ArrowInvalid) and _no_data_rows(path, len(header)):
            # A header and nothing else, without a line break after it: valid CSV with
            # no rows, whose header pyarrow cannot skip.
            return pa.table({name: pa.array([], pa.string()) for name in header})
        raise _unreadable_csv(path, error) from error


def _no_data_rows(path: Path, width: int) -> bool:
    """Whether the CSV file has no rows after its header. Read where pyarrow failed, it
    also finds a row with too few or too many cells, and refuses it by number."""
    try:
        rows = sum(1 for _ in _data_records(path, width))
    except UnicodeDecodeError:
        return False
    return rows == 0


def require_columns(path: str | Path, table: TableLike, required: list[str]) -> None:
    missing = [name for name in required if name not in table.column_names]
    if missing:
        raise InputError(path, f"missing required column(s): {', '.join(missing)}")
