"""`sdgnet score`: score observations against a framework and write CSV results.

    sdgnet score --framework F --observations O --units U --method M
                 [--year Y] [--missing-goal group-mean|skip] [--coverage 0.8]
                 [--trend-span 5] [--local-targets FILE] --out DIR

Writes DIR/indicators.csv (unit,indicator,year,value,score,colour,trend, and with
`--local-targets` (sdsn only) a last column score_local: the score against each
unit's own target, `sdgnet.engine.local_targets`),
DIR/goals.csv (unit,goal,score,colour,trend) and DIR/index.csv (unit,score,rank).
The progress methods write their status word in the `trend` column and leave
scores, colours, goals and index empty; as with sdsn, indicators.csv has rows only
for the units each indicator's `scope` includes. With `--method sdsn --sensitivity RUNS
[--seed S]` it also writes DIR/sensitivity.csv, each unit's rank interval over
RUNS variants of the method choices (`sdgnet.engine.sensitivity`). On any error nothing
is written to DIR, the message names file, row and column, and the exit status is 2. Of these
four files, a run that succeeds removes those it did not write (an earlier run's
sensitivity.csv), and it touches no other file in DIR.
A run that succeeds but scores nothing (no value in the observations, a `--year`
before them, a progress method that gives no series a status) says why on stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import os
import re
import shutil
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from sdgnet.engine.backend import DuckDBBackend, duckdb_backend
from sdgnet.engine.cells import read_whole_number
from sdgnet.engine.duck import Columns, arrow_table
from sdgnet.engine.errors import InputError
from sdgnet.engine.framework import FIRST_YEAR, LAST_YEAR, Framework, read_framework
from sdgnet.engine.inputs import (
    ObservationSource,
    observations_from_arrow,
    open_observations,
    read_unit_columns,
)
from sdgnet.engine.methods.sdsn import MAX_TREND_SPAN, MISSING_GOAL_CHOICES, SdsnOptions
from sdgnet.engine.scoring import resolve_years, run_sdsn
from sdgnet.engine.tables import read_table

if TYPE_CHECKING:
    import pyarrow as pa

# pyarrow (a tenth of a second to import) is loaded only where a run needs it: CSV
# observations, the progress methods, local targets, sensitivity.

INDICATORS_CSV = "SELECT unit, indicator, year, value, score, colour, trend FROM {table}"
GOALS_CSV = "SELECT unit, goal, score, colour, trend FROM goal_results ORDER BY unit_code, goal"
INDEX_CSV = "SELECT unit, score, rank FROM index_results ORDER BY unit_code"
EXIT_INPUT_ERROR = 2
# Every file `sdgnet score` writes into --out; a run removes those it did not write.
OUTPUT_FILES = ("indicators.csv", "goals.csv", "index.csv", "sensitivity.csv")


def progress_methods() -> tuple[str, ...]:
    from sdgnet.engine import progress

    return tuple(progress.METHODS)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sdgnet score", description="Score observations against an SDG framework."
    )
    parser.add_argument(
        "--framework",
        required=True,
        type=Path,
        help="one row per indicator: goal, best, worst, thresholds, ... (CSV or Parquet)",
    )
    parser.add_argument(
        "--observations",
        required=True,
        type=Path,
        help="unit,indicator,year,value (CSV or Parquet). A CSV file is read into memory "
        "whole; a Parquet file is scanned without loading it, so large data belong in Parquet",
    )
    parser.add_argument(
        "--units",
        required=True,
        type=Path,
        help="unit,name,group and the boolean columns that scopes name (CSV or Parquet)",
    )
    parser.add_argument("--method", required=True, help="sdsn, or a progress method")
    parser.add_argument(
        "--year",
        type=whole_number_from(FIRST_YEAR, LAST_YEAR),
        help=f"score the latest value at or before this year ({FIRST_YEAR} to {LAST_YEAR})",
    )
    parser.add_argument(
        "--missing-goal",
        choices=MISSING_GOAL_CHOICES,
        default="group-mean",
        help="a qualifying unit's goal without a score, in its index: the mean of its "
        "group's scores (default) or left out",
    )
    parser.add_argument(
        "--coverage",
        type=float,
        default=0.8,
        help="share of a unit's index indicators that need a value for it to get goal "
        "scores and an index (default 0.8)",
    )
    parser.add_argument(
        "--trend-span",
        type=whole_number_from(1, MAX_TREND_SPAN),
        default=5,
        help="years before the latest value where the default trend period starts (default 5, "
        f"at most {MAX_TREND_SPAN}; the framework's trend_from sets a longer period)",
    )
    parser.add_argument(
        "--out",
        required=True,
        type=out_folder,
        help="folder for indicators.csv, goals.csv and index.csv (and sensitivity.csv); "
        "nothing is written if the run fails, and a run removes those of these files it "
        "did not write",
    )
    parser.add_argument(
        "--local-targets",
        type=Path,
        metavar="FILE",
        help="unit,indicator,target_value (CSV or Parquet): add score_local to indicators.csv",
    )
    parser.add_argument(
        "--sensitivity",
        type=sensitivity_runs,
        metavar="RUNS",
        help="also write sensitivity.csv: each unit's rank interval over RUNS method variants "
        "(sdsn only; a few thousand runs are plenty)",
    )
    parser.add_argument(
        "--seed",
        type=whole_number_from(0),
        help="seed of the sensitivity runs (default 0); only with --sensitivity",
    )
    parser.add_argument("--threads", type=at_least_one, help="DuckDB threads (default: all cores)")
    parser.add_argument("--memory-limit", type=memory_size, help="DuckDB memory limit, e.g. 6GB")
    return parser


def whole_number_from(least: int, most: int | None = None) -> Callable[[str], int]:
    """An argparse type: a whole number, at least `least` (and at most `most`)."""

    def parse(text: str) -> int:
        try:
            number = read_whole_number(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, found {text!r}") from None
        if most is not None and not least <= number <= most:
            raise argparse.ArgumentTypeError(f"must be from {least} to {most}, found {number}")
        if number < least:
            raise argparse.ArgumentTypeError(f"must be at least {least}, found {number}")
        return number

    return parse


at_least_one = whole_number_from(1)


def sensitivity_runs(text: str) -> int:
    """An argparse type: a count of sensitivity runs, from 1 to the analysis' bound
    (its module, which loads NumPy and Arrow, is imported only when the option is
    given, and the run then needs it anyway)."""
    from sdgnet.engine.sensitivity import MAX_RUNS

    return whole_number_from(1, MAX_RUNS)(text)


def out_folder(text: str) -> Path:
    """An argparse type: a folder; an empty one is refused (it would be the current
    folder, never what was meant)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("give a folder (empty, it would be the current folder)")
    return Path(text)


# The sizes DuckDB's memory_limit takes: a number and a unit (GB, GiB, MB, ...).
MEMORY_SIZE = re.compile(r"\d+(\.\d+)?\s*([KMGT]i?B|B)", re.IGNORECASE)


def memory_size(text: str) -> str:
    if not MEMORY_SIZE.fullmatch(text.strip()):
        raise argparse.ArgumentTypeError(f"expected a size such as 6GB or 512MB, found {text!r}")
    return text.strip()


def main(argv: list[str]) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    # The progress methods (and polars) are imported only when asked for.
    if args.method != "sdsn" and args.method not in progress_methods():
        methods = ("sdsn", *progress_methods())
        print(
            f"error: unknown --method {args.method!r}; choose from {', '.join(methods)}",
            file=sys.stderr,
        )
        return EXIT_INPUT_ERROR
    # The progress methods give no scores and no index, which these options work on.
    for option, value in (
        ("--local-targets", args.local_targets),
        ("--sensitivity", args.sensitivity),
    ):
        if value is not None and args.method != "sdsn":
            print(f"error: {option} needs --method sdsn", file=sys.stderr)
            return EXIT_INPUT_ERROR
    # A seed alone would change nothing: the runs it seeds are asked for by --sensitivity.
    if args.seed is not None and args.sensitivity is None:
        print("error: --seed needs --sensitivity RUNS", file=sys.stderr)
        return EXIT_INPUT_ERROR
    try:
        options = SdsnOptions(
            coverage=args.coverage, missing_goal=args.missing_goal, trend_span=args.trend_span
        )
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_INPUT_ERROR
    if args.out.exists() and not args.out.is_dir():
        print(f"error: --out {args.out} is a file; give a folder", file=sys.stderr)
        return EXIT_INPUT_ERROR
    note: str | None = None
    try:
        with staged_directory(args.out, owned=OUTPUT_FILES) as staging:
            framework = read_framework(args.framework)
            units = read_unit_columns(args.units, framework)
            local_targets = None
            if args.method == "sdsn":
                framework.require_bounds()
                if args.sensitivity is not None:
                    check_sensitivity_size(len(units["unit"][1]), args.sensitivity)
                if args.local_targets is not None:
                    from sdgnet.engine.local_targets import read_local_targets

                    local_targets = read_local_targets(
                        args.local_targets,
                        framework,
                        known_units={str(u) for u in units["unit"][1]},
                    )
                source = open_observations(args.observations)
            else:
                source = ObservationSource(
                    name=str(args.observations), table=load_observations(args.observations)
                )
            settings = {"threads": args.threads, "memory_limit": args.memory_limit}
            with duckdb_backend(framework, units, source, **settings) as backend:
                years = resolve_years(backend, year=args.year, years=None)
                note = run_note(backend, args.year, years)
                if args.method == "sdsn":
                    note = note or groups_note(units, options.missing_goal)
                    run_sdsn(backend, options, years)
                    write_sdsn(backend, staging, local_targets)
                    if args.sensitivity is not None:
                        write_sensitivity(backend, framework, units, args=args, folder=staging)
                else:
                    backend.check_observations()
                    progress_note = write_progress(
                        backend,
                        framework,
                        source,
                        method=args.method,
                        year=args.year,
                        folder=staging,
                    )
                    # Why nothing has a value explains the missing statuses too.
                    note = note or progress_note
    except (InputError, ValueError) as error:
        # ValueError: a method refusing its options or data (e.g. a missing target).
        print(f"error: {error}", file=sys.stderr)
        return EXIT_INPUT_ERROR
    except OSError as error:
        # A file or folder the system refused: unreadable input, --out not writable.
        where = error.filename if error.filename is not None else args.out
        print(f"error: {where}: {error.strerror or error}", file=sys.stderr)
        return EXIT_INPUT_ERROR
    except duckdb.OutOfMemoryException as error:
        reason = str(error).splitlines()[0]
        print(
            f"error: not enough memory for this run ({reason}); allow more with "
            "--memory-limit (DuckDB's default is 80% of the machine's memory)",
            file=sys.stderr,
        )
        return EXIT_INPUT_ERROR
    except duckdb.Error as error:
        if not is_read_failure(error):
            raise
        reason = str(error).splitlines()[0]
        print(f"error: {args.observations}: could not be read ({reason})", file=sys.stderr)
        return EXIT_INPUT_ERROR
    if note is not None:
        print(note, file=sys.stderr)
    return 0


def run_note(backend: DuckDBBackend, year: int | None, years: list[int]) -> str | None:
    """A note where a successful run scored nothing, so that it is not taken for a
    result: no value in the observations at all (no year to score), or a `--year`
    before every observation (a mistyped year, most likely)."""
    if not years:
        return "note: the observations hold no value, so there was no year to score"
    span = backend.year_range()
    if year is None or span is None or year >= span[0]:
        return None
    return (
        f"note: --year {year} is before the first year in the observations ({span[0]}):"
        " no indicator has a value for it"
    )


def groups_note(units: Columns, missing_goal: str) -> str | None:
    """A note where `group-mean` (the default) can fill nothing because no unit has a
    group, most likely a units file without its `group` column: the index then
    averages the goals each unit has, as `skip` does."""
    if missing_goal != "group-mean" or any(group is not None for group in units["group"][1]):
        return None
    return (
        "note: no unit has a group, so --missing-goal group-mean fills no missing goal;"
        " each index averages the goals the unit has (as --missing-goal skip does)"
    )


def is_read_failure(error: duckdb.Error) -> bool:
    """Whether DuckDB failed reading a file (only Parquet observations are read during
    the run, the other inputs are read first): an I/O or invalid-input error, or a bare
    `duckdb.Error` (a damaged Parquet page header surfaces as Thrift's exception)."""
    return isinstance(error, duckdb.IOException | duckdb.InvalidInputException) or (
        type(error) is duckdb.Error
    )


def load_observations(path: Path) -> pa.Table:
    """The observations in memory (CSV or Parquet), typed and checked."""
    return observations_from_arrow(read_table(path), source=str(path))


def write_sdsn(backend: DuckDBBackend, folder: Path, local_targets: pa.Table | None) -> None:
    order = " ORDER BY unit_code, indicator_code"
    if local_targets is None:
        backend.write_csv(
            INDICATORS_CSV.format(table="indicator_results") + order, folder / "indicators.csv"
        )
    else:
        from sdgnet.engine.local_targets import score_local

        # One year is scored here, so unit and indicator name a row of the results.
        results = backend.fetch("SELECT unit, indicator, value FROM indicator_results")
        local = score_local(results, backend.framework, local_targets)
        backend.connection.register("indicator_results_local", local)
        backend.write_csv(
            """
            SELECT r.unit, r.indicator, r.year, r.value, r.score, r.colour, r.trend,
                   l.score_local
            FROM indicator_results r
            JOIN indicator_results_local l ON l.unit = r.unit AND l.indicator = r.indicator
            """
            + order,
            folder / "indicators.csv",
        )
    backend.write_csv(GOALS_CSV, folder / "goals.csv")
    backend.write_csv(INDEX_CSV, folder / "index.csv")


def check_sensitivity_size(unit_count: int, runs: int) -> None:
    """Refuse, before any scoring, a sensitivity analysis whose ranks could not be
    summarised in the memory it may use (`sdgnet.engine.sensitivity.rank_plan`), naming
    what to lower. Every unit of --units is counted: the most that can be ranked."""
    from sdgnet.engine.sensitivity import TooManyUnits, rank_plan

    try:
        rank_plan(unit_count, runs)
    except TooManyUnits as error:
        fewer = f"give at most {error.unit_limit:,} units in --units"
        if error.run_limit > 0:
            fewer += f", or --sensitivity {error.run_limit} or fewer runs"
        raise ValueError(
            f"--sensitivity {runs}: {unit_count:,} units are too many: summarising their "
            f"ranks would take more than the {error.budget_text} the analysis may use; "
            f"{fewer}"
        ) from None


def write_sensitivity(
    backend: DuckDBBackend, framework: Framework, units: Columns, *, args: Any, folder: Path
) -> None:
    from sdgnet.engine.sensitivity import SensitivityChoices, rank_intervals_of_latest

    # The values the scoring run found for its year: the observations are not read again.
    latest = backend.fetch(
        "SELECT unit, indicator, value FROM indicator_results WHERE value IS NOT NULL"
    )
    intervals = rank_intervals_of_latest(
        latest,
        framework,
        arrow_table(units),
        runs=args.sensitivity,
        seed=0 if args.seed is None else args.seed,
        # The nominal run is the run asked for, so its ranks are index.csv's.
        choices=SensitivityChoices(nominal_missing_goal=args.missing_goal),
        coverage=args.coverage,
    )
    with (folder / "sensitivity.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(intervals.column_names)
        for row in intervals.to_pylist():
            writer.writerow(["" if value is None else value for value in row.values()])


def write_progress(
    backend: DuckDBBackend,
    framework: Framework,
    source: ObservationSource,
    *,
    method: str,
    year: int | None,
    folder: Path,
) -> str | None:
    """Write the progress method's statuses; a note where no series got one."""
    from sdgnet.engine import progress

    assert source.table is not None
    assessed = progress.assess_in_detail(method, source.table, framework, year)
    connection = backend.connection
    connection.register("progress_assessed", assessed)
    # Only the units an indicator applies to (its `scope`, `!` negating it), as the
    # SDSN method's rows; `unit_flags` holds every unit's scope columns.
    connection.execute(
        """
        CREATE OR REPLACE TEMP TABLE progress_statuses AS
        SELECT s.* FROM progress_assessed s
        JOIN indicators i ON i.indicator = s.indicator
        LEFT JOIN unit_flags f ON f.unit = s.unit AND f.flag = i.scope_column
        WHERE i.scope_column IS NULL OR COALESCE(f.is_set, FALSE) <> i.scope_negated
        """
    )
    statuses = backend.fetch("SELECT status, reason FROM progress_statuses")
    as_of = "" if year is None else f"AND year <= {int(year)}"
    backend.write_csv(
        f"""
        SELECT s.unit, s.indicator, l.year, l.value, CAST(NULL AS DOUBLE) AS score,
               CAST(NULL AS VARCHAR) AS colour, s.status AS trend
        FROM progress_statuses s
        LEFT JOIN (
            SELECT unit, indicator, max(year) AS year, max_by(value, year) AS value
            FROM observations WHERE value IS NOT NULL {as_of}
            GROUP BY unit, indicator
        ) l ON l.unit = s.unit AND l.indicator = s.indicator
        ORDER BY s.unit, s.indicator
        """,
        folder / "indicators.csv",
    )
    (folder / "goals.csv").write_text("unit,goal,score,colour,trend\n", encoding="utf-8")
    (folder / "index.csv").write_text("unit,score,rank\n", encoding="utf-8")
    return no_status_note(method, statuses)


def no_status_note(method: str, statuses: pa.Table) -> str | None:
    """Where series were assessed but none got a status, why (the reasons of
    `progress.assess_in_detail`, most frequent first), e.g. a framework without the
    targets the method needs."""
    if statuses.num_rows == 0 or statuses.column("status").null_count < statuses.num_rows:
        return None
    reasons = Counter(str(reason) for reason in statuses.column("reason").to_pylist())
    why = ", ".join(
        f"{reason.replace('_', ' ')} ({count})" for reason, count in reasons.most_common()
    )
    return f"note: --method {method} gave no series a status; why, by number of series: {why}"


class staged_directory:
    """Files go to a hidden sibling of `target`, moved into place only on success.

    Publishing is all or nothing: every place a result goes is checked first (a folder
    there is refused), the files it replaces are moved aside into the staging folder,
    and if moving the new ones in fails, the old ones are moved back. Files named in
    `owned` that this run did not write (results of an earlier run that would
    contradict the new ones) are removed on success; no other file is touched."""

    def __init__(self, target: Path, owned: tuple[str, ...] = ()) -> None:
        self.target = target
        self.owned = owned
        self.staging = Path()

    def __enter__(self) -> Path:
        parent = self.target.resolve().parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
            self.staging = Path(tempfile.mkdtemp(prefix=f".{self.target.name}.", dir=parent))
        except OSError as error:
            raise InputError(self.target, f"cannot write here ({error.strerror})") from error
        return self.staging

    def __exit__(self, kind: object, error: object, traceback: object) -> None:
        try:
            if error is None:
                self._publish()
        finally:
            shutil.rmtree(self.staging, ignore_errors=True)

    def _publish(self) -> None:
        if not self.target.exists():
            # mkdtemp made the staging folder private (0700); the published one gets the
            # permissions any new folder of the user's gets.
            umask = os.umask(0)
            os.umask(umask)
            self.staging.chmod(0o777 & ~umask)
            os.replace(self.staging, self.target)
            return
        produced = sorted(path.name for path in self.staging.iterdir())
        for name in produced:
            place = self.target / name
            if place.is_dir() and not place.is_symlink():
                raise InputError(
                    place,
                    f"a folder is where this run writes {name}; move it or choose another "
                    "--out (nothing was written)",
                )
        stale = [
            name
            for name in self.owned
            if name not in produced
            and os.path.lexists(self.target / name)
            and not (self.target / name).is_dir()
        ]
        # The staging folder's own names are the produced files', so this cannot clash.
        aside = self.staging / ".replaced"
        aside.mkdir()
        moved_aside: list[str] = []
        placed: list[str] = []
        try:
            for name in [*produced, *stale]:
                if os.path.lexists(self.target / name):
                    os.replace(self.target / name, aside / name)
                    moved_aside.append(name)
            for name in produced:
                os.replace(self.staging / name, self.target / name)
                placed.append(name)
        except OSError as failure:
            self._undo(placed, moved_aside, aside)
            reason = failure.strerror or str(failure)
            raise InputError(
                self.target, f"cannot write the results here ({reason}); nothing was changed"
            ) from failure

    def _undo(self, placed: list[str], moved_aside: list[str], aside: Path) -> None:
        """Put `target` back as it was (as far as the system lets us)."""
        for name in placed:
            with contextlib.suppress(OSError):
                os.replace(self.target / name, self.staging / name)
        for name in moved_aside:
            with contextlib.suppress(OSError):
                os.replace(aside / name, self.target / name)
