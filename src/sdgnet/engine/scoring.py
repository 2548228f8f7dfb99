"""The engine's Python API: score a framework for one year, some years, or all.

The platform (`scores/actions.py`) calls::

    from sdgnet.engine import score_sdsn
    result = score_sdsn(framework, observations, units, years="all")

- `framework`: a `Framework` (`read_framework(path)` or `parse_framework(table)`).
- `observations`: Arrow table `unit, indicator, year, value` (value null = missing).
- `units`: Arrow table `unit, name, group` plus the boolean columns that scopes
  name (bool, or text 1/0, yes/no, true/false).
- `year=Y`: each unit and indicator takes its latest value at or before Y.
  `years=[...]` scores several years in one pass; `years="all"` scores every year
  that has a value. With neither, the latest year with a value is scored.
- `missing_goal`: "group-mean" (default) or "skip"; `coverage`: share of a unit's
  index indicators that need a value for it to get goal scores and an index.

`ScoreResult` holds three Arrow tables, each with an `as_of` column (the scored
year):

- `indicators`: as_of, unit, indicator, goal, year, value, score,
  dashboard_value, colour, trend (one row per unit and applicable indicator);
- `goals`: as_of, unit, goal, score, colour, trend;
- `index`: as_of, unit, score, rank, n_index, n_valued, qualifies.

Bad input raises `InputError` (file, row, column in the message).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from sdgnet.engine.backend import DuckDBBackend, duckdb_backend
from sdgnet.engine.framework import Framework
from sdgnet.engine.inputs import ObservationSource, observations_from_arrow, parse_units
from sdgnet.engine.methods.sdsn import MissingGoal, SdsnOptions, sdsn_plan

if TYPE_CHECKING:
    import pyarrow as pa

Years = list[int] | Literal["all"] | None

INDICATOR_COLUMNS = (
    "as_of, unit, indicator, goal, year, value, score, dashboard_value, colour, trend"
)
GOAL_COLUMNS = "as_of, unit, goal, score, colour, trend"
INDEX_COLUMNS = "as_of, unit, score, rank, n_index, n_valued, qualifies"


@dataclass(frozen=True)
class ScoreResult:
    indicators: pa.Table
    goals: pa.Table
    index: pa.Table


def score_sdsn(
    framework: Framework,
    observations: pa.Table,
    units: pa.Table,
    *,
    year: int | None = None,
    years: Years = None,
    missing_goal: MissingGoal = "group-mean",
    coverage: float = 0.8,
    trend_span: int = 5,
) -> ScoreResult:
    """Score with the SDSN method; see the module docstring for the arguments."""
    framework.require_bounds()
    options = SdsnOptions(coverage=coverage, missing_goal=missing_goal, trend_span=trend_span)
    source = ObservationSource(name="observations", table=observations_from_arrow(observations))
    typed_units = parse_units(units, framework)
    with duckdb_backend(framework, typed_units, source) as backend:
        scored_years = resolve_years(backend, year=year, years=years)
        run_sdsn(backend, options, scored_years)
        return ScoreResult(
            indicators=backend.fetch(
                f"SELECT {INDICATOR_COLUMNS} FROM indicator_results "
                "ORDER BY as_of, unit_code, indicator_code"
            ),
            goals=backend.fetch(
                f"SELECT {GOAL_COLUMNS} FROM goal_results ORDER BY as_of, unit_code, goal"
            ),
            index=backend.fetch(
                f"SELECT {INDEX_COLUMNS} FROM index_results ORDER BY as_of, unit_code"
            ),
        )


def resolve_years(backend: DuckDBBackend, *, year: int | None, years: Years) -> list[int]:
    if year is not None and years is not None:
        raise ValueError("give year or years, not both")
    if year is not None:
        return [year]
    if years == "all":
        return backend.observed_years()
    if years is not None:
        return sorted(set(years))
    latest = backend.latest_year()
    return [] if latest is None else [latest]


def run_sdsn(backend: DuckDBBackend, options: SdsnOptions, years: list[int]) -> None:
    """Check the observations and score `years` (all relations stay in `backend`)."""
    span = backend.year_range()
    first_year, last_year = span if span is not None else (0, 0)
    backend.set_scoring_years(years)
    single = years[0] if len(years) == 1 else None
    plan = sdsn_plan(options, first_year=first_year, last_year=last_year, single_year=single)
    backend.run(plan)
