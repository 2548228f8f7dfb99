"""Open SDG progress measure (Statistics Canada), as computed by open-sdg/sdg-build's
``ProgressMeasure.py`` and described in open-sdg's ``progress-methodology.md``.

Per series:

* base year 2015, or the first later year with a value; the latest year with a value
  must be after it (at least two points);
* a target of 0 counts as 0.001, and so does a base value of 0;
* base and latest value of opposite signs cannot be assessed; where the base value
  is negative the progress value's sign is flipped (the desired direction inverts);
* without a target: ``sign * d * CAGR`` against 0.015 / 0.005 / 0;
* with a target: ``target_achieved`` where the latest value is at least as good as
  the target, else ``R = sign * d * CAGR / |CAGR_required|`` against 0.95 / 0.6 / 0,
  with ``CAGR_required = (target / base) ** (1 / (target_year - base_year)) - 1``.

Natural limits (Open SDG's ``limit`` option) are not part of the framework format,
so the thresholds are never scaled down.
"""

from __future__ import annotations

import polars as pl

from sdgnet.engine.progress._series import AGENDA_BASE_YEAR, growth_rate, meets_target

METHOD = "opensdg"

TARGET_ACHIEVED = "target_achieved"
SUBSTANTIAL_PROGRESS = "substantial_progress"
MODERATE_PROGRESS = "moderate_progress"
LIMITED_PROGRESS = "limited_progress"
DETERIORATION = "deterioration"

STATUSES = (
    TARGET_ACHIEVED,
    SUBSTANTIAL_PROGRESS,
    MODERATE_PROGRESS,
    LIMITED_PROGRESS,
    DETERIORATION,
)

# (high, med, low) of sdg-build's get_progress_thresholds, without a target and with one.
THRESHOLDS_WITHOUT_TARGET = (0.015, 0.005, 0.0)
THRESHOLDS_WITH_TARGET = (0.95, 0.6, 0.0)

# An exponential model cannot start from or aim at zero; sdg-build substitutes this.
ZERO_REPLACEMENT = 0.001


def start_year() -> pl.Expr:
    return pl.lit(AGENDA_BASE_YEAR)


def status_from_progress(progress_value: pl.Expr, has_target: pl.Expr) -> pl.Expr:
    """Band a progress value as sdg-build's ``get_progress_status``: ``value >= high``
    is substantial, ``med <= value < high`` moderate, ``low <= value < med`` limited,
    below ``low`` deterioration; NaN or null gives null."""

    def band(thresholds: tuple[float, float, float]) -> pl.Expr:
        high, med, low = thresholds
        return (
            pl.when(progress_value.is_null() | progress_value.is_nan())
            .then(pl.lit(None, dtype=pl.String))
            .when(progress_value >= high)
            .then(pl.lit(SUBSTANTIAL_PROGRESS))
            .when(progress_value >= med)
            .then(pl.lit(MODERATE_PROGRESS))
            .when(progress_value >= low)
            .then(pl.lit(LIMITED_PROGRESS))
            .otherwise(pl.lit(DETERIORATION))
        )

    return (
        pl.when(has_target)
        .then(band(THRESHOLDS_WITH_TARGET))
        .otherwise(band(THRESHOLDS_WITHOUT_TARGET))
    )


def evaluate(endpoints: pl.DataFrame) -> pl.DataFrame:
    """Add ``status``, ``reason`` and ``progress_value`` to the series endpoints."""
    has_target = pl.col("target_value").is_not_null()
    target = (
        pl.when(pl.col("target_value") == 0)
        .then(pl.lit(ZERO_REPLACEMENT))
        .otherwise(pl.col("target_value"))
    )
    # The sign is taken before the zero base is replaced, as in sdg-build.
    sign = pl.when(pl.col("base_value") < 0).then(pl.lit(-1.0)).otherwise(pl.lit(1.0))
    base = (
        pl.when(pl.col("base_value") == 0)
        .then(pl.lit(ZERO_REPLACEMENT))
        .otherwise(pl.col("base_value"))
    )
    target_year = pl.col("target_year")
    direction = pl.col("direction_sign").cast(pl.Float64)

    frame = endpoints.with_columns(
        target.alias("_target"),
        sign.alias("_sign"),
        base.alias("_base"),
    ).with_columns(
        growth_rate(
            pl.col("latest_value"), pl.col("_base"), pl.col("latest_year"), pl.col("base_year")
        ).alias("_observed_growth"),
        growth_rate(pl.col("_target"), pl.col("_base"), target_year, pl.col("base_year")).alias(
            "_required_growth"
        ),
        # sdg-build compares the latest value with the target after replacing a zero.
        (
            has_target
            & pl.col("base_year").is_not_null()
            & meets_target(pl.col("latest_value"), pl.col("_target"))
        ).alias("_achieved"),
    )
    opposite_signs = ((pl.col("_base") > 0) & (pl.col("latest_value") < 0)) | (
        (pl.col("_base") < 0) & (pl.col("latest_value") > 0)
    )
    progress = (
        pl.when(has_target)
        .then(
            pl.col("_sign")
            * direction
            * pl.col("_observed_growth")
            / pl.col("_required_growth").abs()
        )
        .otherwise(pl.col("_sign") * direction * pl.col("_observed_growth"))
    )
    reason = (
        pl.when(pl.col("latest_year").is_null())
        .then(pl.lit("no_value"))
        .when(pl.col("base_year").is_null())
        .then(pl.lit("no_value_since_base_year"))
        .when(pl.col("_achieved"))
        .then(pl.lit(None, dtype=pl.String))
        .when(pl.col("latest_year") <= pl.col("base_year"))
        .then(pl.lit("latest_year_not_after_base_year"))
        .when(opposite_signs)
        .then(pl.lit("base_and_latest_values_of_opposite_sign"))
        .when(has_target & (target_year <= pl.col("base_year")))
        .then(pl.lit("target_year_not_after_base_year"))
        .when(progress.is_nan())
        .then(pl.lit("growth_rate_undefined"))
        .otherwise(pl.lit(None, dtype=pl.String))
    )
    frame = frame.with_columns(reason.alias("reason"))
    computable = pl.col("reason").is_null()
    return frame.with_columns(
        pl.when(computable & ~pl.col("_achieved"))
        .then(progress)
        .otherwise(pl.lit(None, dtype=pl.Float64))
        .alias("progress_value"),
    ).with_columns(
        pl.when(pl.col("_achieved"))
        .then(pl.lit(TARGET_ACHIEVED))
        .when(computable)
        .then(status_from_progress(pl.col("progress_value"), has_target))
        .otherwise(pl.lit(None, dtype=pl.String))
        .alias("status")
    )
