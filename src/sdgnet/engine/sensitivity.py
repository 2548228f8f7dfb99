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
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

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

# The runs a sensitivity analysis may ask for. Every run's ranks are kept (runs × units
# numbers of 8 bytes, 0.3 GB for 357 units at this bound) and the percentiles settle
# within a few thousand runs, so a larger count is a mistyped one, which would
# otherwise end in a failed allocation after the scoring.
MAX_RUNS = 100_000


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


def _latest_values(observations: pa.Table, year: int | None) -> pl.DataFrame:
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
    return frame.sort("year").group_by("unit", "indicator").agg(pl.col("value").last()).sort("unit")


def _problem(
    observations: pa.Table,
    framework: Framework,
    units: pa.Table,
    year: int | None,
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
    latest = _latest_values(observations, year).filter(
        pl.col("unit").is_in(unit_ids) & pl.col("indicator").is_in(list(indicator_position))
    )
    rows = np.array([unit_position[u] for u in latest["unit"].to_list()], dtype=np.int64)
    columns = np.array([indicator_position[i] for i in latest["indicator"].to_list()], np.int64)
    values[rows, columns] = latest["value"].to_numpy()

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


def _inverted_cdf(ranks: Matrix, quantile: float) -> Matrix:
    return np.nanquantile(ranks, quantile, axis=0, method="inverted_cdf")


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
) -> pa.Table:
    """Each unit's rank under the nominal method and across ``runs`` Monte Carlo runs
    (the nominal run included); the same ``seed`` gives the same table.

    ``observations``: ``unit, indicator, year, value``; ``units``: ``unit, group`` and
    the scope columns (as for ``score_sdsn``); ``year``: latest value at or before it.
    """
    if not 1 <= runs <= MAX_RUNS:
        raise ValueError(f"runs must be from 1 to {MAX_RUNS}, found {runs}")
    choices = choices or SensitivityChoices()
    problem = _problem(observations, framework, units, year, coverage)
    rng = np.random.default_rng(seed)
    normalised = {name: _positive_scores(problem, name) for name in choices.normalisations}
    # The nominal run is the SDSN computation on its own 0-100 scale (the arithmetic
    # mean needs no positive shift), so that its index scores, rounded for ranking,
    # tie where index.csv's do: `1 + 0.99 s` can split two scores that are equal to 9
    # decimals (50.0000000498 and 50.0000000502, both 50.00000005).
    nominal_scores = normalise(
        "goalpost", problem.values, problem.best, problem.worst, problem.direction
    )

    all_ranks = np.full((runs, len(problem.units)), np.nan)
    all_ranks[0] = _index_ranks(
        problem, nominal_scores, problem.weights, "arithmetic", choices.nominal_missing_goal
    )
    for run in range(1, runs):
        normalisation = choices.normalisations[rng.integers(len(choices.normalisations))]
        aggregation = choices.aggregations[rng.integers(len(choices.aggregations))]
        missing_goal = choices.missing_goal_rules[rng.integers(len(choices.missing_goal_rules))]
        factors = rng.uniform(
            1.0 - choices.weight_spread, 1.0 + choices.weight_spread, problem.weights.size
        )
        all_ranks[run] = _index_ranks(
            problem, normalised[normalisation], problem.weights * factors, aggregation, missing_goal
        )

    ranked = problem.qualifies & ~np.isnan(all_ranks[0])
    counts = (~np.isnan(all_ranks)).sum(axis=0)
    summary: dict[str, Matrix] = {}
    if ranked.any():
        subset = all_ranks[:, ranked]
        for name, quantile in (("median_rank", 0.5), ("p05_rank", 0.05), ("p95_rank", 0.95)):
            column = np.full(len(problem.units), np.nan)
            column[ranked] = _inverted_cdf(subset, quantile)
            summary[name] = column
        summary["min_rank"] = np.where(ranked, np.nanmin(np.where(ranked, all_ranks, 0), 0), np.nan)
        summary["max_rank"] = np.where(ranked, np.nanmax(np.where(ranked, all_ranks, 0), 0), np.nan)
    else:
        for name in ("median_rank", "p05_rank", "p95_rank", "min_rank", "max_rank"):
            summary[name] = np.full(len(problem.units), np.nan)

    def rank_column(values: Matrix) -> pa.Array:
        return pa.array([None if np.isnan(v) else round(float(v)) for v in values], type=pa.int64())

    return pa.table(
        {
            "unit": pa.array(problem.units, pa.string()),
            "nominal_rank": rank_column(np.where(ranked, all_ranks[0], np.nan)),
            "median_rank": rank_column(summary["median_rank"]),
            "p05_rank": rank_column(summary["p05_rank"]),
            "p95_rank": rank_column(summary["p95_rank"]),
            "min_rank": rank_column(summary["min_rank"]),
            "max_rank": rank_column(summary["max_rank"]),
            "runs": pa.array(np.where(ranked, counts, 0).tolist(), pa.int64()),
        }
    )
