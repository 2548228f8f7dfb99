"""Helpers for the progress tests: one indicator, one or more units, hand-made series."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import pyarrow as pa
import pytest

from sdgnet.engine.framework import Framework, parse_framework
from sdgnet.engine.progress import assess_in_detail


class Outcome(NamedTuple):
    status: str | None
    reason: str | None
    progress_value: float | None
    base_year: int | None
    latest_year: int | None


def framework_of(**columns: object) -> Framework:
    """A one-indicator framework ``i`` (goal 1) with the given columns as text cells."""
    row: dict[str, Any] = {"indicator": "i", "goal": "1"}
    row.update({name: None if value is None else str(value) for name, value in columns.items()})
    return parse_framework(pa.table({name: [value] for name, value in row.items()}))


def observations_of(series: Mapping[int, float | None], unit: str = "u") -> pa.Table:
    years = list(series)
    return pa.table(
        {
            "unit": [unit] * len(years),
            "indicator": ["i"] * len(years),
            "year": pa.array(years, pa.int64()),
            "value": pa.array([series[year] for year in years], pa.float64()),
        }
    )


Assess = Callable[..., Outcome]


@pytest.fixture
def assess_series() -> Assess:
    """``assess_series(method, {year: value}, year=None, **framework_columns)``."""

    def run(
        method: str,
        series: Mapping[int, float | None],
        year: int | None = None,
        **columns: object,
    ) -> Outcome:
        table = assess_in_detail(method, observations_of(series), framework_of(**columns), year)
        rows = table.to_pylist()
        assert len(rows) == 1
        row = rows[0]
        assert (row["status"] is None) != (row["reason"] is None), row
        return Outcome(
            row["status"],
            row["reason"],
            row["progress_value"],
            row["base_year"],
            row["latest_year"],
        )

    return run
