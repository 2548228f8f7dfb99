"""Reading and checking `units.csv` and `observations.csv` (or `.parquet`).

- `read_units(path, framework)` returns a small Arrow table: `unit`, `name`,
  `group`, plus every boolean column a scope names, parsed to bool;
  `read_unit_columns` the same as `Columns` (no Arrow, for `sdgnet score`).
- `open_observations(path)` returns an `ObservationSource`: small CSV files are
  parsed into a typed Arrow table here; Parquet files stay on disk and are
  scanned by the execution backend, which also runs the checks that need the
  whole file (unknown ids, duplicate keys), see `backend.py`.
- `observations_from_arrow(table)` types and checks a table handed over by the
  platform.

Observation columns: `unit`, `indicator`, `year` (whole number from 1 to 9999),
`value` (number; empty = missing, never zero).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from sdgnet.engine import cells
from sdgnet.engine.duck import Columns, arrow_table
from sdgnet.engine.errors import InputError
from sdgnet.engine.framework import FIRST_YEAR, LAST_YEAR, Framework, year_problem
from sdgnet.engine.tables import (
    TableLike,
    existing_file,
    float64_as_printed,
    is_parquet,
    is_short_float,
    read_rows,
    read_table,
    require_columns,
)

if TYPE_CHECKING:
    import pyarrow as pa

OBSERVATION_COLUMNS = ["unit", "indicator", "year", "value"]


@dataclass(frozen=True)
class ObservationSource:
    """Observations either in memory (Arrow) or as a Parquet file to scan."""

    name: str
    table: pa.Table | None = None
    parquet_path: Path | None = None


def read_units(path: str | Path, framework: Framework) -> pa.Table:
    return arrow_table(read_unit_columns(path, framework))


def read_unit_columns(path: str | Path, framework: Framework) -> Columns:
    return unit_columns(read_rows(path), framework, source=str(path))


def parse_units(table: TableLike, framework: Framework, *, source: str = "units") -> pa.Table:
    """Check a units table and type the columns the framework's scopes name."""
    return arrow_table(unit_columns(table, framework, source=source))


def unit_columns(table: TableLike, framework: Framework, *, source: str = "units") -> Columns:
    """`parse_units` as `Columns`."""
    require_columns(source, table, ["unit"])
    for spec in framework:
        for column, scope in (("scope", spec.scope), ("dashboard_scope", spec.dashboard_scope)):
            if scope is not None and scope.column not in table.column_names:
                raise InputError(
                    framework.source,
                    f"names units column {scope.column!r}, which {source} does not have",
                    row=spec.row,
                    column=column,
                )
    records = table.to_pylist()
    units: list[str] = []
    seen: dict[str, int] = {}
    for row, record in enumerate(records, start=1):
        unit = cells.text(record.get("unit"))
        if unit is None:
            raise InputError(source, "a unit id is required", row=row, column="unit")
        if unit in seen:
            raise InputError(
                source,
                f"duplicate unit {unit!r} (first at row {seen[unit]})",
                row=row,
                column="unit",
            )
        seen[unit] = row
        units.append(unit)
    columns: dict[str, tuple[str, list[object]]] = {
        "unit": ("VARCHAR", list(units)),
        "name": ("VARCHAR", [cells.text(r.get("name")) for r in records]),
        "group": ("VARCHAR", [cells.text(r.get("group")) for r in records]),
    }
    for flag in sorted(framework.scope_columns):
        values: list[object] = []
        for row, record in enumerate(records, start=1):
            value = cells.boolean(record.get(flag), source, row, flag)
            if value is None:
                raise InputError(
                    source, "a scope names this column, so it needs 1/0 here", row=row, column=flag
                )
            values.append(value)
        columns[flag] = ("BOOLEAN", values)
    return columns


def open_observations(path: str | Path) -> ObservationSource:
    path = Path(path)
    if is_parquet(path):
        return ObservationSource(name=str(path), parquet_path=existing_file(path))
    return ObservationSource(
        name=str(path), table=observations_from_arrow(read_table(path), source=str(path))
    )


def observations_from_arrow(table: pa.Table, *, source: str = "observations") -> pa.Table:
    """Type-check and cast an observations table; errors name the first bad row."""
    import pyarrow as pa
    import pyarrow.compute as pc  # 0.25 s to import: only where needed

    schema = pa.schema(
        [
            ("unit", pa.string()),
            ("indicator", pa.string()),
            ("year", pa.int32()),
            ("value", pa.float64()),
        ]
    )
    require_columns(source, table, OBSERVATION_COLUMNS)
    columns = []
    for field in schema:
        column = table.column(field.name)
        if pa.types.is_dictionary(column.type):
            column = column.cast(column.type.value_type)
        column = _cast_column(column, field, source)
        if field.name != "value" and column.null_count:
            row = _first_index(pc.is_null(column)) + 1
            raise InputError(source, "this column needs a value", row=row, column=field.name)
        columns.append(column)
    return pa.Table.from_arrays(columns, schema=schema)


def _cast_column(column: pa.ChunkedArray, field: pa.Field, source: str) -> pa.ChunkedArray:
    import pyarrow as pa
    import pyarrow.compute as pc  # 0.25 s to import: only where needed

    text_input = pa.types.is_string(column.type) or pa.types.is_large_string(column.type)
    if field.type == pa.string():
        if not text_input:
            return column.cast(pa.string())
        column = column.cast(pa.string())
        # Ids repeat: whether any has blanks around it is answered from the distinct
        # ones (0.2 s on 30M rows), and only then is every cell trimmed (1 s).
        distinct = pc.unique(column)
        if pc.any(pc.not_equal(pc.utf8_trim_whitespace(distinct), distinct)).as_py():
            return pc.utf8_trim_whitespace(column)
        return column
    if text_input:
        # The common case first: cells the cast reads as they are. Where one does not
        # (blanks around it, a year written "2020.0", a bad cell), the passes below
        # trim, check and find the row; they cost 2-3 s on 30M rows.
        try:
            as_read = column.cast(field.type)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass
        else:
            if field.type == pa.float64():
                return _finite(as_read, field.name, source)
            _refuse_years_outside(as_read, field.name, source)
            return as_read
        column = pc.utf8_trim_whitespace(column)
        column = pc.if_else(pc.equal(column, ""), pa.scalar(None, pa.string()), column)
    if is_short_float(column.type):
        column = float64_as_printed(column)
    kind = column.type
    if not (text_input or pa.types.is_integer(kind) or pa.types.is_floating(kind)) and not (
        pa.types.is_decimal(kind) or pa.types.is_null(kind)
    ):
        # A date, a true/false, ...: refused by its first cell, as in CSV.
        _raise_first_bad_cell(column, field.name, source)
    try:
        as_float = column.cast(pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        _raise_first_bad_cell(column, field.name, source)
    if field.type == pa.float64():
        return _finite(as_float, field.name, source)
    _refuse_infinite(as_float, field.name, source)
    _refuse_years_outside(as_float, field.name, source)
    return as_float.cast(field.type)


def _refuse_years_outside(years: pa.ChunkedArray, name: str, source: str) -> None:
    """Refuse the first year that is not a whole number from 1 to 9999 (NaN included);
    a null year is left to the check that every key has a value."""
    import pyarrow as pa
    import pyarrow.compute as pc  # 0.25 s to import: only where needed

    integers = pa.types.is_integer(years.type)
    if integers:
        # The common case, whole years in range, answered by one pass.
        bounds = pc.min_max(years).as_py()
        if bounds["min"] is None or FIRST_YEAR <= bounds["min"] <= bounds["max"] <= LAST_YEAR:
            return
    fits = pc.and_(pc.greater_equal(years, FIRST_YEAR), pc.less_equal(years, LAST_YEAR))
    if not integers:
        fits = pc.and_(fits, pc.equal(pc.floor(years), years))
    outside = pc.invert(pc.fill_null(fits, True))
    if not pc.any(outside).as_py():
        return
    row = _first_index(outside)
    value = float(pc.take(years, [row])[0].as_py())
    raise InputError(source, year_problem(value), row=row + 1, column=name)


def _finite(numbers: pa.ChunkedArray, name: str, source: str) -> pa.ChunkedArray:
    """`numbers` with NaN as missing (as an empty CSV cell is); an infinity is refused."""
    import pyarrow as pa
    import pyarrow.compute as pc  # 0.25 s to import: only where needed

    _refuse_infinite(numbers, name, source)
    if not pc.any(pc.is_nan(numbers)).as_py():
        return numbers
    return pc.if_else(pc.is_nan(numbers), pa.scalar(None, pa.float64()), numbers)


def _refuse_infinite(numbers: pa.ChunkedArray, name: str, source: str) -> None:
    import pyarrow.compute as pc  # 0.25 s to import: only where needed

    if pc.any(pc.is_inf(numbers)).as_py():
        row = _first_index(pc.is_inf(numbers)) + 1
        raise InputError(source, "expected a finite number", row=row, column=name)


def _raise_first_bad_cell(column: pa.ChunkedArray, name: str, source: str) -> NoReturn:
    for row, cell in enumerate(column.to_pylist(), start=1):
        cells.number(cell, source, row, name)
    raise InputError(source, "could not read this column as numbers", column=name)


def _first_index(mask: pa.ChunkedArray | pa.Array) -> int:
    import pyarrow.compute as pc  # 0.25 s to import: only where needed

    return int(pc.index(mask, True).as_py())
