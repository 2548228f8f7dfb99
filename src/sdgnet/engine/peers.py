"""Peers: how a unit stands against the units it is compared with, and which of
them improved most ("who to learn from").

A *peer group* is any set of units: a county, a size class, a user-defined group,
or the k units most similar to a given unit. Groups are given as *memberships*, an
Arrow table ``unit, group[, focal_unit]``: one row per unit and group it belongs
to. ``focal_unit`` is set for groups that exist for one unit only (its nearest
neighbours, from :func:`nearest_peer_groups`); for those, standings are reported
for the focal unit alone, while the group's statistics still use every member.

Values are an Arrow table ``unit, indicator, year`` plus the measured column:
``value`` (raw values, compared in each indicator's direction) or ``score`` (0-100,
higher is better). For each unit and indicator the value used is the latest at or
before ``year`` (default: the latest year in the table).

Statistics (all over the members with a value): size, mean, best (the highest in
the indicator's direction), sample standard deviation (null for one member), first
and third quartile and their difference, by linear interpolation between order
statistics (numpy's default, R type 7); rank 1 = best, ties share the best rank
("1, 2, 2, 4"). Where an indicator has no direction, best, rank and improvement
are null.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import polars as pl
import pyarrow as pa

from sdgnet.engine.framework import Framework

Measure = Literal["value", "score"]

NEAREST_GROUP_PREFIX = "nearest:"
# Rows of the distance matrix computed at once: bounds memory at ~8 MB per 1,000 units.
_DISTANCE_BLOCK_ROWS = 1024


def memberships_from_mapping(groups_of_unit: Mapping[str, Sequence[str]]) -> pa.Table:
    """``{unit: [group, ...]}`` as a memberships table ``unit, group, focal_unit``."""
    units = [unit for unit, groups in groups_of_unit.items() for _ in groups]
    groups = [group for unit_groups in groups_of_unit.values() for group in unit_groups]
    return pa.table(
        {
            "unit": pa.array(units, pa.string()),
            "group": pa.array(groups, pa.string()),
            "focal_unit": pa.nulls(len(units), pa.string()),
        }
    )


def nearest_peer_groups(attributes: pa.Table, columns: Sequence[str], k: int) -> pa.Table:
    """For each unit, a group ``nearest:<unit>`` of the unit and its ``k`` most similar
    units, as memberships with ``focal_unit = <unit>``.

    Similarity is the Euclidean distance between units' attributes after each
    attribute is z-scored over the units (mean 0, population standard deviation 1;
    an attribute that is constant contributes nothing). Units missing any chosen
    attribute take no part. Equal distances are broken by unit id, so the result
    does not depend on row order.
    """
    if k < 1:
        raise ValueError(f"k must be at least 1, found {k}")
    if not columns:
        raise ValueError("choose at least one attribute for similarity")
    frame = pl.from_arrow(attributes)
    assert isinstance(frame, pl.DataFrame)
    missing = [name for name in ["unit", *columns] if name not in frame.columns]
    if missing:
        raise ValueError(f"attributes lack the column(s) {', '.join(missing)}")
    frame = (
        frame.select(pl.col("unit").cast(pl.String), *[pl.col(c).cast(pl.Float64) for c in columns])
        .drop_nulls()
        .filter(pl.all_horizontal([pl.col(c).is_not_nan() for c in columns]))
        .unique(subset="unit", keep="first")
        .sort("unit")
    )
    units = frame["unit"].to_list()
    matrix = frame.select(columns).to_numpy().astype(np.float64)
    spread = matrix.std(axis=0)
    safe_spread = np.where(spread > 0, spread, 1.0)
    standardised = (matrix - matrix.mean(axis=0)) / safe_spread
    standardised[:, spread == 0] = 0.0

    count = len(units)
    neighbours = min(k, count - 1)
    focal: list[str] = []
    members: list[str] = []
    squared_norms = (standardised**2).sum(axis=1)
    for start in range(0, count, _DISTANCE_BLOCK_ROWS):
        block = standardised[start : start + _DISTANCE_BLOCK_ROWS]
        distances = (
            squared_norms[start : start + len(block), None]
            + squared_norms[None, :]
            - 2.0 * block @ standardised.T
        )
        np.maximum(distances, 0.0, out=distances)
        for offset, row in enumerate(distances):
            own = start + offset
            row[own] = -1.0  # the unit itself comes first
            # lexsort: by distance, then by position (= unit id order) for ties.
            order = np.lexsort((np.arange(count), row))[: neighbours + 1]
            for index in order:
                focal.append(units[own])
                members.append(units[index])
    return pa.table(
        {
            "unit": pa.array(members, pa.string()),
            "group": pa.array([NEAREST_GROUP_PREFIX + unit for unit in focal], pa.string()),
            "focal_unit": pa.array(focal, pa.string()),
        }
    )


def _directions(framework: Framework | None, measure: Measure) -> pl.DataFrame | None:
    if measure == "score":
        return None
    if framework is None:
        raise ValueError("comparing raw values needs the framework for each indicator's direction")
    specs = list(framework)
    return pl.DataFrame(
        {
            "indicator": [spec.indicator for spec in specs],
            "direction_sign": [
                None if spec.direction is None else (1 if spec.direction == "increase" else -1)
                for spec in specs
            ],
        },
        schema={"indicator": pl.String, "direction_sign": pl.Int8},
    )


def _present(values: pa.Table, measure: Measure) -> pl.DataFrame:
    """``unit, indicator, year, measured`` without missing values."""
    frame = pl.from_arrow(values)
    assert isinstance(frame, pl.DataFrame)
    missing = [name for name in ("unit", "indicator", "year", measure) if name not in frame.columns]
    if missing:
        raise ValueError(f"values lack the column(s) {', '.join(missing)}")
    return frame.select(
        pl.col("unit").cast(pl.String),
        pl.col("indicator").cast(pl.String),
        pl.col("year").cast(pl.Int64),
        pl.col(measure).cast(pl.Float64).alias("measured"),
    ).filter(pl.col("measured").is_not_null() & pl.col("measured").is_not_nan())


def _measured(values: pa.Table, measure: Measure, framework: Framework | None) -> pl.DataFrame:
    """``unit, indicator, year, measured, direction_sign`` without missing values."""
    frame = _present(values, measure)
    directions = _directions(framework, measure)
    if directions is None:
        return frame.with_columns(pl.lit(1, dtype=pl.Int8).alias("direction_sign"))
    return frame.join(directions, on="indicator", how="inner")


def _memberships(memberships: pa.Table) -> pl.DataFrame:
    frame = pl.from_arrow(memberships)
    assert isinstance(frame, pl.DataFrame)
    if "focal_unit" not in frame.columns:
        frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias("focal_unit"))
    return frame.select(
        pl.col("unit").cast(pl.String),
        pl.col("group").cast(pl.String),
        pl.col("focal_unit").cast(pl.String),
    ).unique()


def _as_of(frame: pl.DataFrame, year: int | None) -> tuple[pl.DataFrame, int | None]:
    if year is None:
        latest = frame["year"].max()
        year = None if latest is None else int(latest)  # type: ignore[arg-type]
    return frame.filter(pl.col("year") <= year) if year is not None else frame, year


def peer_standing(
    values: pa.Table,
    memberships: pa.Table,
    framework: Framework | None = None,
    *,
    measure: Measure = "value",
    year: int | None = None,
) -> pa.Table:
    """Each unit's standing in each of its groups, per indicator.

    Columns: ``unit, group, indicator, year`` (the year of the unit's value),
    ``value``, ``group_size, group_mean, group_best, group_std, group_q1, group_q3,
    group_iqr, rank``. A unit without a value for an indicator gets no row for it.
    """
    measured, year = _as_of(_measured(values, measure, framework), year)
    latest = (
        measured.sort("year")
        .group_by("unit", "indicator")
        .agg(
            pl.col("year").last(),
            pl.col("measured").last(),
            pl.col("direction_sign").last(),
        )
    )
    members = _memberships(memberships).join(latest, on="unit", how="inner")
    oriented = pl.col("measured") * pl.col("direction_sign").cast(pl.Float64)
    in_group = ["group", "indicator"]
    best = (
        pl.when(pl.col("direction_sign") > 0)
        .then(pl.col("_max"))
        .when(pl.col("direction_sign") < 0)
        .then(pl.col("_min"))
        .otherwise(pl.lit(None, dtype=pl.Float64))
    )
    statistics = members.group_by(in_group).agg(
        pl.len().cast(pl.Int64).alias("group_size"),
        pl.col("measured").mean().alias("group_mean"),
        pl.col("measured").max().alias("_max"),
        pl.col("measured").min().alias("_min"),
        pl.col("measured").std(ddof=1).alias("group_std"),
        pl.col("measured").quantile(0.25, interpolation="linear").alias("group_q1"),
        pl.col("measured").quantile(0.75, interpolation="linear").alias("group_q3"),
    )
    standing = (
        members.with_columns(
            oriented.rank(method="min", descending=True).over(in_group).cast(pl.Int64).alias("rank")
        )
        .join(statistics, on=in_group)
        .with_columns(
            best.alias("group_best"),
            (pl.col("group_q3") - pl.col("group_q1")).alias("group_iqr"),
        )
    )
    standing = standing.filter(
        pl.col("focal_unit").is_null() | (pl.col("focal_unit") == pl.col("unit"))
    )
    return (
        standing.select(
            "unit",
            "group",
            "indicator",
            "year",
            pl.col("measured").alias("value"),
            "group_size",
            "group_mean",
            "group_best",
            "group_std",
            "group_q1",
            "group_q3",
            "group_iqr",
            "rank",
        )
        .sort("unit", "group", "indicator")
        .to_arrow()
    )


def most_improved(
    values: pa.Table,
    memberships: pa.Table,
    framework: Framework | None = None,
    *,
    measure: Measure = "value",
    year: int | None = None,
    span_years: int = 5,
    top: int = 5,
) -> pa.Table:
    """For each group and indicator, the ``top`` members that improved most.

    Improvement is the change per year in the indicator's direction, from the first
    value in or after ``latest - span_years`` to the latest value at or before
    ``year``: ``d * (v_latest - v_start) / (t_latest - t_start)`` (``d`` = +1 where
    higher is better, -1 where lower is). It needs two distinct years. Absolute
    change (not a growth rate) keeps zero and negative values comparable.

    Columns: ``group, indicator, rank, unit, improvement_per_year, start_year,
    latest_year, start_value, latest_value``; rank 1 = most improved, ties share it
    (so a group may list more than ``top`` units when the last places tie).
    """
    if span_years < 1:
        raise ValueError(f"span_years must be at least 1, found {span_years}")
    measured, year = _as_of(_measured(values, measure, framework), year)
    ordered = measured.sort("year")
    latest = ordered.group_by("unit", "indicator").agg(
        pl.col("year").last().alias("latest_year"),
        pl.col("measured").last().alias("latest_value"),
        pl.col("direction_sign").last(),
    )
    start = (
        ordered.join(latest.select("unit", "indicator", "latest_year"), on=["unit", "indicator"])
        .filter(pl.col("year") >= pl.col("latest_year") - span_years)
        .group_by("unit", "indicator")
        .agg(
            pl.col("year").first().alias("start_year"),
            pl.col("measured").first().alias("start_value"),
        )
    )
    changes = (
        latest.join(start, on=["unit", "indicator"])
        .filter(pl.col("latest_year") > pl.col("start_year"))
        .with_columns(
            (
                pl.col("direction_sign").cast(pl.Float64)
                * (pl.col("latest_value") - pl.col("start_value"))
                / (pl.col("latest_year") - pl.col("start_year")).cast(pl.Float64)
            ).alias("improvement_per_year")
        )
        .filter(pl.col("improvement_per_year").is_not_null())
    )
    ranked = (
        _memberships(memberships)
        .join(changes, on="unit", how="inner")
        .with_columns(
            pl.col("improvement_per_year")
            .rank(method="min", descending=True)
            .over("group", "indicator")
            .cast(pl.Int64)
            .alias("rank")
        )
        .filter(pl.col("rank") <= top)
    )
    return (
        ranked.select(
            "group",
            "indicator",
            "rank",
            "unit",
            "improvement_per_year",
            "start_year",
            "latest_year",
            "start_value",
            "latest_value",
        )
        .sort("group", "indicator", "rank", "unit")
        .to_arrow()
    )


EVERYONE_GROUP = "all"
BAND_MIN_SIZE = 3  # fewer values make no meaningful middle half
_QUARTILES = (("q1", 1), ("median", 2), ("q3", 3))


def peer_bands(
    values: pa.Table,
    memberships: pa.Table,
    *,
    everyone: str | None = EVERYONE_GROUP,
    min_size: int = BAND_MIN_SIZE,
) -> pa.Table:
    """Each group's spread of raw values per indicator and year: the band a chart draws
    behind a unit's series.

    ``values``: ``unit, indicator, year, value`` (each year on its own, no carrying
    forward; missing values are left out). Groups are those of ``memberships`` plus,
    unless ``everyone`` is None, a group of that name holding every unit. Groups with
    fewer than ``min_size`` values in a year get no band.

    Columns: ``group, indicator, year, size, q1, median, q3``, sorted by the first
    three. Quartiles interpolate linearly between order statistics (R type 7), with
    the arithmetic of Python's ``statistics.quantiles(method="inclusive")``, so the
    bands are bit for bit what that function gives.
    """
    measured = _present(values, "value").rename({"measured": "value"})
    grouped = _memberships(memberships).select("unit", "group").join(measured, on="unit")
    if everyone is not None:
        grouped = pl.concat(
            [grouped, measured.select(pl.lit(everyone).alias("group"), *measured.columns)],
            how="diagonal",
        )
    bands = (
        grouped.group_by("group", "indicator", "year")
        .agg(pl.col("value").sort().alias("_sorted"), pl.len().cast(pl.Int64).alias("size"))
        .filter(pl.col("size") >= min_size)
    )
    # statistics.quantiles(n=4, method="inclusive"): j, delta = divmod(i * (size - 1), 4);
    # (x[j] * (4 - delta) + x[j + 1] * delta) / 4.
    quartiles = []
    for name, position in _QUARTILES:
        scaled = (pl.col("size") - 1) * position
        low, delta = scaled // 4, scaled % 4
        quartiles.append(
            (
                (
                    pl.col("_sorted").list.get(low) * (4 - delta).cast(pl.Float64)
                    + pl.col("_sorted").list.get(low + 1) * delta.cast(pl.Float64)
                )
                / 4.0
            ).alias(name)
        )
    return (
        bands.select("group", "indicator", "year", "size", *quartiles)
        .sort("group", "indicator", "year")
        .to_arrow()
    )
