"""Building small scoring cases from rows, and reading results back by key."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pytest

from sdgnet.engine.framework import parse_framework
from sdgnet.engine.scoring import ScoreResult, score_sdsn

Row = dict[str, Any]


def text_table(rows: Sequence[Row]) -> pa.Table:
    """Rows as an all-text table, the way a CSV file arrives."""
    columns: list[str] = []
    for row in rows:
        columns += [name for name in row if name not in columns]
    return pa.table(
        {
            name: pa.array(
                [None if row.get(name) is None else str(row[name]) for row in rows], pa.string()
            )
            for name in columns
        }
    )


def observations_table(rows: Sequence[tuple[str, str, int, float | None]]) -> pa.Table:
    return pa.table(
        {
            "unit": pa.array([r[0] for r in rows], pa.string()),
            "indicator": pa.array([r[1] for r in rows], pa.string()),
            "year": pa.array([r[2] for r in rows], pa.int32()),
            "value": pa.array([r[3] for r in rows], pa.float64()),
        }
    )


@dataclass
class Scored:
    result: ScoreResult

    def _find(self, table: pa.Table, **key: Any) -> Row:
        found = [
            row
            for row in table.to_pylist()
            if all(row[name] == value for name, value in key.items())
        ]
        assert len(found) == 1, f"expected one row for {key}, found {len(found)}"
        return found[0]

    def indicator(self, unit: str, indicator: str, **key: Any) -> Row:
        return self._find(self.result.indicators, unit=unit, indicator=indicator, **key)

    def has_indicator(self, unit: str, indicator: str) -> bool:
        rows = self.result.indicators.to_pylist()
        return any(r["unit"] == unit and r["indicator"] == indicator for r in rows)

    def goal(self, unit: str, goal: int, **key: Any) -> Row:
        return self._find(self.result.goals, unit=unit, goal=goal, **key)

    def index(self, unit: str, **key: Any) -> Row:
        return self._find(self.result.index, unit=unit, **key)


ScoreCase = Callable[..., Scored]


@pytest.fixture(scope="session")
def score_case() -> ScoreCase:
    def run(
        framework: Sequence[Row],
        observations: Sequence[tuple[str, str, int, float | None]],
        units: Sequence[Row] | None = None,
        **options: Any,
    ) -> Scored:
        if units is None:
            names = sorted({row[0] for row in observations})
            units = [{"unit": name, "group": "G"} for name in names]
        result = score_sdsn(
            parse_framework(text_table(framework)),
            observations_table(observations),
            text_table(units),
            **options,
        )
        return Scored(result)

    return run
