"""UN Statistics Division, *SDG Progress Chart*: the trend of an indicator towards
its numerical target, in two variants.

* ``cr`` (Progress Charts up to 2022): ``CR = CAGR_actual / CAGR_required``, the
  observed growth from the base year to the latest year over the growth needed to
  reach the target by the target year.
* ``projection`` (since 2023): the latest value carried forward at the observed
  growth rate, ``v_2030 = v_t (1 + CAGR) ** (target_year - t)``, set against the
  distance to cover: ``CR = (v_2030 - v_base) / (target - v_base)``.

Bands of CR (METHODOLOGY.md): above 0.95 substantial progress / on track; 0.5 to
0.95 fair progress; -0.1 to 0.5 limited or no progress; below -0.1 deterioration.

Choices where the Progress Chart note is silent (documented in docs/methodology.md):
base year 2015 or the first later year with a value; the latest year must be after
it; a latest value already at least as good as the target is ``substantial_progress``;
where the base value already met the target but the latest does not, the series has
moved away from it (``deterioration``); in the ``cr`` variant the ratio is taken as
``d * CAGR_actual / |CAGR_required|`` (identical to the plain ratio whenever the
target lies beyond the base in the desired direction); base values at or below zero
and negative latest values or targets make the growth rate meaningless (blank).
"""

from __future__ import annotations

from typing import Literal

import polars as pl

from sdgnet.engine.progress._series import AGENDA_BASE_YEAR, growth_rate, meets_target

Variant = Literal["cr", "projection"]

SUBSTANTIAL_PROGRESS = "substantial_progress"
FAIR_PROGRESS = "fair_progress"
LIMITED_OR_NO_PROGRESS = "limited_or_no_progress"
DETERIORATION = "deterioration"

STATUSES = (SUBSTANTIAL_PROGRESS, FAIR_PROGRESS, LIMITED_OR_NO_PROGRESS, DETERIORATION)

ON_TRACK_ABOVE = 0.95
FAIR_FROM = 0.5
LIMITED_FROM = -0.1


def start_year() -> pl.Expr:
    return pl.lit(AGENDA_BASE_YEAR)


def status_from_ratio(ratio: pl.Expr) -> pl.Expr:
    """``CR > 0.95`` substantial; ``0.5 <= CR <= 0.95`` fair; ``-0.1 <= CR < 0.5``
    limited or none; ``CR < -0.1`` deterioration; null or NaN gives null."""
    return (
        pl.when(ratio.is_null() | ratio.is_nan())
        .then(pl.lit(None, dtype=pl.String))
        .when(ratio > ON_TRACK_ABOVE)
        .then(pl.lit(SUBSTANTIAL_PROGRESS))
        .when(ratio >= FAIR_FROM)
        .then(pl.lit(FAIR_PROGRESS))
        .when(ratio >= LIMITED_FROM)
        .then(pl.lit(LIMITED_OR_NO_PROGRESS))
        .otherwise(pl.lit(DETERIORATION))
    )


def evaluate(endpoints: pl.DataFrame, variant: Variant) -> pl.DataFrame:
    """Add ``status``, ``reason`` and ``progress_value`` (the CR) to the endpoints."""
    direction = pl.col("direction_sign").cast(pl.Float64)
    base = pl.col("base_value")
    latest = pl.col("latest_value")
    target = pl.col("target_value")
    target_year = pl.col("target_year")
    observed = growth_rate(latest, base, pl.col("latest_year"), pl.col("base_year"))
    base_met_target = meets_target(base, target)

    if variant == "cr":
        required = growth_rate(target, base, target_year, pl.col("base_year"))
        ratio = direction * observed / required.abs()
    else:
        expected = latest * (1.0 + observed).pow(
            (target_year - pl.col("latest_year")).cast(pl.Float64)
        )
        ratio = (expected - base) / (target - base)

    # The projection runs from the latest year to the target year; the CR variant's
    # required growth runs from the base year.
    last_year_before_target = "latest_year" if variant == "projection" else "base_year"
    achieved = pl.col("base_year").is_not_null() & meets_target(latest, target)
    reason = (
        pl.when(pl.col("latest_year").is_null())
        .then(pl.lit("no_value"))
        .when(target.is_null())
        .then(pl.lit("no_target"))
        .when(pl.col("base_year").is_null())
        .then(pl.lit("no_value_since_base_year"))
        .when(achieved)
        .then(pl.lit(None, dtype=pl.String))
        .when(pl.col("latest_year") <= pl.col("base_year"))
        .then(pl.lit("latest_year_not_after_base_year"))
        .when((base <= 0) | (latest < 0) | (target < 0))
        .then(pl.lit("value_not_positive"))
        .when(target_year <= pl.col(last_year_before_target))
        .then(pl.lit(f"target_year_not_after_{last_year_before_target}"))
        .otherwise(pl.lit(None, dtype=pl.String))
    )
    frame = endpoints.with_columns(reason.alias("reason"), achieved.alias("_achieved"))
    computable = pl.col("reason").is_null() & ~pl.col("_achieved")
    # A base that already met the target leaves no distance to cover: the ratio is
    # meaningless and the unmet latest value can only mean the series moved away.
    moved_away = computable & base_met_target
    return frame.with_columns(
        pl.when(computable & ~base_met_target)
        .then(ratio)
        .otherwise(pl.lit(None, dtype=pl.Float64))
        .alias("progress_value"),
        moved_away.alias("_moved_away"),
    ).with_columns(
        pl.when(pl.col("_achieved"))
        .then(pl.lit(SUBSTANTIAL_PROGRESS))
        .when(pl.col("_moved_away"))
        .then(pl.lit(DETERIORATION))
        .when(computable)
        .then(status_from_ratio(pl.col("progress_value")))
        .otherwise(pl.lit(None, dtype=pl.String))
        .alias("status")
    )
