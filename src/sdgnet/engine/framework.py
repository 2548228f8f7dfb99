"""Framework specifications: what each indicator is and how it is scored.

`read_framework(path)` parses `framework.csv` (or `.parquet`, same columns) into a
`Framework` of `IndicatorSpec`s, refusing bad files with an `InputError` that
names the file, row and column. The columns are those of METHODOLOGY.md; two
optional extra columns make the SDSN trend cut-offs configurable per indicator:

- `trend_on_track_pace` (default 1.0): share of the needed yearly score gain
  that counts as on track;
- `trend_moderate_pace` (default 0.5): share that counts as moderately improving.

The rules a framework must keep (goals 1-17, weights from `MIN_WEIGHT` to
`MAX_WEIGHT`, years from `FIRST_YEAR` to `LAST_YEAR`, thresholds in order, ...) live
in one place, the `*_problem` functions below: the file reader applies them row by
row, and `Framework` applies them (`indicator_problems`) to specifications built in
code, as the platform's rescore builds them from its framework entries, so that no
path reaches the scoring without them. The platform checks its entries with
`indicator_problems` where they are entered.

Units and observations are read by `sdgnet.engine.inputs`.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
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
        # The file reader has checked its rows already (naming file, row and column, in
        # the order of the columns); specifications built in code are checked here.
        for spec in self.indicators:
            for problem in indicator_problems(spec):
                raise InputError(
                    self.source,
                    f"indicator {spec.indicator!r}: {problem.message}",
                    row=spec.row or None,
                    column=problem.column,
                )
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
    """One row as a specification; the rules are checked as each column is read (the
    first problem, in column order, is the one reported)."""

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

    def check(problem: SpecProblem | None) -> None:
        if problem is not None:
            raise fail(problem.column, problem.message)

    indicator = text("indicator")
    if indicator is None:
        raise fail("indicator", "an indicator id is required")
    goal = integer("goal")
    if goal is None:
        raise fail("goal", "a goal (1–17) is required")
    check(goal_problem(goal))

    best, worst = number("best"), number("worst")
    check(bounds_problem(best, worst))
    raw_direction = text("direction")
    direction: Direction | None = None
    if raw_direction is not None:
        word = raw_direction.lower()
        if word not in DIRECTIONS:
            raise fail("direction", _unknown_direction(raw_direction))
        direction = "increase" if word == "increase" else "decrease"
    check(direction_problem(direction, best, worst))
    direction = direction or derived_direction(best, worst)

    green, red = number("green"), number("red")
    check(thresholds_problem(green, red, best=best, worst=worst, direction=direction))

    weight = number("weight")
    if weight is not None:
        check(weight_problem(weight))
    in_index = cells.boolean(record.get("index"), source, row, "index")

    trend_from, trend_to = year("trend_from"), year("trend_to")
    check(trend_period_problem(trend_from, trend_to))

    on_track_pace = number("trend_on_track_pace")
    moderate_pace = number("trend_moderate_pace")
    on_track_pace = 1.0 if on_track_pace is None else on_track_pace
    moderate_pace = 0.5 if moderate_pace is None else moderate_pace
    check(trend_paces_problem(on_track_pace, moderate_pace))

    scope, dashboard_scope = text("scope"), text("dashboard_scope")
    for column, raw in (("scope", scope), ("dashboard_scope", dashboard_scope)):
        if raw is not None:
            check(scope_problem(Scope.parse(raw), raw, column))

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
        scope=None if scope is None else Scope.parse(scope),
        dashboard_scope=None if dashboard_scope is None else Scope.parse(dashboard_scope),
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
    if not is_year(value):
        raise InputError(file, year_problem(value), row=row, column=column)
    return int(value)


def is_year(value: float) -> bool:
    """Whether `value` is a year the engine takes: a whole number from 1 to 9999."""
    return float(value).is_integer() and FIRST_YEAR <= value <= LAST_YEAR


def year_problem(value: float) -> str:
    """The message for a year that is not a whole number from 1 to 9999."""
    return f"expected a whole year from {FIRST_YEAR} to {LAST_YEAR}, found {value:.15g}"


# ---- the rules --------------------------------------------------------------------

# Which rule a problem breaks, for callers that word it themselves (the platform
# translates them): the English `message` is the engine's own.
Rule = Literal[
    "not_finite",
    "unknown_goal",
    "bounds_equal",
    "bounds_too_far_apart",
    "unknown_direction",
    "direction_contradicts_bounds",
    "thresholds_unpaired",
    "thresholds_too_large",
    "thresholds_need_direction",
    "thresholds_out_of_order",
    "green_better_than_best",
    "red_worse_than_worst",
    "weight_not_positive",
    "weight_out_of_range",
    "year_out_of_range",
    "trend_period_reversed",
    "trend_paces_out_of_order",
    "scope_without_column",
]


@dataclass(frozen=True, slots=True)
class SpecProblem:
    """A rule an indicator's specification breaks: the column at fault, the rule, and
    the engine's message."""

    column: str
    rule: Rule
    message: str


def indicator_problems(spec: IndicatorSpec) -> list[SpecProblem]:
    """Every rule `spec` breaks (the file reader's rules, in the order of its columns);
    empty if the engine can score it. A rule that depends on columns found at fault
    before it (thresholds on a direction that contradicts the bounds) is not checked."""
    problems: list[SpecProblem] = []

    def add(problem: SpecProblem | None) -> bool:
        if problem is not None:
            problems.append(problem)
        return problem is None

    numbers = {
        "best": spec.best,
        "worst": spec.worst,
        "green": spec.green,
        "red": spec.red,
        "weight": spec.weight,
        "target_value": spec.target_value,
        "trend_on_track_pace": spec.trend_on_track_pace,
        "trend_moderate_pace": spec.trend_moderate_pace,
    }
    # Cells are read as finite numbers or blank; a specification built in code could
    # hold NaN or infinity, which no rule below expects.
    finite = {column: value is None or math.isfinite(value) for column, value in numbers.items()}
    for column, ok in finite.items():
        if not ok:
            add(SpecProblem(column, "not_finite", "expected a finite number"))
    add(goal_problem(spec.goal))
    bounds_ok = finite["best"] and finite["worst"] and add(bounds_problem(spec.best, spec.worst))
    direction_ok = bounds_ok and add(_spec_direction_problem(spec.direction, spec.best, spec.worst))
    if direction_ok and finite["green"] and finite["red"]:
        direction = spec.direction or derived_direction(spec.best, spec.worst)
        add(
            thresholds_problem(
                spec.green, spec.red, best=spec.best, worst=spec.worst, direction=direction
            )
        )
    if finite["weight"]:
        add(weight_problem(spec.weight))
    for column, year in (("trend_from", spec.trend_from), ("trend_to", spec.trend_to)):
        if year is not None and not is_year(year):
            add(SpecProblem(column, "year_out_of_range", year_problem(year)))
    add(trend_period_problem(spec.trend_from, spec.trend_to))
    if finite["trend_on_track_pace"] and finite["trend_moderate_pace"]:
        add(trend_paces_problem(spec.trend_on_track_pace, spec.trend_moderate_pace))
    for column, scope in (("scope", spec.scope), ("dashboard_scope", spec.dashboard_scope)):
        if scope is not None:
            add(scope_problem(scope, str(scope), column))
    if spec.target_year is not None and not is_year(spec.target_year):
        add(SpecProblem("target_year", "year_out_of_range", year_problem(spec.target_year)))
    return problems


def goal_problem(goal: int) -> SpecProblem | None:
    if 1 <= goal <= 17:
        return None
    return SpecProblem("goal", "unknown_goal", f"unknown goal {goal}; goals are 1–17")


def bounds_problem(best: float | None, worst: float | None) -> SpecProblem | None:
    if best is None or worst is None:
        return None
    if best == worst:
        return SpecProblem(
            "worst", "bounds_equal", f"best and worst are equal ({best:g}); nothing can be rescaled"
        )
    if math.isinf(best - worst):
        return SpecProblem(
            "worst",
            "bounds_too_far_apart",
            f"best ({best:g}) and worst ({worst:g}) are too far apart to rescale",
        )
    return None


def derived_direction(best: float | None, worst: float | None) -> Direction | None:
    """The direction `best` and `worst` imply (None without both)."""
    if best is None or worst is None:
        return None
    return "increase" if best > worst else "decrease"


def direction_problem(
    direction: Direction | None, best: float | None, worst: float | None
) -> SpecProblem | None:
    """A given direction that contradicts `best` and `worst`."""
    derived = derived_direction(best, worst)
    if direction is None or derived is None or direction == derived:
        return None
    return SpecProblem(
        "direction",
        "direction_contradicts_bounds",
        f"direction {direction!r} contradicts best ({best:g}) and worst ({worst:g})",
    )


def _spec_direction_problem(
    direction: str | None, best: float | None, worst: float | None
) -> SpecProblem | None:
    # A specification built in code may hold any word (the type is not checked at
    # run time); the file reader refuses one while parsing the cell.
    if direction is None:
        return None
    for known in DIRECTIONS:
        if direction == known:
            return direction_problem(known, best, worst)
    return SpecProblem("direction", "unknown_direction", _unknown_direction(direction))


def _unknown_direction(raw: str) -> str:
    return f"expected 'increase' or 'decrease', found {raw!r}"


def thresholds_problem(
    green: float | None,
    red: float | None,
    *,
    best: float | None,
    worst: float | None,
    direction: Direction | None,
) -> SpecProblem | None:
    if green is None and red is None:
        return None
    if green is None or red is None:
        missing = "red" if red is None else "green"
        return SpecProblem(
            missing, "thresholds_unpaired", "give both green and red thresholds, or neither"
        )
    if math.isinf(green + red):
        # The yellow/orange cut-off is their midpoint.
        return SpecProblem(
            "red",
            "thresholds_too_large",
            f"green ({green:g}) and red ({red:g}) are too large to average",
        )
    if direction is None:
        return SpecProblem(
            "direction",
            "thresholds_need_direction",
            "thresholds need a direction: give best and worst, or direction",
        )
    higher = direction == "increase"

    def better(a: float, b: float) -> bool:
        return a > b if higher else a < b

    side = "above" if higher else "below"
    if not better(green, red):
        return SpecProblem(
            "green",
            "thresholds_out_of_order",
            f"thresholds out of order: green ({green:g}) must be {side} red ({red:g}) "
            f"for a {'higher' if higher else 'lower'}-is-better indicator",
        )
    # The 0–3 dashboard value runs worst → red → green → best; it needs that order.
    if best is not None and better(green, best):
        return SpecProblem(
            "green", "green_better_than_best", f"green ({green:g}) is better than best ({best:g})"
        )
    if worst is not None and better(worst, red):
        return SpecProblem(
            "red", "red_worse_than_worst", f"red ({red:g}) is worse than worst ({worst:g})"
        )
    return None


def weight_problem(weight: float) -> SpecProblem | None:
    if weight <= 0:
        return SpecProblem(
            "weight", "weight_not_positive", f"weights must be positive, found {weight:g}"
        )
    if not MIN_WEIGHT <= weight <= MAX_WEIGHT:
        return SpecProblem(
            "weight",
            "weight_out_of_range",
            f"weights must lie from {MIN_WEIGHT:g} to {MAX_WEIGHT:g}, the range the goal "
            f"score's exact sums hold, found {weight:g} (weights are relative within a "
            "goal: scale the goal's weights alike)",
        )
    return None


def trend_period_problem(trend_from: int | None, trend_to: int | None) -> SpecProblem | None:
    if trend_from is None or trend_to is None or trend_from < trend_to:
        return None
    return SpecProblem(
        "trend_to",
        "trend_period_reversed",
        f"trend_to ({trend_to}) must be after trend_from ({trend_from})",
    )


def trend_paces_problem(on_track_pace: float, moderate_pace: float) -> SpecProblem | None:
    if 0 < moderate_pace <= on_track_pace:
        return None
    return SpecProblem(
        "trend_moderate_pace",
        "trend_paces_out_of_order",
        "need 0 < trend_moderate_pace <= trend_on_track_pace "
        f"(found {moderate_pace:g} and {on_track_pace:g})",
    )


def scope_problem(scope: Scope, raw: str, column: str) -> SpecProblem | None:
    if scope.column:
        return None
    return SpecProblem(column, "scope_without_column", f"{raw!r} names no units column")
