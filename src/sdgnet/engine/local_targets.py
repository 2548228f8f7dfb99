"""Scores against a unit's own target for an indicator ("local targets").

A municipality may set its own 2030 target for an indicator. Its *local score*
is the SDSN rescaling of the same value with the unit's target in place of the
framework's ``best``::

    score_local = 100 * (value - worst) / (target_value - worst), clipped to [0, 100]

It is the engine's own rule 1 (`methods.sdsn.rescale`), so direction needs no
special handling: where lower is better, ``worst`` lies above the target and
both differences are negative. A missing value stays missing, and a unit and
indicator without a local target has no local score.

Local targets are a table ``unit, indicator, target_value`` (CSV or Parquet).
A target is refused, with the file, row and column named, when its indicator is
not rescaled by the framework (unknown, or without ``best``/``worst``), when it
equals ``worst`` (nothing to rescale between) or lies on the other side of
``worst`` from ``best`` (a "target" worse than the worst value), or when a unit
and indicator appear twice; `sdgnet score` also refuses a unit that its units file
does not have.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from pathlib import Path

import numpy as np
import pyarrow as pa

from sdgnet.engine import cells
from sdgnet.engine.duck import arrow_table, shared_database
from sdgnet.engine.errors import InputError
from sdgnet.engine.framework import Framework
from sdgnet.engine.methods.sdsn import rescale
from sdgnet.engine.tables import read_table, require_columns

LOCAL_TARGET_COLUMNS = ["unit", "indicator", "target_value"]


def read_local_targets(
    path: str | Path, framework: Framework, *, known_units: Collection[str] | None = None
) -> pa.Table:
    return parse_local_targets(
        read_table(path), framework, source=str(path), known_units=known_units
    )


def parse_local_targets(
    table: pa.Table,
    framework: Framework,
    *,
    source: str = "local targets",
    known_units: Collection[str] | None = None,
) -> pa.Table:
    """Check a local targets table against the framework (and, given `known_units`,
    against the unit ids): ``unit, indicator, target_value`` typed (text, text, double),
    one row per unit and indicator."""
    require_columns(source, table, LOCAL_TARGET_COLUMNS)
    units: list[str] = []
    indicators: list[str] = []
    targets: list[float] = []
    seen: dict[tuple[str, str], int] = {}
    for row, record in enumerate(table.select(LOCAL_TARGET_COLUMNS).to_pylist(), start=1):
        unit = cells.text(record["unit"])
        if unit is None:
            raise InputError(source, "a unit id is required", row=row, column="unit")
        if known_units is not None and unit not in known_units:
            raise InputError(
                source, f"unknown unit {unit!r} (not in units)", row=row, column="unit"
            )
        indicator = cells.text(record["indicator"])
        if indicator is None:
            raise InputError(source, "an indicator id is required", row=row, column="indicator")
        target = cells.number(record["target_value"], source, row, "target_value")
        if target is None:
            raise InputError(source, "a target value is required", row=row, column="target_value")
        problem = target_problem(framework, indicator, target)
        if problem is not None:
            column, message = problem
            raise InputError(source, message, row=row, column=column)
        if (unit, indicator) in seen:
            raise InputError(
                source,
                f"a second target for unit {unit!r} and indicator {indicator!r}"
                f" (first at row {seen[unit, indicator]})",
                row=row,
                column="indicator",
            )
        seen[unit, indicator] = row
        units.append(unit)
        indicators.append(indicator)
        targets.append(target)
    return arrow_table(
        {
            "unit": ("VARCHAR", units),
            "indicator": ("VARCHAR", indicators),
            "target_value": ("DOUBLE", targets),
        }
    )


def target_problem(framework: Framework, indicator: str, target: float) -> tuple[str, str] | None:
    """Why `target` cannot be scored against for `indicator` (the column at fault and
    the reason), or None if it can."""
    if indicator not in framework:
        return "indicator", f"unknown indicator {indicator!r}: the framework does not have it"
    spec = framework.get(indicator)
    if spec.best is None or spec.worst is None:
        return "indicator", f"indicator {indicator!r} has no best and worst, so no score"
    if not math.isfinite(target):
        return "target_value", "the target must be a finite number"
    if target == spec.worst:
        return "target_value", (
            f"the target ({target:g}) equals the framework's worst value; nothing to rescale"
        )
    if (target > spec.worst) != (spec.best > spec.worst):
        side = "above" if spec.best > spec.worst else "below"
        return "target_value", (
            f"the target ({target:g}) is worse than the framework's worst value"
            f" ({spec.worst:g}); it must lie {side} it, on the side of best ({spec.best:g})"
        )
    return None


def score_local(indicators: pa.Table, framework: Framework, targets: pa.Table) -> pa.Table:
    """``indicators`` (the engine's indicator results: at least ``unit, indicator,
    value``) with a ``score_local`` column added, rows in the same order.

    ``targets``: as returned by `parse_local_targets` (checked against the same
    framework)."""
    require_columns("indicator results", indicators, ["unit", "indicator", "value"])
    bounds = arrow_table(
        {
            "indicator": ("VARCHAR", [spec.indicator for spec in framework]),
            "worst": ("DOUBLE", [spec.worst for spec in framework]),
        }
    )
    # Each row keeps its position, so the result comes back in the input's order.
    position = pa.array(np.arange(indicators.num_rows, dtype=np.int64))
    values = indicators.select(["unit", "indicator", "value"]).append_column("position", position)
    scored = rescale("i.value", best="t.target_value", worst="b.worst")
    cursor = shared_database().cursor()
    try:
        cursor.register("local_values", values)
        cursor.register("local_targets", targets)
        cursor.register("local_bounds", bounds)
        # GREATEST/LEAST skip NULLs: without a target the rescaling would give 0, not null.
        local = cursor.sql(
            f"""
            SELECT CASE WHEN t.target_value IS NULL THEN NULL ELSE {scored} END AS score_local
            FROM local_values i
            LEFT JOIN local_targets t ON t.unit = i.unit AND t.indicator = i.indicator
            LEFT JOIN local_bounds b ON b.indicator = i.indicator
            ORDER BY i.position
            """
        ).to_arrow_table()
    finally:
        cursor.close()
    return indicators.append_column("score_local", local.column("score_local"))
