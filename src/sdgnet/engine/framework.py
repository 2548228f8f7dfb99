"""Framework specifications: what each indicator is and how it is scored.

`read_framework(path)` parses `framework.csv` (or `.parquet`, same columns) into a
`Framework` of `IndicatorSpec`s, refusing bad files with an `InputError` that
names the file, row and column. The columns are those of METHODOLOGY.md; two
optional extra columns make the SDSN trend cut-offs configurable per indicator:

- `trend_on_track_pace` (default 1.0): share of the needed yearly score gain
  that counts as on track;
- `trend_moderate_pace` (default 0.5): share that counts as moderately improving.

Units and observations are read by `sdgnet.engine.inputs`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from sdgnet.engine import cells
from sdgnet.engine.duck import Columns
from sdgnet.engine.errors import InputError
from sdgnet.engine.tables import TableLike, read_rows, require_columns

Direction = Literal["increase", "decrease"]
DIRECTIONS: tuple[Direction, ...] = ("increase", "decrease")
REQUIRED_COLUMNS = ["indicator", "goal"]
# Years (in the framework, the observations and `--year`) are whole numbers from 1 to
# 9999, as calendars write them; the engine stores them as 32-bit integers, and the
# arithmetic on them (trend spans, years to a target) stays far inside that.
FIRST_YEAR, LAST_YEAR = 1, 9999
# Weights are relative within a goal, and the goal score sums `weight * score` and the
# weights exactly, in DECIMAL(38, 18) (`methods.sdsn.exact_sum`): 20 digits before the
# point and 18 after. A weight of at least 1e-9 keeps 9 significant digits there (one
# of 1e-20 rounded to 0, and the goal score to 0/0); a weight of at most 1e9 keeps
# each term within 1e11 (scores are at most 100), so a goal's sum stays below 1e20 for
# any framework of fewer than a billion indicators.
MIN_WEIGHT, MAX_WEIGHT = 1e-9, 1e9
# Makes the error for a column of the row being parsed.
_Fail = Callable[[str, str], InputError]


@dataclass(frozen=True, slots=True)
class Scope:
    """`NAME` (units whose boolean column NAME is true) or `!NAME` (false)."""

    column: str
    negated: bool = False

    @classmethod
    def parse(cls, raw: str) -> Scope:
        negated = raw.startswith("!")
        column = raw[1:].strip() if negated else raw.strip()
        return cls(column=column, negated=negated)

    def includes(self, flag: bool | None) -> bool:
        """Whether a unit with this flag value is in scope (a missing flag is false)."""
        return bool(flag) != self.negated

    def __str__(self) -> str:
        return ("!" if self.negated else "") + self.column


@dataclass(frozen=True, slots=True)
class IndicatorSpec:
    indicator: str
    goal: int
    target: str | None = None
    name: str | None = None
    unit: str | None = None
    best: float | None = None
    worst: float | None = None
    green: float | None = None
    red: float | None = None
    weight: float = 1.0
    index: bool = True
    scope: Scope | None = None
    dashboard_scope: Scope | None = None
    trend_from: int | None = None
    trend_to: int | None = None
    target_value: float | None = None
    target_year: int | None = None
    direction: Direction | None = None
    trend_on_track_pace: float = 1.0
    trend_moderate_pace: float = 0.5
    # Data row in the framework file (1-based), for messages about this indicator.
    row: int = 0

    @property
    def higher_is_better(self) -> bool:
        return self.direction != "decrease"

    @property
    def has_thresholds(self) -> bool:
        return self.green is not None and self.red is not None

    def as_good_as(self, value: float, reference: float) -> bool:
        """Whether `value` is at least as good as `reference` in this direction."""
        return value >= reference if self.higher_is_better else value <= reference


@dataclass(frozen=True)
class Framework:
    indicators: tuple[IndicatorSpec, ...]
    source: str = "framework"
    _by_id: Mapping[str, IndicatorSpec] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {spec.indicator: spec for spec in self.indicators})

    def __iter__(self) -> Iterator[IndicatorSpec]:
        return iter(self.indicators)

    def __len__(self) -> int:
        return len(self.indicators)

    def __contains__(self, indicator: object) -> bool:
        return indicator in self._by_id

    def get(self, indicator: str) -> IndicatorSpec:
        return self._by_id[indicator]

    @property
    def goals(self) -> list[int]:
        return sorted({spec.goal for spec in self.indicators})

    @property
    def scope_columns(self) -> set[str]:
        """The units columns that `scope` or `dashboard_scope` name."""
        return {
            scope.column
            for spec in self.indicators
            for scope in (spec.scope, spec.dashboard_scope)
            if scope is not None
        }

    def require_bounds(self) -> None:
        """Refuse a framework without `best`/`worst` for a method that rescales."""
        for spec in self.indicators:
            for column, value in (("best", spec.best), ("worst", spec.worst)):
                if value is None:
                    raise InputError(
                        self.source, "this method needs a value here", row=spec.row, column=column
                    )

    def to_columns(self) -> Columns:
        """One row per indicator, the columns the relational plan joins on."""
        specs = self.indicators

        def column(kind: str, values: list[object]) -> tuple[str, list[object]]:
            return kind, values

        return {
            "indicator": column("VARCHAR", [s.indicator for s in specs]),
            "goal": column("INTEGER", [s.goal for s in specs]),
            "best": column("DOUBLE", [s.best for s in specs]),
            "worst": column("DOUBLE", [s.worst for s in specs]),
            "green": column("DOUBLE", [s.green for s in specs]),
            "red": column("DOUBLE", [s.red for s in specs]),
            "weight": column("DOUBLE", [s.weight for s in specs]),
            "in_index": column("BOOLEAN", [s.index for s in specs]),
            "higher_is_better": column("BOOLEAN", [s.higher_is_better for s in specs]),
            "scope_column": column("VARCHAR", [s.scope.column if s.scope else None for s in specs]),
            "scope_negated": column(
                "BOOLEAN", [s.scope.negated if s.scope else None for s in specs]
            ),
            "dashboard_scope_column": column(
                "VARCHAR",
                [s.dashboard_scope.column if s.dashboard_scope else None for s in specs],
            ),
            "dashboard_scope_negated": column(
                "BOOLEAN",
                [s.dashboard_scope.negated if s.dashboard_scope else None for s in specs],
            ),
            "trend_from": column("INTEGER", [s.trend_from for s in specs]),
            "trend_to": column("INTEGER", [s.trend_to for s in specs]),
            "trend_on_track_pace": column("DOUBLE", [s.trend_on_track_pace for s in specs]),
            "trend_moderate_pace": column("DOUBLE", [s.trend_moderate_pace for s in specs]),
        }


def read_framework(path: str | Path) -> Framework:
    """Parse and validate a framework file (CSV or Parquet)."""
    return parse_framework(read_rows(path), source=str(path))


def parse_framework(table: TableLike, *, source: str = "framework") -> Framework:
    require_columns(source, table, REQUIRED_COLUMNS)
    specs: list[IndicatorSpec] = []
    first_row: dict[str, int] = {}
    for row, record in enumerate(table.to_pylist(), start=1):
        spec = _parse_row(record, source, row)
        if spec.indicator in first_row:
            raise InputError(
                source,
                f"duplicate indicator id {spec.indicator!r} (first at row "
                f"{first_row[spec.indicator]})",
                row=row,
                column="indicator",
            )
        first_row[spec.indicator] = row
        specs.append(spec)
    if not specs:
        raise InputError(source, "the framework has no indicators")
    return Framework(indicators=tuple(specs), source=source)


def _parse_row(record: Mapping[str, object], source: str, row: int) -> IndicatorSpec:
    def text(column: str) -> str | None:
        return cells.text(record.get(column))

    def number(column: str) -> float | None:
        return cells.number(record.get(column), source, row, column)

    def integer(column: str) -> int | None:
        return cells.integer(record.get(column), source, row, column)

    def year(column: str) -> int | None:
        return year_cell(record.get(column), source, row, column)

    def fail(column: str, message: str) -> InputError:
        return InputError(source, message, row=row, column=column)

    indicator = text("indicator")
    if indicator is None:
        raise fail("indicator", "an indicator id is required")
    goal = integer("goal")
    if goal is None:
        raise fail("goal", "a goal (1–17) is required")
    if not 1 <= goal <= 17:
        raise fail("goal", f"unknown goal {goal}; goals are 1–17")

    best, worst = number("best"), number("worst")
    if best is not None and worst is not None and best == worst:
        raise fail("worst", f"best and worst are equal ({best:g}); nothing can be rescaled")
    if best is not None and worst is not None and math.isinf(best - worst):
        raise fail("worst", f"best ({best:g}) and worst ({worst:g}) are too far apart to rescale")
    direction = _direction(text("direction"), best, worst, fail)

    green, red = number("green"), number("red")
    if (green is None) != (red is None):
        missing = "red" if red is None else "green"
        raise fail(missing, "give both green and red thresholds, or neither")
    if green is not None and red is not None:
        if math.isinf(green + red):
            # The yellow/orange cut-off is their midpoint.
            raise fail("red", f"green ({green:g}) and red ({red:g}) are too large to average")
        _check_thresholds(green, red, best=best, worst=worst, direction=direction, fail=fail)

    weight = number("weight")
    if weight is not None and weight <= 0:
        raise fail("weight", f"weights must be positive, found {weight:g}")
    if weight is not None and not MIN_WEIGHT <= weight <= MAX_WEIGHT:
        raise fail(
            "weight",
            f"weights must lie from {MIN_WEIGHT:g} to {MAX_WEIGHT:g}, the range the goal "
            f"score's exact sums hold, found {weight:g} (weights are relative within a "
            "goal: scale the goal's weights alike)",
        )
    in_index = cells.boolean(record.get("index"), source, row, "index")

    trend_from, trend_to = year("trend_from"), year("trend_to")
    if trend_from is not None and trend_to is not None and trend_from >= trend_to:
        raise fail("trend_to", f"trend_to ({trend_to}) must be after trend_from ({trend_from})")

    on_track_pace = number("trend_on_track_pace")
    moderate_pace = number("trend_moderate_pace")
    on_track_pace = 1.0 if on_track_pace is None else on_track_pace
    moderate_pace = 0.5 if moderate_pace is None else moderate_pace
    if not 0 < moderate_pace <= on_track_pace:
        raise fail(
            "trend_moderate_pace",
            "need 0 < trend_moderate_pace <= trend_on_track_pace "
            f"(found {moderate_pace:g} and {on_track_pace:g})",
        )

    return IndicatorSpec(
        indicator=indicator,
        goal=goal,
        target=text("target"),
        name=text("name"),
        unit=text("unit"),
        best=best,
        worst=worst,
        green=green,
        red=red,
        weight=1.0 if weight is None else weight,
        index=True if in_index is None else in_index,
        scope=_scope(text("scope"), "scope", fail),
        dashboard_scope=_scope(text("dashboard_scope"), "dashboard_scope", fail),
        trend_from=trend_from,
        trend_to=trend_to,
        target_value=number("target_value"),
        target_year=year("target_year"),
        direction=direction,
        trend_on_track_pace=on_track_pace,
        trend_moderate_pace=moderate_pace,
        row=row,
    )


def year_cell(cell: object, file: str | Path, row: int, column: str) -> int | None:
    """A year cell: a whole number from `FIRST_YEAR` to `LAST_YEAR`, or None if blank."""
    value = cells.number(cell, file, row, column)
    if value is None:
        return None
    if not (value.is_integer() and FIRST_YEAR <= value <= LAST_YEAR):
        raise InputError(file, year_problem(value), row=row, column=column)
    return int(value)


def year_problem(value: float) -> str:
    """The message for a year that is not a whole number from 1 to 9999."""
    return f"expected a whole year from {FIRST_YEAR} to {LAST_YEAR}, found {value:.15g}"


def _direction(
    raw: str | None,
    best: float | None,
    worst: float | None,
    fail: _Fail,
) -> Direction | None:
    derived: Direction | None = None
    if best is not None and worst is not None:
        derived = "increase" if best > worst else "decrease"
    if raw is None:
        return derived
    word = raw.lower()
    if word not in DIRECTIONS:
        raise fail("direction", f"expected 'increase' or 'decrease', found {raw!r}")
    given: Direction = "increase" if word == "increase" else "decrease"
    if derived is not None and given != derived:
        raise fail(
            "direction",
            f"direction {given!r} contradicts best ({best:g}) and worst ({worst:g})",
        )
    return given


def _check_thresholds(
    green: float,
    red: float,
    *,
    best: float | None,
    worst: float | None,
    direction: Direction | None,
    fail: _Fail,
) -> None:
    if direction is None:
        raise fail("direction", "thresholds need a direction: give best and worst, or direction")
    higher = direction == "increase"

    def better(a: float, b: float) -> bool:
        return a > b if higher else a < b

    side = "above" if higher else "below"
    if not better(green, red):
        raise fail(
            "green",
            f"thresholds out of order: green ({green:g}) must be {side} red ({red:g}) "
            f"for a {'higher' if higher else 'lower'}-is-better indicator",
        )
    # The 0–3 dashboard value runs worst → red → green → best; it needs that order.
    if best is not None and better(green, best):
        raise fail("green", f"green ({green:g}) is better than best ({best:g})")
    if worst is not None and better(worst, red):
        raise fail("red", f"red ({red:g}) is worse than worst ({worst:g})")


def _scope(raw: str | None, column: str, fail: _Fail) -> Scope | None:
    if raw is None:
        return None
    scope = Scope.parse(raw)
    if not scope.column:
        raise fail(column, f"{raw!r} names no units column")
    return scope
