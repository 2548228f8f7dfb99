"""Progress status of each (unit, indicator) series: is it moving towards the goal
fast enough? Four published methods, selected by name:

========================  ====================================================
``opensdg``               Open SDG / Statistics Canada progress measure; uses
                          the indicator's target where the framework gives
                          ``target_value``, else the measure without a target
``unsd``                  UNSD SDG Progress Chart, 2023 variant (expected 2030
                          value against the target); needs ``target_value``
``unsd-cr``               UNSD SDG Progress Chart, earlier variant (ratio of
                          actual to required growth); needs ``target_value``
``eurostat``              Eurostat SDG monitoring, short term (past 5 years);
                          with or without ``target_value``
``eurostat-long``         Eurostat SDG monitoring, long term (past 15 years)
``u4ssc``                 U4SSC KPIs, latest value as a share of its target;
                          needs ``target_value``
========================  ====================================================

``assess`` returns ``unit, indicator, status``: one row per (unit, indicator) pair
that has observation rows for an indicator of the framework, status null where it
cannot be computed. ``assess_in_detail`` adds why (``reason``), the number that
was banded (``progress_value``: growth rate, ratio or share) and the years used.
The status words of each method are listed in ``STATUSES``.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl
import pyarrow as pa

from sdgnet.engine.framework import Framework
from sdgnet.engine.progress import eurostat, opensdg, u4ssc, unsd
from sdgnet.engine.progress._series import (
    DEFAULT_TARGET_YEAR,
    clean_observations,
    result_frame,
    series_endpoints,
)

METHODS = ("opensdg", "unsd", "unsd-cr", "eurostat", "eurostat-long", "u4ssc")

STATUSES: dict[str, tuple[str, ...]] = {
    "opensdg": opensdg.STATUSES,
    "unsd": unsd.STATUSES,
    "unsd-cr": unsd.STATUSES,
    "eurostat": eurostat.STATUSES_WITH_TARGET + eurostat.STATUSES_WITHOUT_TARGET,
    "eurostat-long": eurostat.STATUSES_WITH_TARGET + eurostat.STATUSES_WITHOUT_TARGET,
    "u4ssc": u4ssc.STATUSES,
}

# method name → (first year of the period, evaluation of the endpoints)
_Evaluation = Callable[[pl.DataFrame], pl.DataFrame]
_PLANS: dict[str, tuple[pl.Expr, _Evaluation]] = {
    "opensdg": (opensdg.start_year(), opensdg.evaluate),
    "unsd": (unsd.start_year(), lambda frame: unsd.evaluate(frame, "projection")),
    "unsd-cr": (unsd.start_year(), lambda frame: unsd.evaluate(frame, "cr")),
    "eurostat": (eurostat.start_year("short"), lambda frame: eurostat.evaluate(frame, "short")),
    "eurostat-long": (
        eurostat.start_year("long"),
        lambda frame: eurostat.evaluate(frame, "long"),
    ),
    # U4SSC looks at the latest value only; its "base" is the latest point itself.
    "u4ssc": (pl.col("latest_year"), u4ssc.evaluate),
}


def indicator_parameters(framework: Framework) -> pl.DataFrame:
    """Direction (+1 increase, -1 decrease, null unknown), target and target year
    (2030 where a target is given without a year) of each indicator."""
    specs = list(framework)
    directions = [
        None if spec.direction is None else (1 if spec.direction == "increase" else -1)
        for spec in specs
    ]
    target_years = [
        None
        if spec.target_value is None
        else (DEFAULT_TARGET_YEAR if spec.target_year is None else spec.target_year)
        for spec in specs
    ]
    return pl.DataFrame(
        {
            "indicator": [spec.indicator for spec in specs],
            "direction_sign": directions,
            "target_value": [spec.target_value for spec in specs],
            "target_year": target_years,
        },
        schema={
            "indicator": pl.String,
            "direction_sign": pl.Int8,
            "target_value": pl.Float64,
            "target_year": pl.Int64,
        },
    )


def assess_in_detail(
    method: str, observations: pa.Table, framework: Framework, year: int | None = None
) -> pa.Table:
    """Status with its evidence: ``unit, indicator, status, reason, progress_value,
    base_year, latest_year``. ``reason`` is null exactly where ``status`` is not.

    ``year`` limits the series to observations at or before it (the latest value at
    or before ``year`` is the one assessed). Raises ``ValueError`` for an unknown
    method or a series with two values in one year.
    """
    if method not in _PLANS:
        raise ValueError(f"unknown progress method {method!r}; choose one of {', '.join(METHODS)}")
    start_year, evaluation = _PLANS[method]
    parameters = indicator_parameters(framework)
    pairs, values = clean_observations(observations, parameters["indicator"], year)
    endpoints = series_endpoints(pairs, values, parameters, start_year)
    known_direction = endpoints.filter(pl.col("direction_sign").is_not_null())
    evaluated = evaluation(known_direction)
    unknown_direction = endpoints.filter(pl.col("direction_sign").is_null()).with_columns(
        pl.lit(None, dtype=pl.String).alias("status"),
        pl.lit("no_direction").alias("reason"),
        pl.lit(None, dtype=pl.Float64).alias("progress_value"),
    )
    columns = [
        "unit",
        "indicator",
        "status",
        "reason",
        "progress_value",
        "base_year",
        "latest_year",
    ]
    combined = pl.concat(
        [evaluated.select(columns), unknown_direction.select(columns)], how="vertical_relaxed"
    ).sort("unit", "indicator")
    return result_frame(combined)


def assess(
    method: str, observations: pa.Table, framework: Framework, year: int | None = None
) -> pa.Table:
    """``unit, indicator, status`` for every series of the framework's indicators in
    ``observations`` (columns ``unit, indicator, year, value``) by ``method``."""
    return assess_in_detail(method, observations, framework, year).select(
        ["unit", "indicator", "status"]
    )


__all__ = ["METHODS", "STATUSES", "assess", "assess_in_detail", "indicator_parameters"]
