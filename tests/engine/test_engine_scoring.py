"""The Python API: many years in one call equal one call per year."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from sdgnet.engine import InputError, open_observations, read_framework, score_sdsn
from sdgnet.engine.inputs import observations_from_arrow
from sdgnet.engine.tables import read_table

GOLDEN = Path(__file__).parent / "golden" / "basic"


@pytest.fixture(scope="module")
def inputs():
    source = open_observations(GOLDEN / "observations.csv")
    return read_framework(GOLDEN / "framework.csv"), source.table, read_table(GOLDEN / "units.csv")


def for_year(table: pa.Table, year: int) -> pa.Table:
    return table.filter(pc.equal(table.column("as_of"), year))


def test_all_years_at_once_equal_each_year_alone(inputs):
    framework, observations, units = inputs
    every = score_sdsn(framework, observations, units, years="all")
    years = sorted(set(every.index.column("as_of").to_pylist()))
    assert years == list(range(2017, 2024))
    for year in years:
        alone = score_sdsn(framework, observations, units, year=year)
        for name in ("indicators", "goals", "index"):
            assert for_year(getattr(every, name), year).equals(getattr(alone, name)), (year, name)


def test_without_a_year_the_latest_year_with_data_is_scored(inputs):
    framework, observations, units = inputs
    latest = score_sdsn(framework, observations, units)
    assert set(latest.index.column("as_of").to_pylist()) == {2023}
    assert latest.index.equals(score_sdsn(framework, observations, units, year=2023).index)


@pytest.mark.parametrize("years", [None, "all"], ids=["latest year", "every year"])
def test_bad_observations_from_the_platform_are_refused_by_row(inputs, years):
    framework, observations, units = inputs
    doubled = pa.concat_tables([observations, observations.slice(3, 1)])
    with pytest.raises(InputError, match=r"row \d+, column 'year': duplicate observation"):
        score_sdsn(framework, doubled, units, years=years)
    stranger = observations.slice(0, 1).set_column(0, "unit", pa.array(["9999"]))
    with pytest.raises(InputError, match=r"row 1, column 'unit': unknown unit '9999'"):
        score_sdsn(framework, pa.concat_tables([stranger, observations]), units, years=years)


def test_no_observations_leave_every_value_missing(inputs):
    framework, observations, units = inputs
    empty = observations.schema.empty_table()
    scored = score_sdsn(framework, empty, units, year=2020)
    assert scored.indicators.num_rows > 0
    assert scored.indicators.column("value").null_count == scored.indicators.num_rows
    assert scored.index.column("score").null_count == scored.index.num_rows


def test_32_bit_float_values_from_the_platform_read_as_the_numbers_they_print_as():
    values = pa.array([1.22, 74.03, None, float("nan")], pa.float32())
    table = pa.table(
        {
            "unit": ["a", "a", "a", "a"],
            "indicator": ["x", "x", "x", "x"],
            "year": [2020, 2021, 2022, 2023],
            "value": values,
        }
    )
    typed = observations_from_arrow(table)
    assert typed.column("value").to_pylist() == [1.22, 74.03, None, None]
