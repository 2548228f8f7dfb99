"""Sensitivity analysis: how far each unit's index rank moves when the method
choices vary, in the spirit of COINr's uncertainty analysis (``get_sensitivity``):
Monte Carlo over the choice space, one rank per unit and run, summarised per unit.

Each run draws, independently and uniformly:

* a normalisation: goalpost (SDSN), min-max, z-score or percentile rank
  (:mod:`sdgnet.engine.normalise`);
* an aggregation, used both for goal scores from indicator scores and for the index
  from goal scores: arithmetic, geometric or harmonic (:mod:`sdgnet.engine.aggregate`);
* the indicator weights, each multiplied by a factor drawn from
  ``U(1 - weight_spread, 1 + weight_spread)``;
* the missing-goal rule: ``group-mean`` or ``skip`` (as in METHODOLOGY.md).

Run 0 is always the nominal configuration (goalpost, arithmetic, the framework's
weights, ``group-mean`` unless changed), which reproduces the SDSN index ranks, so
``min_rank <= nominal_rank <= max_rank`` always holds.

Scores enter the other runs' aggregation on a positive scale so that geometric and
harmonic means are defined: goalpost and min-max scores s in [0, 100] as
``1 + 0.99 s``; z-scores z as ``max(50 + 10 z, 1)``; percentile ranks as they are
(0 < r <= 100). These maps are increasing and (but for the floor of the z-score)
affine, so they leave arithmetic-mean orders unchanged. The nominal run aggregates
the goalpost scores themselves (0-100, as the SDSN method), so that its ties are the
SDSN method's.

As in the SDSN method, only ``index = yes`` indicators count, an indicator counts
for a unit only where its ``scope`` includes the unit (a goal none of whose
indicators does is not one of the unit's goals, so ``group-mean`` does not fill it),
and only units with values for at least ``coverage`` of their indicators are ranked (the set is the same in
every run: it depends on data availability only). Ranks: 1 = highest index; as in
the SDSN method (index.csv), index scores are compared after rounding to 9 decimals
(``RANK_DECIMALS``), so scores equal in decimals but not in binary (goal scores summed
in another order) tie, and ties share the best rank.

Output, one row per unit: ``unit, nominal_rank, median_rank, p05_rank, p95_rank,
min_rank, max_rank, runs`` (``runs``: the runs in which the unit had an index).
Percentiles are the "inverted CDF" kind (the smallest rank r such that at least
the share q of the runs have a rank <= r), so they are ranks that occurred. Units
that do not qualify get nulls.

Memory: whatever the number of runs, their ranks are summarised within
``RANKS_BUDGET`` bytes (512 MiB); before, every run's ranks were kept as 8-byte
numbers (runs × units: 8 GB for 10,000 units and 100,000 runs, and about three times
that at the peak of summarising them). Ranks are whole numbers from 1 to the number of
qualifying units, so (:func:`rank_plan`) either

* every run's ranks are kept as 2-byte integers (4-byte from 65,536 units), where
  runs × units of them fit the budget and take no more than a count per unit and rank
  (fewer runs than units) or spare the second pass below; or
* each ranked unit's ranks are counted per rank (2-byte counts, 4-byte beyond 65,535
  runs) and the percentiles read from the counts; where that does not fit (from
  11,586 units with more than 65,535 runs, from 16,385 with fewer), a first pass
  counts ranks in bins of several, which locates each percentile's bin, and a second
  pass over the same runs (the same random draws again) counts the ranks inside those
  bins: the same results, for twice the time.

Either way the percentiles are the ranks NumPy's ``nanquantile(...,
method="inverted_cdf")`` takes from all runs' ranks. Where nothing fits (more than
181,620 units with more than 65,535 runs, 288,330 with fewer, unless the runs are few
enough for their ranks to be kept), :func:`rank_plan` refuses before any run. The runs
themselves are computed one at a time, as before (their matrices are units ×
indicators, whatever the number of runs), and their ranks counted a batch of runs at a
time; the batches and the blocks of units whose percentiles are read at a time take at
most ``WORKING_BYTES`` (16 MiB) besides.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import polars as pl
import pyarrow as pa
from numpy.typing import NDArray

from sdgnet.engine.aggregate import (
    AGGREGATIONS,
    Aggregation,
    grouped_weighted_mean,
    weighted_mean,
)
from sdgnet.engine.framework import Framework
from sdgnet.engine.inputs import parse_units
from sdgnet.engine.methods.sdsn import EPSILON, RANK_DECIMALS
from sdgnet.engine.normalise import NORMALISATIONS, Normalisation, normalise

MissingGoalRule = Literal["group-mean", "skip"]
MISSING_GOAL_RULES: tuple[MissingGoalRule, ...] = ("group-mean", "skip")

Matrix = NDArray[np.float64]

# The runs a sensitivity analysis may ask for: the percentiles settle within a few
# thousand runs, so a larger count is a mistyped one (and would run for hours).
MAX_RUNS = 100_000

# The bytes the summary of the runs' ranks may take: the ranks kept, or counted per unit
# and rank (or bin of ranks), see the module's docstring.
RANKS_BUDGET = 512 * 2**20
# The bytes the working arrays take besides: a batch of runs' ranks before they are
# counted, a block of units whose percentiles are read at a time.
WORKING_BYTES = 16 * 2**20

# A count of at most this many runs, and a rank among at most this many units, fit in
# 2 bytes; beyond, in 4.
MAX_SHORT = int(np.iinfo(np.uint16).max)

# The percentiles reported, by column.
QUANTILES: tuple[tuple[str, float], ...] = (
    ("median_rank", 0.5),
    ("p05_rank", 0.05),
    ("p95_rank", 0.95),
)


@dataclass(frozen=True)
class SensitivityChoices:
    """The choice space; a one-element tuple fixes that choice."""

    normalisations: tuple[Normalisation, ...] = NORMALISATIONS
    aggregations: tuple[Aggregation, ...] = AGGREGATIONS
    weight_spread: float = 0.25
    missing_goal_rules: tuple[MissingGoalRule, ...] = MISSING_GOAL_RULES
    nominal_missing_goal: MissingGoalRule = "group-mean"

    def __post_init__(self) -> None:
        for name, chosen, allowed in (
            ("normalisations", self.normalisations, NORMALISATIONS),
            ("aggregations", self.aggregations, AGGREGATIONS),
            ("missing_goal_rules", self.missing_goal_rules, MISSING_GOAL_RULES),
        ):
            unknown = [c for c in chosen if c not in allowed]
            if not chosen or unknown:
                raise ValueError(f"{name} must be a non-empty subset of {', '.join(allowed)}")
        if not 0 <= self.weight_spread < 1:
            raise ValueError(f"weight_spread must be in [0, 1), found {self.weight_spread}")


@dataclass(frozen=True)
class _Problem:
    """Everything a run needs, fixed across runs."""

    units: list[str]
    values: Matrix  # units × indicators, NaN where missing or out of scope
    best: Matrix
    worst: Matrix
    direction: Matrix
    weights: Matrix  # indicators
    goal_starts: NDArray[np.intp]  # first column of each goal (columns sorted by goal)
    goals: list[int]
    group_codes: NDArray[np.int64]  # per unit; -1 = no group
    qualifies: NDArray[np.bool_]
    # units × goals: the goal has an indicator that applies to the unit (its `scope`),
    # which makes it one of the unit's goals, the only ones `group-mean` fills.
    has_goal: NDArray[np.bool_]


def latest_values(observations: pa.Table, year: int | None) -> pa.Table:
    """Each (unit, indicator)'s latest value at or before ``year`` (any year if None):
    ``unit, indicator, value``, the input of `rank_intervals_of_latest`."""
    frame = pl.from_arrow(observations)
    assert isinstance(frame, pl.DataFrame)
    frame = frame.select(
        pl.col("unit").cast(pl.String),
        pl.col("indicator").cast(pl.String),
        pl.col("year").cast(pl.Int64),
        pl.col("value").cast(pl.Float64),
    ).filter(pl.col("value").is_not_null() & pl.col("value").is_not_nan())
    if year is not None:
        frame = frame.filter(pl.col("year") <= year)
    latest = frame.sort("year").group_by("unit", "indicator").agg(pl.col("value").last())
    return latest.to_arrow()


def _latest_frame(latest: pa.Table) -> pl.DataFrame:
    frame = pl.from_arrow(latest.select(["unit", "indicator", "value"]))
    assert isinstance(frame, pl.DataFrame)
    frame = frame.select(
        pl.col("unit").cast(pl.String),
        pl.col("indicator").cast(pl.String),
        pl.col("value").cast(pl.Float64),
    ).filter(pl.col("value").is_not_null() & pl.col("value").is_not_nan())
    repeated = frame.filter(pl.struct("unit", "indicator").is_duplicated())
    if repeated.height:
        unit, indicator = repeated.row(0)[:2]
        raise ValueError(
            f"latest values: unit {unit!r}, indicator {indicator!r} has more than one value"
        )
    return frame


def _problem(
    latest: pa.Table,
    framework: Framework,
    units: pa.Table,
    coverage: float,
) -> _Problem:
    framework.require_bounds()
    # Columns sorted by goal, so that each goal is a run of adjacent columns.
    specs = sorted((spec for spec in framework if spec.index), key=lambda spec: spec.goal)
    if not specs:
        raise ValueError("the framework has no index = yes indicators")
    typed_units = pl.from_arrow(parse_units(units, framework))
    assert isinstance(typed_units, pl.DataFrame)
    unit_ids: list[str] = typed_units["unit"].to_list()
    unit_position = {unit: i for i, unit in enumerate(unit_ids)}
    indicator_position = {spec.indicator: j for j, spec in enumerate(specs)}

    values = np.full((len(unit_ids), len(specs)), np.nan)
    in_problem = _latest_frame(latest).filter(
        pl.col("unit").is_in(unit_ids) & pl.col("indicator").is_in(list(indicator_position))
    )
    rows = np.array([unit_position[u] for u in in_problem["unit"].to_list()], dtype=np.int64)
    columns = np.array(
        [indicator_position[i] for i in in_problem["indicator"].to_list()], dtype=np.int64
    )
    values[rows, columns] = in_problem["value"].to_numpy()

    applies = np.ones(values.shape, dtype=bool)
    for j, spec in enumerate(specs):
        if spec.scope is not None:
            flags = typed_units[spec.scope.column].to_numpy().astype(bool)
            applies[:, j] = flags != spec.scope.negated
    values = np.where(applies, values, np.nan)
    applicable = applies.sum(axis=1)
    valued = (~np.isnan(values)).sum(axis=1)
    # The SDSN method's test, with its slack: 0.56 * 25 is 14.000000000000002 in
    # binary, and 14 values of 25 meet a coverage of 0.56.
    qualifies = (applicable > 0) & (valued >= coverage * applicable - EPSILON)

    goals = sorted({spec.goal for spec in specs})
    goal_starts = np.searchsorted([spec.goal for spec in specs], goals, side="left")
    groups = typed_units["group"].to_list()
    group_ids = {group: code for code, group in enumerate(sorted({g for g in groups if g}))}
    return _Problem(
        units=unit_ids,
        values=values,
        best=np.array([spec.best for spec in specs], dtype=np.float64),
        worst=np.array([spec.worst for spec in specs], dtype=np.float64),
        direction=np.array([1.0 if spec.higher_is_better else -1.0 for spec in specs]),
        weights=np.array([spec.weight for spec in specs], dtype=np.float64),
        goal_starts=goal_starts.astype(np.intp),
        goals=goals,
        group_codes=np.array([group_ids[g] if g else -1 for g in groups], np.int64),
        qualifies=qualifies,
        has_goal=np.add.reduceat(applies.astype(np.int64), goal_starts, axis=1) > 0,
    )


def _positive_scores(problem: _Problem, normalisation: Normalisation) -> Matrix:
    scores = normalise(
        normalisation, problem.values, problem.best, problem.worst, problem.direction
    )
    if normalisation in ("goalpost", "min-max"):
        return 1.0 + 0.99 * scores
    if normalisation == "z-score":
        return np.maximum(50.0 + 10.0 * scores, 1.0)
    return scores


def _goal_scores(
    problem: _Problem, scores: Matrix, weights: Matrix, aggregation: Aggregation
) -> Matrix:
    """Units × goals; NaN where a unit has no score in the goal."""
    return grouped_weighted_mean(aggregation, scores, weights, problem.goal_starts)


def _fill_missing_goals(problem: _Problem, goal_scores: Matrix) -> Matrix:
    """Fill a qualifying unit's missing goal with the plain mean of that goal over
    the qualifying units of its group (left missing where the group has none). A goal
    none of whose indicators applies to the unit is not one of its goals: it stays
    out, as in the SDSN method."""
    filled = goal_scores.copy()
    for code in np.unique(problem.group_codes[problem.group_codes >= 0]):
        members = (problem.group_codes == code) & problem.qualifies
        group_scores = goal_scores[members]
        present = ~np.isnan(group_scores)
        counts = present.sum(axis=0)
        sums = np.where(present, group_scores, 0.0).sum(axis=0)
        means = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
        block = filled[members]
        missing = np.isnan(block) & problem.has_goal[members]
        filled[members] = np.where(missing, means, block)
    return filled


def _rounded_for_ranking(index: Matrix) -> Matrix:
    """The index rounded to `RANK_DECIMALS` decimals as the SDSN plan's ROUND does it:
    the binary value correctly rounded (Python's `round`), so that index scores equal
    to that many decimals tie here as in index.csv.

    `np.rint(index * 10**d)` is that rounding except where the product, which is off
    the exact one by up to half a unit in its last place, lies that close to a half:
    those few values are rounded by `round` itself."""
    scale = 10.0**RANK_DECIMALS
    with np.errstate(invalid="ignore"):
        scaled = index * scale
        rounded = np.rint(scaled) / scale
        near_half = np.abs(scaled - np.floor(scaled) - 0.5) <= np.spacing(np.abs(scaled))
    for position in np.flatnonzero(near_half):
        rounded.flat[position] = round(float(index.flat[position]), RANK_DECIMALS)
    return rounded


def _ranks(index: Matrix) -> Matrix:
    """1 = highest; index scores equal to `RANK_DECIMALS` decimals tie and share the
    best rank (competition ranking, as the SDSN method's); NaN stays NaN."""
    ranks = np.full(index.shape, np.nan)
    present = ~np.isnan(index)
    keys = -_rounded_for_ranking(index[present])
    ranks[present] = np.searchsorted(np.sort(keys), keys, side="left") + 1
    return ranks


def _index_ranks(
    problem: _Problem,
    scores: Matrix,
    weights: Matrix,
    aggregation: Aggregation,
    missing_goal: MissingGoalRule,
) -> Matrix:
    goal_scores = _goal_scores(problem, scores, weights, aggregation)
    goal_scores[~problem.qualifies] = np.nan
    if missing_goal == "group-mean":
        goal_scores = _fill_missing_goals(problem, goal_scores)
    index = weighted_mean(aggregation, goal_scores, np.ones(len(problem.goals)))
    index[~problem.qualifies] = np.nan
    return _ranks(index)


def _count_type(runs: int) -> type[np.unsignedinteger[Any]]:
    """The type of a count of runs: a count is at most `runs`."""
    return np.uint16 if runs <= MAX_SHORT else np.uint32


def _rank_type(units: int) -> type[np.unsignedinteger[Any]]:
    """The type of a kept rank (0: no rank): a rank is at most `units`."""
    return np.uint16 if units <= MAX_SHORT else np.uint32


def _bin_width(units: int, runs: int, budget: int) -> int | None:
    """The fewest ranks per bin with which `units` units' ranks (each from 1 to
    `units`) over `runs` runs are counted within `budget` bytes; None where no width
    does it (the second pass's bins, one per unit and percentile, take a count per rank
    of a first-pass bin)."""
    if units == 0:
        return 1
    per_unit = budget // (units * np.dtype(_count_type(runs)).itemsize)
    if per_unit >= units:
        return 1
    if per_unit == 0:
        return None
    width = -(-units // per_unit)
    return width if len(QUANTILES) * width <= per_unit else None


@dataclass(frozen=True)
class RankPlan:
    """How the ranks of `units` units over `runs` runs are summarised: kept as small
    integers (`keep_ranks`), or counted per unit in bins of `bin_width` ranks (1: per
    rank, one pass over the runs; more: a second pass counts the ranks inside the bins
    that hold the percentiles)."""

    units: int
    runs: int
    keep_ranks: bool
    bin_width: int

    @property
    def rank_type(self) -> type[np.unsignedinteger[Any]]:
        return _rank_type(self.units)

    @property
    def count_type(self) -> type[np.unsignedinteger[Any]]:
        return _count_type(self.runs)

    @property
    def bins(self) -> int:
        return -(-self.units // self.bin_width)

    @property
    def passes(self) -> int:
        return 1 if self.keep_ranks or self.bin_width == 1 else 2

    @property
    def table_bytes(self) -> int:
        """The bytes of the kept ranks, or of the larger of the passes' tables of counts
        (the first one's is freed before the second one's is made)."""
        if self.keep_ranks:
            return self.runs * self.units * np.dtype(self.rank_type).itemsize
        per_unit = (
            self.bins if self.passes == 1 else max(self.bins, len(QUANTILES) * self.bin_width)
        )
        return self.units * per_unit * np.dtype(self.count_type).itemsize


def _plan(units: int, runs: int, budget: int) -> RankPlan | None:
    """The plan that fits `budget`, if any: the ranks kept where they fit and take no
    more than one pass's counts (or where the counts need two passes or do not fit),
    the counts otherwise."""
    width = _bin_width(units, runs, budget)
    counted = None if width is None else RankPlan(units, runs, keep_ranks=False, bin_width=width)
    kept = RankPlan(units, runs, keep_ranks=True, bin_width=1)
    if kept.table_bytes <= budget and (
        counted is None or counted.passes == 2 or kept.table_bytes <= counted.table_bytes
    ):
        return kept
    return counted


def _largest(fits: Callable[[int], bool], most: int | None = None) -> int:
    """The largest n >= 0 (and <= `most`) for which `fits(n)`, where `fits` holds up to
    some n and not beyond: a search by halves."""
    feasible, beyond = 0, 1
    while (most is None or beyond <= most) and fits(beyond):
        feasible, beyond = beyond, beyond * 2
    if most is not None:
        beyond = min(beyond, most + 1)
    while beyond - feasible > 1:
        middle = (feasible + beyond) // 2
        if fits(middle):
            feasible = middle
        else:
            beyond = middle
    return feasible


def max_units(runs: int, budget: int | None = None) -> int:
    """The most units whose ranks over `runs` runs can be summarised within `budget`
    bytes (default `RANKS_BUDGET`)."""
    budget = RANKS_BUDGET if budget is None else budget
    return _largest(lambda units: _plan(units, runs, budget) is not None)


def max_runs(units: int, budget: int | None = None) -> int:
    """The most runs (at most `MAX_RUNS`; 0: none) over which the ranks of `units` units
    can be summarised within `budget` bytes (default `RANKS_BUDGET`)."""
    budget = RANKS_BUDGET if budget is None else budget
    return _largest(lambda runs: _plan(units, runs, budget) is not None, MAX_RUNS)


class TooManyUnits(ValueError):
    """The ranks of `units` units over `runs` runs cannot be summarised within `budget`
    bytes. `unit_limit`: the most units that can be with `runs` runs; `run_limit`: the
    most runs with `units` units (0: none)."""

    def __init__(self, units: int, runs: int, budget: int) -> None:
        self.units = units
        self.runs = runs
        self.budget = budget
        self.unit_limit = max_units(runs, budget)
        self.run_limit = max_runs(units, budget)
        message = (
            f"{units:,} units are too many for a sensitivity analysis of {runs:,} runs: "
            f"summarising their ranks would take more than {self.budget_text}; "
            f"give at most {self.unit_limit:,} units"
        )
        if self.run_limit > 0:
            message += f", or at most {self.run_limit:,} runs"
        super().__init__(message)

    @property
    def budget_text(self) -> str:
        if self.budget >= 2**20:
            return f"{self.budget / 2**20:,.0f} MiB"
        return f"{self.budget:,} bytes"


def rank_plan(units: int, runs: int, budget: int | None = None) -> RankPlan:
    """The plan for summarising the ranks of `units` units over `runs` runs within
    `budget` bytes (default `RANKS_BUDGET`); `TooManyUnits` (a ValueError that says what
    to lower) where none fits. It needs no run (`units`: those that may be ranked, or
    more), so a caller can refuse before any scoring."""
    budget = RANKS_BUDGET if budget is None else budget
    plan = _plan(units, runs, budget)
    if plan is None:
        raise TooManyUnits(units, runs, budget)
    return plan


def _run_ranks(
    problem: _Problem,
    choices: SensitivityChoices,
    *,
    runs: int,
    seed: int,
    normalised: dict[Normalisation, Matrix],
    nominal_scores: Matrix,
) -> Iterator[Matrix]:
    """Each run's ranks (units; NaN: no index), run 0 (the nominal one) first. Each call
    draws the same runs again from `seed`."""
    yield _index_ranks(
        problem, nominal_scores, problem.weights, "arithmetic", choices.nominal_missing_goal
    )
    rng = np.random.default_rng(seed)
    for _ in range(1, runs):
        normalisation = choices.normalisations[rng.integers(len(choices.normalisations))]
        aggregation = choices.aggregations[rng.integers(len(choices.aggregations))]
        missing_goal = choices.missing_goal_rules[rng.integers(len(choices.missing_goal_rules))]
        factors = rng.uniform(
            1.0 - choices.weight_spread, 1.0 + choices.weight_spread, problem.weights.size
        )
        yield _index_ranks(
            problem, normalised[normalisation], problem.weights * factors, aggregation, missing_goal
        )


class _Tally:
    """Per ranked unit (`rows`): the runs in which it has a rank, its lowest and highest
    rank."""

    def __init__(self, rows: NDArray[np.intp]) -> None:
        self.rows = rows
        self.runs = np.zeros(rows.size, np.int64)
        self.lowest = np.full(rows.size, np.inf)
        self.highest = np.full(rows.size, -np.inf)

    def add(self, ranks: Matrix) -> tuple[Matrix, NDArray[np.intp]]:
        """Tally a run's ranks; the ranked units' ranks and the positions of those that
        have one."""
        mine = ranks[self.rows]
        present = np.flatnonzero(~np.isnan(mine))
        self.runs[present] += 1
        np.fmin(self.lowest, mine, out=self.lowest)
        np.fmax(self.highest, mine, out=self.highest)
        return mine, present


class _KeptRanks(_Tally):
    """Every run's ranks of the ranked units, as small integers (0: no rank)."""

    def __init__(self, rows: NDArray[np.intp], plan: RankPlan) -> None:
        super().__init__(rows)
        self.ranks = np.zeros((plan.runs, rows.size), plan.rank_type)
        self.added = 0

    def add(self, ranks: Matrix) -> tuple[Matrix, NDArray[np.intp]]:
        mine, present = super().add(ranks)
        self.ranks[self.added, present] = mine[present]
        self.added += 1
        return mine, present

    def percentiles(self, positions: NDArray[np.int64]) -> NDArray[np.int64]:
        """The ranks at `positions` (percentiles × units) of each unit's ranks in order,
        sorting a block of units at a time (at most `WORKING_BYTES`)."""
        runs, units = self.ranks.shape
        found = np.zeros(positions.shape, np.int64)
        block = max(1, WORKING_BYTES // max(runs * self.ranks.itemsize, 1))
        for start in range(0, units, block):
            stop = min(units, start + block)
            ordered = np.sort(self.ranks[:, start:stop], axis=0)  # 0 (no rank) first
            first = runs - self.runs[start:stop]
            for quantile, targets in enumerate(positions[:, start:stop]):
                found[quantile, start:stop] = ordered[first + targets, np.arange(stop - start)]
        return found


class _FirstPass(_Tally):
    """Besides the tally: how many of each ranked unit's ranks fall in each bin of
    `plan.bin_width` ranks (`counts`, complete after `finish`).

    The runs' bins are gathered a batch at a time (at most `WORKING_BYTES` with the
    positions they make) and counted unit by unit: a run counted alone adds one count
    to every unit's row, a cache miss each in a large table (units × units)."""

    def __init__(self, rows: NDArray[np.intp], plan: RankPlan) -> None:
        super().__init__(rows)
        self.width = plan.bin_width
        self.counts = np.zeros((rows.size, plan.bins), plan.count_type)
        # Per run: its bins, their positions in the table (twice) and which are ranks.
        per_run = max(rows.size, 1) * (3 * np.dtype(np.intp).itemsize + 1)
        batch = max(1, WORKING_BYTES // per_run)
        self.batch = np.zeros((batch, rows.size), np.intp)  # bins; -1: no rank
        self.gathered = 0
        self.row_starts = (np.arange(rows.size, dtype=np.intp) * plan.bins)[:, None]

    def add(self, ranks: Matrix) -> tuple[Matrix, NDArray[np.intp]]:
        mine, present = super().add(ranks)
        bins = self.batch[self.gathered]
        bins.fill(-1)
        bins[present] = (mine[present].astype(np.intp) - 1) // self.width
        self.gathered += 1
        if self.gathered == len(self.batch):
            self.finish()
        return mine, present

    def finish(self) -> None:
        """Count the batch gathered so far."""
        bins = self.batch[: self.gathered].T  # units × runs: a unit's counts together
        positions = (bins + self.row_starts)[bins >= 0]
        np.add.at(self.counts.reshape(-1), positions, self.counts.dtype.type(1))
        self.gathered = 0


class _SecondPass:
    """Per ranked unit and percentile: how many of its ranks fall on each rank of the
    first-pass bin (`bins`, percentiles × units) that holds the percentile."""

    def __init__(self, rows: NDArray[np.intp], plan: RankPlan, bins: NDArray[np.int64]) -> None:
        self.rows = rows
        self.width = plan.bin_width
        self.bins = bins
        self.counts = np.zeros((len(bins), rows.size, plan.bin_width), plan.count_type)

    def add(self, ranks: Matrix) -> None:
        mine = ranks[self.rows]
        present = np.flatnonzero(~np.isnan(mine))
        offsets = mine[present].astype(np.intp) - 1
        bins = offsets // self.width
        offsets -= bins * self.width
        for quantile, counts in enumerate(self.counts):
            hit = bins == self.bins[quantile, present]
            counts[present[hit], offsets[hit]] += 1


def _order_positions(runs: NDArray[np.int64], quantile: float) -> NDArray[np.int64]:
    """Per unit with `runs` ranks, the position (from 0) among its ranks in order of the
    one NumPy's ``nanquantile(ranks, quantile, method="inverted_cdf")`` takes, asked of
    NumPy itself once per number of runs that occurs (a unit's runs are all runs but
    those in which it has no index, so there are one or two)."""
    positions = np.zeros_like(runs)
    for count in np.unique(runs[runs > 0]).tolist():
        ordered = np.arange(count, dtype=np.float64)
        position = np.quantile(ordered, quantile, method="inverted_cdf")
        positions[runs == count] = int(position)
    return positions


def _locate(
    counts: NDArray[Any], positions: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Where `positions` (percentiles × rows) fall in `counts` (rows × columns): per
    percentile and row, the column whose count holds that position of the row's ranks
    in order, and the position within the column. Rows are taken a block at a time, so
    the running sums take at most `WORKING_BYTES` (a running sum is at most the runs,
    which an int32 holds)."""
    rows, columns = counts.shape
    found = np.zeros(positions.shape, np.int64)
    within = np.zeros(positions.shape, np.int64)
    block = max(1, WORKING_BYTES // (max(columns, 1) * 5))  # int32 sums, bool comparisons
    for start in range(0, rows, block):
        stop = min(rows, start + block)
        running = np.cumsum(counts[start:stop], axis=1, dtype=np.int32)
        for quantile, targets in enumerate(positions[:, start:stop]):
            column = (running <= targets[:, None]).sum(axis=1)
            before = running[np.arange(stop - start), np.maximum(column - 1, 0)]
            found[quantile, start:stop] = column
            within[quantile, start:stop] = targets - np.where(column > 0, before, 0)
    return found, within


def _summarise(
    each_run: Callable[[], Iterator[Matrix]], rows: NDArray[np.intp], plan: RankPlan
) -> tuple[_Tally, NDArray[np.int64]]:
    """The ranked units' (`rows`) tally and percentiles (as `QUANTILES`), by `plan`."""
    if plan.keep_ranks:
        kept = _KeptRanks(rows, plan)
        for ranks in each_run():
            kept.add(ranks)
        positions = np.stack([_order_positions(kept.runs, q) for _, q in QUANTILES])
        return kept, kept.percentiles(positions)
    first = _FirstPass(rows, plan)
    for ranks in each_run():
        first.add(ranks)
    first.finish()
    positions = np.stack([_order_positions(first.runs, q) for _, q in QUANTILES])
    bins, within = _locate(first.counts, positions)
    if plan.passes == 1:
        return first, bins + 1
    del first.counts, first.batch  # before the second pass's
    second = _SecondPass(rows, plan, bins)
    for ranks in each_run():
        second.add(ranks)
    offsets = np.stack(
        [
            _locate(counts, within[quantile : quantile + 1])[0][0]
            for quantile, counts in enumerate(second.counts)
        ]
    )
    return first, bins * plan.bin_width + offsets + 1


def rank_intervals(
    observations: pa.Table,
    framework: Framework,
    units: pa.Table,
    *,
    year: int | None = None,
    runs: int = 1000,
    seed: int = 0,
    choices: SensitivityChoices | None = None,
    coverage: float = 0.8,
    ranks_budget: int | None = None,
) -> pa.Table:
    """Each unit's rank under the nominal method and across ``runs`` Monte Carlo runs
    (the nominal run included); the same ``seed`` gives the same table, whatever
    ``ranks_budget`` (the bytes the ranks' summary may take, default ``RANKS_BUDGET``,
    see the module's docstring; `TooManyUnits` before any run where the units are too
    many for it).

    ``observations``: ``unit, indicator, year, value``; ``units``: ``unit, group`` and
    the scope columns (as for ``score_sdsn``); ``year``: latest value at or before it.
    """
    return rank_intervals_of_latest(
        latest_values(observations, year),
        framework,
        units,
        runs=runs,
        seed=seed,
        choices=choices,
        coverage=coverage,
        ranks_budget=ranks_budget,
    )


def rank_intervals_of_latest(
    latest: pa.Table,
    framework: Framework,
    units: pa.Table,
    *,
    runs: int = 1000,
    seed: int = 0,
    choices: SensitivityChoices | None = None,
    coverage: float = 0.8,
    ranks_budget: int | None = None,
) -> pa.Table:
    """`rank_intervals` from each (unit, indicator)'s value for the year scored
    (``latest``: ``unit, indicator, value``, one row per pair; missing values may be
    left out or given as null), such as `sdgnet score` has already found: the
    observations are not read again."""
    if not 1 <= runs <= MAX_RUNS:
        raise ValueError(f"runs must be from 1 to {MAX_RUNS}, found {runs}")
    choices = choices or SensitivityChoices()
    budget = RANKS_BUDGET if ranks_budget is None else ranks_budget
    problem = _problem(latest, framework, units, coverage)
    # Ranks run from 1 to the number of qualifying units, the most that can be ranked.
    plan = rank_plan(int(problem.qualifies.sum()), runs, budget)
    normalised = {name: _positive_scores(problem, name) for name in choices.normalisations}
    # The nominal run is the SDSN computation on its own 0-100 scale (the arithmetic
    # mean needs no positive shift), so that its index scores, rounded for ranking,
    # tie where index.csv's do: `1 + 0.99 s` can split two scores that are equal to 9
    # decimals (50.0000000498 and 50.0000000502, both 50.00000005).
    nominal_scores = normalise(
        "goalpost", problem.values, problem.best, problem.worst, problem.direction
    )

    def each_run() -> Iterator[Matrix]:
        return _run_ranks(
            problem,
            choices,
            runs=runs,
            seed=seed,
            normalised=normalised,
            nominal_scores=nominal_scores,
        )

    nominal = next(each_run())
    ranked = problem.qualifies & ~np.isnan(nominal)
    rows = np.flatnonzero(ranked)
    tally, percentiles = _summarise(each_run, rows, plan)

    def of_units(ranked_values: NDArray[Any]) -> Matrix:
        column = np.full(len(problem.units), np.nan)
        column[rows] = ranked_values
        return column

    def rank_column(values: Matrix) -> pa.Array:
        return pa.array([None if np.isnan(v) else round(float(v)) for v in values], type=pa.int64())

    summary = {name: of_units(percentiles[q]) for q, (name, _) in enumerate(QUANTILES)}
    runs_column = np.zeros(len(problem.units), np.int64)
    runs_column[rows] = tally.runs
    return pa.table(
        {
            "unit": pa.array(problem.units, pa.string()),
            "nominal_rank": rank_column(np.where(ranked, nominal, np.nan)),
            "median_rank": rank_column(summary["median_rank"]),
            "p05_rank": rank_column(summary["p05_rank"]),
            "p95_rank": rank_column(summary["p95_rank"]),
            "min_rank": rank_column(of_units(tally.lowest)),
            "max_rank": rank_column(of_units(tally.highest)),
            "runs": pa.array(runs_column.tolist(), pa.int64()),
        }
    )
