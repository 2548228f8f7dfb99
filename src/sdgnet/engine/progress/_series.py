"""Shared plumbing of the progress methods: each (unit, indicator) series reduced to
its base and latest observation, joined with the indicator's direction and target.

Every method works on the same frame, one row per (unit, indicator):

``unit, indicator, latest_year, latest_value, base_year, base_value,
direction_sign, target_value, target_year``

``direction_sign`` is +1 where an increase is desired and -1 where a decrease is.
``base_year``/``base_value`` are null where no observation falls on or after the
method's start year; ``latest_*`` are null where the series has no value at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl
import pyarrow as pa

# Years are compared as integers and values as floats throughout.
SERIES_SCHEMA: Mapping[str, Any] = {
    "unit": pl.String,
    "indicator": pl.String,
    "year": pl.Int64,
    "value": pl.Float64,
}

DEFAULT_TARGET_YEAR = 2030
AGENDA_BASE_YEAR = 2015


def growth_rate(
    current: pl.Expr, base: pl.Expr, current_year: pl.Expr, base_year: pl.Expr
) -> pl.Expr:
    """Compound annual growth rate ``(current / base) ** (1 / (t - t0)) - 1``.

    Written with the same floating-point steps as Open SDG's ``growth_calculation``
    so that values on a threshold fall on the same side. A negative ratio gives NaN
    (a fractional power of a negative number), which the methods treat as undefined.
    """
    exponent = pl.lit(1.0) / (current_year - base_year).cast(pl.Float64)
    return (current / base).pow(exponent) - 1.0


def clean_observations(
    observations: pa.Table, indicators: pl.Series, year: int | None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The observations of the framework's indicators up to ``year``.

    Returns ``(pairs, values)``: every (unit, indicator) that has a row at all (so
    that a series whose values are all missing still gets a blank status), and the
    rows that carry a value. Two values for the same unit, indicator and year are an
    error: a trend cannot choose between them.
    """
    frame = pl.from_arrow(observations)
    assert isinstance(frame, pl.DataFrame)
    missing = [name for name in SERIES_SCHEMA if name not in frame.columns]
    if missing:
        raise ValueError(f"observations lack the column(s) {', '.join(missing)}")
    frame = frame.select(
        [pl.col(name).cast(dtype) for name, dtype in SERIES_SCHEMA.items()]
    ).filter(pl.col("indicator").is_in(indicators.implode()))
    if year is not None:
        frame = frame.filter(pl.col("year") <= year)
    pairs = frame.select("unit", "indicator").unique()
    values = frame.filter(pl.col("value").is_not_null() & pl.col("value").is_not_nan())
    duplicates = values.group_by("unit", "indicator", "year").len().filter(pl.col("len") > 1)
    if duplicates.height:
        first = duplicates.sort("unit", "indicator", "year").row(0, named=True)
        raise ValueError(
            "observations hold more than one value for "
            f"unit {first['unit']!r}, indicator {first['indicator']!r}, year {first['year']}"
        )
    return pairs, values


def latest_points(values: pl.DataFrame) -> pl.DataFrame:
    """Each series' most recent year with a value, and that value."""
    return (
        values.sort("year")
        .group_by("unit", "indicator")
        .agg(
            pl.col("year").last().alias("latest_year"),
            pl.col("value").last().alias("latest_value"),
        )
    )


def first_points_from(values: pl.DataFrame, start_year: pl.Expr) -> pl.DataFrame:
    """Each series' first observation in or after ``start_year``.

    ``start_year`` is evaluated on ``values`` joined with :func:`latest_points`, so a
    method may start from a fixed year (``pl.lit(2015)``) or count back from the
    latest year (``pl.col("latest_year") - 5``).
    """
    latest = latest_points(values)
    return (
        values.join(latest, on=["unit", "indicator"])
        .filter(pl.col("year") >= start_year)
        .sort("year")
        .group_by("unit", "indicator")
        .agg(
            pl.col("year").first().alias("base_year"),
            pl.col("value").first().alias("base_value"),
        )
    )


def series_endpoints(
    pairs: pl.DataFrame,
    values: pl.DataFrame,
    parameters: pl.DataFrame,
    start_year: pl.Expr,
) -> pl.DataFrame:
    """One row per (unit, indicator) with latest and base points and parameters."""
    return (
        pairs.join(latest_points(values), on=["unit", "indicator"], how="left")
        .join(first_points_from(values, start_year), on=["unit", "indicator"], how="left")
        .join(parameters, on="indicator", how="left")
        .sort("unit", "indicator")
    )


def meets_target(value: pl.Expr, target: pl.Expr) -> pl.Expr:
    """Whether ``value`` is at least as good as ``target`` in the indicator's direction
    (false where either is null)."""
    meets = pl.when(pl.col("direction_sign") > 0).then(value >= target).otherwise(value <= target)
    return meets.fill_null(False)


def result_frame(frame: pl.DataFrame) -> pa.Table:
    """The public columns of a method's result, as Arrow."""
    return frame.select(
        "unit",
        "indicator",
        pl.col("status").cast(pl.String),
        pl.col("reason").cast(pl.String),
        pl.col("progress_value").cast(pl.Float64),
        pl.col("base_year").cast(pl.Int64),
        pl.col("latest_year").cast(pl.Int64),
    ).to_arrow()
