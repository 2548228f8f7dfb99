"""Eurostat, *Sustainable development in the European Union* monitoring report,
methodological annex: the compound annual growth rate of each indicator over the
short term (the past 5 years) or the long term (the past 15 years).

* With a quantified target: the ratio of the actual to the required growth rate,
  the required rate leading from the period's first value to the target by the
  target year: at least 95% significant progress towards the target, 60-95%
  moderate progress, 0-60% insufficient progress, below 0 movement away.
* Without a target: the growth rate in the desired direction, above 1% a year
  significant progress, 0-1% moderate progress, -1-0% moderate movement away,
  below -1% significant movement away.

Choices where the annex leaves room (documented in docs/methodology.md): the
period runs from the first year with a value in or after ``t - 5`` (``t - 15``)
to the latest year ``t``, and must span at least 3 (10) years; a growth rate of
exactly 0 is moderate progress and exactly -1% moderate movement away (each band
holds its upper bound, as ``> 1%`` holds none); a latest value already at least as
good as the target is significant progress towards it; where the period's first
value already met the target but the latest does not, the series moved away;
values at or below zero (negative for the latest value) cannot be assessed.
"""

from __future__ import annotations

from typing import Literal

import polars as pl

from sdgnet.engine.progress._series import growth_rate, meets_target

Term = Literal["short", "long"]

PERIOD_YEARS: dict[Term, int] = {"short": 5, "long": 15}
MINIMUM_SPAN_YEARS: dict[Term, int] = {"short": 3, "long": 10}

SIGNIFICANT_PROGRESS_TOWARDS_TARGET = "significant_progress_towards_target"
MODERATE_PROGRESS_TOWARDS_TARGET = "moderate_progress_towards_target"
INSUFFICIENT_PROGRESS_TOWARDS_TARGET = "insufficient_progress_towards_target"
MOVEMENT_AWAY_FROM_TARGET = "movement_away_from_target"

SIGNIFICANT_PROGRESS = "significant_progress"
MODERATE_PROGRESS = "moderate_progress"
MODERATE_MOVEMENT_AWAY = "moderate_movement_away"
SIGNIFICANT_MOVEMENT_AWAY = "significant_movement_away"

STATUSES_WITH_TARGET = (
    SIGNIFICANT_PROGRESS_TOWARDS_TARGET,
    MODERATE_PROGRESS_TOWARDS_TARGET,
    INSUFFICIENT_PROGRESS_TOWARDS_TARGET,
    MOVEMENT_AWAY_FROM_TARGET,
)
STATUSES_WITHOUT_TARGET = (
    SIGNIFICANT_PROGRESS,
    MODERATE_PROGRESS,
    MODERATE_MOVEMENT_AWAY,
    SIGNIFICANT_MOVEMENT_AWAY,
)


def start_year(term: Term) -> pl.Expr:
    return pl.col("latest_year") - PERIOD_YEARS[term]


def status_from_ratio(ratio: pl.Expr) -> pl.Expr:
    """``>= 0.95`` significant, ``[0.6, 0.95)`` moderate, ``[0, 0.6)`` insufficient,
    ``< 0`` movement away; null or NaN gives null."""
    return (
        pl.when(ratio.is_null() | ratio.is_nan())
        .then(pl.lit(None, dtype=pl.String))
        .when(ratio >= 0.95)
        .then(pl.lit(SIGNIFICANT_PROGRESS_TOWARDS_TARGET))
        .when(ratio >= 0.6)
        .then(pl.lit(MODERATE_PROGRESS_TOWARDS_TARGET))
        .when(ratio >= 0.0)
        .then(pl.lit(INSUFFICIENT_PROGRESS_TOWARDS_TARGET))
        .otherwise(pl.lit(MOVEMENT_AWAY_FROM_TARGET))
    )


def status_from_growth(growth: pl.Expr) -> pl.Expr:
    """``> 1%`` significant progress, ``[0, 1%]`` moderate progress, ``[-1%, 0)``
    moderate movement away, ``< -1%`` significant movement away."""
    return (
        pl.when(growth.is_null() | growth.is_nan())
        .then(pl.lit(None, dtype=pl.String))
        .when(growth > 0.01)
        .then(pl.lit(SIGNIFICANT_PROGRESS))
        .when(growth >= 0.0)
        .then(pl.lit(MODERATE_PROGRESS))
        .when(growth >= -0.01)
        .then(pl.lit(MODERATE_MOVEMENT_AWAY))
        .otherwise(pl.lit(SIGNIFICANT_MOVEMENT_AWAY))
    )


def evaluate(endpoints: pl.DataFrame, term: Term) -> pl.DataFrame:
    """Add ``status``, ``reason`` and ``progress_value`` to the endpoints (whose
    ``base_*`` columns are the first point of the period)."""
    direction = pl.col("direction_sign").cast(pl.Float64)
    base = pl.col("base_value")
    latest = pl.col("latest_value")
    target = pl.col("target_value")
    has_target = target.is_not_null()
    observed = growth_rate(latest, base, pl.col("latest_year"), pl.col("base_year"))
    required = growth_rate(target, base, pl.col("target_year"), pl.col("base_year"))
    progress = (
        pl.when(has_target)
        .then(direction * observed / required.abs())
        .otherwise(direction * observed)
    )
    achieved = has_target & meets_target(latest, target)
    base_met_target = has_target & meets_target(base, target)
    reason = (
        pl.when(pl.col("latest_year").is_null())
        .then(pl.lit("no_value"))
        .when(achieved)
        .then(pl.lit(None, dtype=pl.String))
        .when(pl.col("latest_year") - pl.col("base_year") < MINIMUM_SPAN_YEARS[term])
        .then(pl.lit("period_too_short"))
        .when((base <= 0) | (latest < 0) | (has_target & (target < 0)))
        .then(pl.lit("value_not_positive"))
        .when(has_target & (pl.col("target_year") <= pl.col("base_year")))
        .then(pl.lit("target_year_not_after_base_year"))
        .otherwise(pl.lit(None, dtype=pl.String))
    )
    frame = endpoints.with_columns(reason.alias("reason"), achieved.alias("_achieved"))
    computable = pl.col("reason").is_null() & ~pl.col("_achieved")
    return frame.with_columns(
        pl.when(computable & ~base_met_target)
        .then(progress)
        .otherwise(pl.lit(None, dtype=pl.Float64))
        .alias("progress_value"),
        (computable & base_met_target).alias("_moved_away"),
    ).with_columns(
        pl.when(pl.col("_achieved"))
        .then(pl.lit(SIGNIFICANT_PROGRESS_TOWARDS_TARGET))
        .when(pl.col("_moved_away"))
        .then(pl.lit(MOVEMENT_AWAY_FROM_TARGET))
        .when(computable & has_target)
        .then(status_from_ratio(pl.col("progress_value")))
        .when(computable)
        .then(status_from_growth(pl.col("progress_value")))
        .otherwise(pl.lit(None, dtype=pl.String))
        .alias("status")
    )
