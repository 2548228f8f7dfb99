"""Running plans in DuckDB, in-process, over Arrow tables or Parquet files.

`DuckDBBackend` registers the plan's input relations (see `plan.py`), checks
the observations against the framework and units (unknown ids, duplicate keys:
the checks that need the whole file), runs the steps as temporary tables and
hands back the outputs as Arrow tables, or writes them straight to CSV.

Large Parquet inputs are scanned, never loaded whole; DuckDB spills to a
temporary directory when a step does not fit in `memory_limit`.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from sdgnet.engine.duck import Columns, create_table, shared_database, sql_name, sql_text
from sdgnet.engine.errors import InputError
from sdgnet.engine.framework import FIRST_YEAR, LAST_YEAR, Framework, year_problem
from sdgnet.engine.inputs import ObservationSource
from sdgnet.engine.plan import PAIR_PROBLEMS, Plan, pair_problem, years_seen

if TYPE_CHECKING:
    import pyarrow as pa


INTEGER_TYPES = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER"}
NUMBER_TYPES = (
    INTEGER_TYPES
    | {"FLOAT", "DOUBLE", "UBIGINT", "HUGEINT"}
    | {f"DECIMAL({p},{s})" for p in range(1, 39) for s in range(0, p + 1)}
)


# The blanks trimmed from ids, exactly those pyarrow trims from CSV cells: Unicode's
# White_Space and the ASCII separators 0x1C-0x1F (DuckDB's one-argument trim removes
# spaces only).
WHITE_SPACE = (
    *range(0x09, 0x0E), *range(0x1C, 0x21), 0x85, 0xA0, 0x1680, *range(0x2000, 0x200B),
    0x2028, 0x2029, 0x202F, 0x205F, 0x3000,
)  # fmt: skip
BLANKS = " || ".join(f"chr({code})" for code in WHITE_SPACE)


def trimmed(text: str) -> str:
    return f"trim({text}, {BLANKS})"


class DuckDBBackend:
    def __init__(
        self,
        framework: Framework,
        units: pa.Table | Columns,
        observations: ObservationSource,
        *,
        threads: int | None = None,
        memory_limit: str | None = None,
        temp_directory: str | None = None,
    ) -> None:
        self.framework = framework
        self.observations = observations
        self.connection = shared_database().cursor()
        # Parquet ids are compared as written, which costs nothing; a file whose ids have
        # blanks around them is read again with them trimmed, as CSV cells are
        # (`_trim_padded_ids`). None: the observations are not a Parquet file.
        self._parquet_columns: dict[str, str] | None = None
        self._trimmed_ids = False
        # threads and memory_limit hold for the whole (shared) database: `close` resets
        # them, so that they do not outlive this run in a process that runs more.
        self._global_settings: list[str] = []
        try:
            if threads is not None:
                self._set_global("threads", str(int(threads)))
            if memory_limit is not None:
                self._set_global("memory_limit", sql_text(memory_limit))
            self.connection.execute(
                f"SET temp_directory = '{temp_directory or tempfile.gettempdir()}/sdgnet-duckdb'"
            )
            self.connection.execute("SET preserve_insertion_order = false")
            self._register_inputs(units)
        except BaseException:
            self.close()
            raise

    def _set_global(self, name: str, value: str) -> None:
        self._global_settings.append(name)
        self.connection.execute(f"SET {name} = {value}")

    def close(self) -> None:
        for name in self._global_settings:
            self.connection.execute(f"RESET {name}")
        self.connection.close()

    def _first_row(
        self, sql: str, parameters: list[object] | None = None
    ) -> tuple[Any, ...] | None:
        """The first row of a query that yields at most one. The result is read to its
        end: DuckDB 2.0 refuses `register` and `sql` on a connection whose last result
        was left half-read, as `fetchone` leaves one that had a row."""
        rows = self.connection.execute(sql, parameters).fetchall()
        return rows[0] if rows else None

    # ---- inputs --------------------------------------------------------------

    def _register_inputs(self, units: pa.Table | Columns) -> None:
        """`units` as Arrow (the platform) or as `Columns` (`sdgnet score`, which then
        never imports pyarrow)."""
        con = self.connection
        if isinstance(units, Mapping):
            create_table(con, "units_input", units)
            names = list(units)
        else:
            con.register("units_input", units)
            names = units.column_names
        con.execute(
            'CREATE TEMP TABLE units AS SELECT unit, "group" AS group_name FROM units_input'
        )
        flags = [name for name in names if name not in ("unit", "name", "group")]
        # Long format: one row per unit and flag, so a scope is a join, not a column name.
        flag_rows = [
            f"SELECT unit, {sql_text(flag)} AS flag, {sql_name(flag)} AS is_set FROM units_input"
            for flag in flags
        ] or [
            "SELECT unit, CAST(NULL AS VARCHAR) AS flag, CAST(NULL AS BOOLEAN) AS is_set "
            "FROM units_input WHERE FALSE"
        ]
        con.execute(f"CREATE TEMP TABLE unit_flags AS {' UNION ALL '.join(flag_rows)}")
        create_table(con, "indicators", self.framework.to_columns())
        if self.observations.table is not None:
            con.register("observations_arrow", self.observations.table)
            con.execute(
                "CREATE TEMP VIEW observations_raw AS SELECT *, "
                "row_number() OVER () AS source_row FROM observations_arrow"
            )
            con.execute(
                "CREATE TEMP VIEW observations AS SELECT unit, indicator, year, value "
                "FROM observations_arrow"
            )
        else:
            self._register_parquet(self.observations)

    def _register_parquet(self, source: ObservationSource) -> None:
        path = sql_text(str(source.parquet_path))
        con = self.connection
        # can_have_nan: the Parquet statistics of a float column leave NaN out, and by
        # default DuckDB 2.0 trusts them to mean "no NaN" and folds `isnan`/`nullif` on
        # the column to constants, so NaN values were scored as numbers (duckdb#25521).
        try:
            con.execute(
                "CREATE TEMP VIEW observations_raw AS SELECT *, file_row_number + 1 AS source_row "
                f"FROM read_parquet({path}, file_row_number = true, can_have_nan = true)"
            )
            columns = {
                str(row[0]): str(row[1])
                for row in con.execute("DESCRIBE SELECT * FROM observations_raw").fetchall()
            }
        except duckdb.Error as error:
            reason = str(error).splitlines()[0]
            raise InputError(source.name, f"not a readable Parquet file ({reason})") from error
        for name in ("unit", "indicator", "year", "value"):
            if name not in columns:
                raise InputError(source.name, f"missing required column: {name}")
        for name in ("year", "value"):
            # Text is checked cell by cell; a column of nulls alone reads as missing.
            if columns[name] not in NUMBER_TYPES and columns[name] not in ("VARCHAR", '"NULL"'):
                self._refuse_not_numbers(source, name, columns[name])
        native = columns["year"] in INTEGER_TYPES and columns["value"] in NUMBER_TYPES
        if native:
            self._refuse_years_outside(source, path)
        else:
            # Text or float years, text values: find the first bad cell in one scan.
            # (Missing keys in native files are found by the plan's pair check.)
            self._check_parquet_cells(source, columns)
        self._parquet_columns = columns
        self._create_parquet_observations()
        if columns["value"] != "VARCHAR":
            self._refuse_infinite_values(source, path)

    def _raw_id(self, column: str) -> str:
        """The id `column` of `observations_raw` as the view `observations` has it."""
        text = f"CAST({column} AS VARCHAR)"
        return trimmed(text) if self._trimmed_ids else text

    def _create_parquet_observations(self) -> None:
        assert self._parquet_columns is not None
        value_type = self._parquet_columns["value"]
        # The cells are checked: text is a number or blank (blank is missing).
        value = {
            "VARCHAR": f"TRY_CAST(nullif({trimmed('value')}, '') AS DOUBLE)",
            # A 32-bit float is read as the number it prints as (1.22, where widening
            # gives 1.2200000286102295), as the same data written as CSV would be.
            "FLOAT": "CAST(CAST(value AS VARCHAR) AS DOUBLE)",
        }.get(value_type, "value")
        year = (
            f"CAST({trimmed('year')} AS DOUBLE)"
            if self._parquet_columns["year"] == "VARCHAR"
            else "year"
        )
        self.connection.execute(
            f"CREATE OR REPLACE TEMP VIEW observations AS SELECT {self._raw_id('unit')} AS unit, "
            f"{self._raw_id('indicator')} AS indicator, CAST({year} AS INTEGER) AS year, "
            # NaN is missing; nullif matches every NaN and costs half the CASE with isnan.
            f"nullif(CAST({value} AS DOUBLE), 'NaN'::DOUBLE) AS value FROM observations_raw"
        )

    def _trim_padded_ids(self) -> bool:
        """If the observations are Parquet with ids not yet trimmed and some have blanks
        around them, trim them from now on and answer True (the run starts again)."""
        if self._parquet_columns is None or self._trimmed_ids:
            return False
        unit, indicator = self._raw_id("unit"), self._raw_id("indicator")  # as written
        found = self._first_row(
            f"SELECT bool_or({unit} <> {trimmed(unit)} OR {indicator} <> {trimmed(indicator)})"
            " FROM observations_raw"
        )
        if not (found and found[0]):
            return False
        self._trimmed_ids = True
        self._create_parquet_observations()
        return True

    def _refuse_infinite_values(self, source: ObservationSource, path: str) -> None:
        """An infinite value is refused, as in a CSV file. The file's own statistics
        (without can_have_nan they leave NaN out and keep infinities) usually answer
        without a scan."""
        bounds = self._first_row(f"SELECT min(value), max(value) FROM read_parquet({path})")
        if bounds is None or bounds[0] is None:
            return
        low, high = float(bounds[0]), float(bounds[1])
        if math.isfinite(low) and math.isfinite(high):
            return
        found = self._first_row(
            "SELECT min(source_row) FROM observations_raw WHERE isinf(CAST(value AS DOUBLE))"
        )
        if found is not None and found[0] is not None:
            raise InputError(
                source.name, "expected a finite number", row=int(found[0]), column="value"
            )

    def _refuse_not_numbers(self, source: ObservationSource, column: str, kind: str) -> None:
        """A year or value column of another type than numbers or text (dates, true/false)
        is refused by its first cell, with the message the same cell gets in CSV. (A
        column of such a type whose cells are all null is refused too.)"""
        found = self._first_row(
            f"SELECT min(source_row), arg_min(CAST({sql_name(column)} AS VARCHAR), source_row)"
            f" FROM observations_raw WHERE {sql_name(column)} IS NOT NULL"
        )
        if found is None or found[0] is None:
            raise InputError(
                source.name, f"could not read this column as numbers (type {kind})", column=column
            )
        raise InputError(
            source.name, f"expected a number, found {found[1]!r}", row=int(found[0]), column=column
        )

    def _refuse_years_outside(self, source: ObservationSource, path: str) -> None:
        """Whole-number years outside 1-9999 are refused by row. The file's own statistics
        usually answer without a scan."""
        bounds = self._first_row(f"SELECT min(year), max(year) FROM read_parquet({path})")
        if bounds is None or bounds[0] is None:
            return
        if int(bounds[0]) >= FIRST_YEAR and int(bounds[1]) <= LAST_YEAR:
            return
        found = self._first_row(
            "SELECT min(source_row), arg_min(CAST(year AS DOUBLE), source_row)"
            f" FROM observations_raw WHERE year < {FIRST_YEAR} OR year > {LAST_YEAR}"
        )
        assert found is not None and found[0] is not None
        raise InputError(
            source.name, year_problem(float(found[1])), row=int(found[0]), column="year"
        )

    def _check_parquet_cells(self, source: ObservationSource, types: dict[str, str]) -> None:
        """Type problems in a Parquet file, found in one scan, reported by first row."""
        year = "CAST(year AS DOUBLE)"
        year_blank = "year IS NULL"
        value_ok, value_finite = "TRUE", "TRUE"
        # Text cells are trimmed as CSV cells are.
        if types["value"] == "VARCHAR":
            number = f"TRY_CAST({trimmed('value')} AS DOUBLE)"
            value_ok = f"value IS NULL OR {trimmed('value')} = '' OR {number} IS NOT NULL"
            value_finite = f"NOT COALESCE(isinf({number}), FALSE)"
        if types["year"] == "VARCHAR":
            year = f"TRY_CAST({trimmed('year')} AS DOUBLE)"
            year_blank = f"year IS NULL OR {trimmed('year')} = ''"
        # NaN is not between 1 and 9999 (DuckDB orders it above every number).
        year_ok = f"{year} = floor({year}) AND {year} BETWEEN {FIRST_YEAR} AND {LAST_YEAR}"
        checks = [
            ("unit", "unit IS NULL", "this column needs a value"),
            ("indicator", "indicator IS NULL", "this column needs a value"),
            ("year", year_blank, "this column needs a value"),
            ("year", f"NOT COALESCE({year_ok}, FALSE)", ""),
            ("value", f"NOT ({value_ok})", "expected a number"),
            ("value", f"NOT ({value_finite})", "expected a finite number"),
        ]
        selects = ", ".join(
            f"min(CASE WHEN {condition} THEN source_row END)" for _, condition, _ in checks
        )
        first_rows = self._first_row(f"SELECT {selects} FROM observations_raw")
        assert first_rows is not None
        for (column, _, message), row in zip(checks, first_rows, strict=True):
            if row is not None:
                problem = message or self._year_problem(int(row), year)
                raise InputError(source.name, problem, row=int(row), column=column)

    def _year_problem(self, row: int, year: str) -> str:
        """What is wrong with the year in `row`, as `year` (an expression) reads it."""
        found = self._first_row(
            f"SELECT CAST(year AS VARCHAR), {year} FROM observations_raw WHERE source_row = ?",
            [row],
        )
        assert found is not None
        if found[1] is None:
            return f"expected a number, found {str(found[0]).strip()!r}"
        return year_problem(float(found[1]))

    def year_range(self) -> tuple[int, int] | None:
        """Earliest and latest year in the observations (any value, even missing)."""
        found = self._first_row("SELECT min(year), max(year) FROM observations")
        if found is None or found[0] is None:
            return None
        return int(found[0]), int(found[1])

    def check_observations(self) -> None:
        """Find and report the first problem of the observations: a missing key, then
        an unknown unit, an unknown indicator, a year given twice (one scan)."""
        span = self.year_range()
        if span is None:
            return
        problem = self._first_row(
            f"""
            SELECT kind, unit, indicator FROM (
                SELECT p.unit, p.indicator, {pair_problem("p", "u.unit", "i.indicator")} AS kind
                FROM (
                    SELECT unit, indicator, count(*) AS n_rows, count(year) AS n_dated,
                           {years_seen(*span)} AS n_years
                    FROM observations GROUP BY unit, indicator
                ) p
                LEFT JOIN units u ON u.unit = p.unit
                LEFT JOIN indicators i ON i.indicator = p.indicator
            )
            WHERE kind IS NOT NULL ORDER BY kind LIMIT 1
            """
        )
        if problem is not None:
            kind = PAIR_PROBLEMS[int(problem[0]) - 1]
            self._raise_observation_problem(
                kind,
                None if problem[1] is None else str(problem[1]),
                None if problem[2] is None else str(problem[2]),
            )

    def any_flawed(self, relation: str) -> bool:
        """Whether `relation` flags a flawed pair (`plan.pair_flawed`)."""
        found = self._first_row(f"SELECT bool_or(flawed) FROM {relation}")
        return bool(found is not None and found[0])

    def _raise_observation_problem(
        self, kind: str, unit: str | None, indicator: str | None
    ) -> None:
        name = self.observations.name
        if kind == "key":
            for column in ("unit", "indicator", "year"):
                found = self._first_row(
                    f"SELECT min(source_row) FROM observations_raw WHERE {column} IS NULL"
                )
                if found is not None and found[0] is not None:
                    raise InputError(
                        name, "this column needs a value", row=int(found[0]), column=column
                    )
        if kind == "duplicate":
            found = self._first_row(
                f"""
                SELECT year, min(source_row), max(source_row) FROM observations_raw
                WHERE {self._raw_id("unit")} = ? AND {self._raw_id("indicator")} = ?
                GROUP BY year HAVING count(*) > 1 ORDER BY 2 LIMIT 1
                """,
                [unit, indicator],
            )
            assert found is not None
            raise InputError(
                name,
                f"duplicate observation for unit {unit!r}, indicator {indicator!r}, year "
                f"{found[0]} (also at row {found[1]})",
                row=int(found[2]),
                column="year",
            )
        found_row = self._first_row(
            "SELECT min(source_row) FROM observations_raw "
            f"WHERE {self._raw_id('unit')} = ? AND {self._raw_id('indicator')} = ?",
            [unit, indicator],
        )
        row = int(found_row[0]) if found_row and found_row[0] is not None else None
        if kind == "unit":
            raise InputError(name, f"unknown unit {unit!r} (not in units)", row=row, column="unit")
        raise InputError(
            name,
            f"unknown indicator {indicator!r} (not in the framework)",
            row=row,
            column="indicator",
        )

    def latest_year(self) -> int | None:
        """The latest year with a value (one aggregate; no list of years is built)."""
        found = self._first_row("SELECT max(year) FROM observations WHERE value IS NOT NULL")
        return None if found is None or found[0] is None else int(found[0])

    def observed_years(self) -> list[int]:
        rows = self.connection.execute(
            "SELECT DISTINCT year FROM observations WHERE value IS NOT NULL ORDER BY year"
        ).fetchall()
        return [int(row[0]) for row in rows]

    # ---- running -------------------------------------------------------------

    def set_scoring_years(self, years: Sequence[int]) -> None:
        outside = [year for year in years if not FIRST_YEAR <= year <= LAST_YEAR]
        if outside:
            raise ValueError(
                f"a year to score must be from {FIRST_YEAR} to {LAST_YEAR}, found {outside[0]}"
            )
        con = self.connection
        con.execute("DROP TABLE IF EXISTS scoring_years")
        con.execute("CREATE TEMP TABLE scoring_years (as_of INTEGER)")
        if years:
            con.executemany("INSERT INTO scoring_years VALUES (?)", [[int(y)] for y in years])

    def run(self, plan: Plan) -> None:
        while not self._run_steps(plan):
            pass

    def _run_steps(self, plan: Plan) -> bool:
        """Run the plan's steps; False if the checks found ids with blanks around them,
        which are now trimmed, so that the plan must run again (at most once)."""
        con = self.connection
        for step in plan.steps:
            sql = step.sql
            if step.skip_unless is not None:
                answer = self._first_row(step.skip_unless)
                if not (answer and answer[0]):
                    sql = f"SELECT * FROM ({step.empty_like or step.sql}) LIMIT 0"
            kind = "TABLE" if step.materialize else "VIEW"
            con.execute(f"CREATE OR REPLACE TEMP {kind} {step.name} AS {sql}")
            if step.name == plan.check_after and self.any_flawed(step.name):
                if self._trim_padded_ids():
                    return False
                # The first problem is found and reported by a scan of its own.
                self.check_observations()
                raise AssertionError(f"{step.name} flags a problem that the checks do not find")
        return True

    def fetch(self, sql: str) -> pa.Table:
        return self.connection.sql(sql).to_arrow_table()

    def write_csv(self, sql: str, path: Path) -> None:
        self.connection.execute(f"COPY ({sql}) TO {sql_text(str(path))} (HEADER, DELIMITER ',')")


@contextmanager
def duckdb_backend(
    framework: Framework,
    units: pa.Table | Columns,
    observations: ObservationSource,
    **settings: Any,
) -> Iterator[DuckDBBackend]:
    backend = DuckDBBackend(framework, units, observations, **settings)
    try:
        yield backend
    finally:
        backend.close()
