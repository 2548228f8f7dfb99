"""Open SDG progress measure: hand-computed cases against sdg-build's rules."""

from __future__ import annotations

import polars as pl
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sdgnet.engine.progress import assess, assess_in_detail, opensdg

from .conftest import Assess, framework_of, observations_of

INCREASE = {"best": 100, "worst": 0}
DECREASE = {"best": 0, "worst": 100}


def band(values: list[float], has_target: bool) -> list[str | None]:
    frame = pl.DataFrame({"v": values}, schema={"v": pl.Float64})
    column = frame.select(opensdg.status_from_progress(pl.col("v"), pl.lit(has_target)))
    return column.to_series().to_list()


def test_thresholds_without_target_hold_their_lower_bound() -> None:
    assert band([0.015, 0.0149999, 0.005, 0.0049999, 0.0, -1e-12], has_target=False) == [
        "substantial_progress",
        "moderate_progress",
        "moderate_progress",
        "limited_progress",
        "limited_progress",
        "deterioration",
    ]


def test_thresholds_with_target_hold_their_lower_bound() -> None:
    assert band([0.95, 0.9499, 0.6, 0.5999, 0.0, -1e-12], has_target=True) == [
        "substantial_progress",
        "moderate_progress",
        "moderate_progress",
        "limited_progress",
        "limited_progress",
        "deterioration",
    ]


def test_no_target_increase_hand_computed(assess_series: Assess) -> None:
    # (110 / 100) ** (1 / 5) - 1 = 0.019245
    outcome = assess_series("opensdg", {2014: 1.0, 2015: 100.0, 2020: 110.0}, **INCREASE)
    assert outcome.progress_value == pytest.approx(0.0192448, abs=1e-7)
    assert outcome.status == "substantial_progress"
    assert (outcome.base_year, outcome.latest_year) == (2015, 2020)


@pytest.mark.parametrize(
    ("latest", "status"),
    [
        (102.0, "limited_progress"),  # 0.3968% a year
        (104.0, "moderate_progress"),  # 0.7874%
        (108.0, "substantial_progress"),  # 1.5511%
        (101.0, "limited_progress"),  # 0.1992%
        (100.0, "limited_progress"),  # 0 is the lower bound of limited
        (99.0, "deterioration"),  # -0.2008%
    ],
)
def test_no_target_bands_end_to_end(assess_series: Assess, latest: float, status: str) -> None:
    outcome = assess_series("opensdg", {2015: 100.0, 2020: latest}, **INCREASE)
    expected = (latest / 100.0) ** (1 / 5) - 1
    assert outcome.progress_value == pytest.approx(expected)
    assert outcome.status == status


def test_float_arithmetic_at_a_threshold_is_the_sources(assess_series: Assess) -> None:
    # 1005 / 1000 - 1 is 0.004999999999999893 and 1015 / 1000 - 1 is
    # 0.014999999999999902 in floating point: sdg-build, computing the same way, calls
    # them limited and moderate progress, and so must we.
    assert assess_series("opensdg", {2015: 1000.0, 2016: 1005.0}, **INCREASE).status == (
        "limited_progress"
    )
    assert assess_series("opensdg", {2015: 1000.0, 2016: 1015.0}, **INCREASE).status == (
        "moderate_progress"
    )
    # One step further up is substantial.
    assert assess_series("opensdg", {2015: 1000.0, 2016: 1015.0001}, **INCREASE).status == (
        "substantial_progress"
    )


def test_decrease_flips_the_growth_rate(assess_series: Assess) -> None:
    outcome = assess_series("opensdg", {2015: 100.0, 2020: 90.0}, **DECREASE)
    # -((90 / 100) ** (1 / 5) - 1) = 0.020852
    assert outcome.progress_value == pytest.approx(0.0208516, abs=1e-7)
    assert outcome.status == "substantial_progress"


def test_direction_column_wins_when_best_and_worst_are_blank(assess_series: Assess) -> None:
    outcome = assess_series("opensdg", {2015: 100.0, 2020: 90.0}, direction="decrease")
    assert outcome.status == "substantial_progress"


def test_no_direction_is_blank(assess_series: Assess) -> None:
    outcome = assess_series("opensdg", {2015: 100.0, 2020: 90.0})
    assert outcome == (None, "no_direction", None, 2015, 2020)


def test_base_year_is_first_year_after_2015_when_2015_is_missing(assess_series: Assess) -> None:
    outcome = assess_series(
        "opensdg", {2013: 1.0, 2015: None, 2017: 100.0, 2021: 110.0}, **INCREASE
    )
    assert (outcome.base_year, outcome.latest_year) == (2017, 2021)
    assert outcome.progress_value == pytest.approx(1.1 ** (1 / 4) - 1)


def test_only_data_before_2015_is_blank(assess_series: Assess) -> None:
    outcome = assess_series("opensdg", {2010: 50.0, 2014: 60.0}, **INCREASE)
    assert outcome.status is None
    assert outcome.reason == "no_value_since_base_year"


@pytest.mark.parametrize("series", [{2015: 50.0}, {2012: 10.0, 2015: 50.0}, {2019: 5.0}])
def test_latest_year_must_be_after_base_year(
    assess_series: Assess, series: dict[int, float]
) -> None:
    outcome = assess_series("opensdg", series, **INCREASE)
    assert outcome.reason == "latest_year_not_after_base_year"
    assert outcome.status is None


def test_all_values_missing_is_blank(assess_series: Assess) -> None:
    outcome = assess_series("opensdg", {2015: None, 2020: None}, **INCREASE)
    assert outcome.reason == "no_value"


def test_target_hand_computed(assess_series: Assess) -> None:
    # observed (60/50)^(1/5)-1 = 0.037137, required (100/50)^(1/15)-1 = 0.047294
    outcome = assess_series(
        "opensdg", {2015: 50.0, 2020: 60.0}, target_value=100, target_year=2030, **INCREASE
    )
    assert outcome.progress_value == pytest.approx(0.785241, abs=1e-6)
    assert outcome.status == "moderate_progress"


def test_target_year_defaults_to_2030(assess_series: Assess) -> None:
    with_year = assess_series(
        "opensdg", {2015: 50.0, 2020: 60.0}, target_value=100, target_year=2030, **INCREASE
    )
    without_year = assess_series("opensdg", {2015: 50.0, 2020: 60.0}, target_value=100, **INCREASE)
    assert with_year == without_year


def test_decrease_target_hand_computed(assess_series: Assess) -> None:
    # observed (20/30)^(1/5)-1 = -0.077892, required (10/30)^(1/15)-1 = -0.070623
    outcome = assess_series(
        "opensdg", {2015: 30.0, 2020: 20.0}, target_value=10, target_year=2030, **DECREASE
    )
    assert outcome.progress_value == pytest.approx(1.102928, abs=1e-6)
    assert outcome.status == "substantial_progress"


@pytest.mark.parametrize(
    ("latest", "columns"),
    [
        (100.0, {"target_value": 100, **INCREASE}),  # equal counts as achieved
        (120.0, {"target_value": 100, **INCREASE}),
        (10.0, {"target_value": 10, **DECREASE}),
        (5.0, {"target_value": 10, **DECREASE}),
    ],
)
def test_target_met_is_target_achieved(
    assess_series: Assess, latest: float, columns: dict[str, float]
) -> None:
    outcome = assess_series("opensdg", {2015: 50.0, 2020: latest}, **columns)
    assert outcome.status == "target_achieved"
    assert outcome.progress_value is None


def test_target_met_with_a_single_point_is_achieved(assess_series: Assess) -> None:
    # sdg-build sets target_achieved before it checks for two data points.
    outcome = assess_series("opensdg", {2016: 120.0}, target_value=100, **INCREASE)
    assert outcome.status == "target_achieved"


def test_target_just_missed_is_assessed(assess_series: Assess) -> None:
    outcome = assess_series("opensdg", {2015: 50.0, 2020: 99.0}, target_value=100, **INCREASE)
    assert outcome.status == "substantial_progress"


def test_zero_target_counts_as_0_001(assess_series: Assess) -> None:
    # 0.0005 meets a target of 0.001 but not a target of 0.
    outcome = assess_series("opensdg", {2015: 10.0, 2020: 0.0005}, target_value=0, **DECREASE)
    assert outcome.status == "target_achieved"
    # required growth (0.001/10)^(1/15)-1 = -0.458 instead of -1 for a target of 0
    outcome = assess_series("opensdg", {2015: 10.0, 2020: 5.0}, target_value=0, **DECREASE)
    required = (0.001 / 10) ** (1 / 15) - 1
    assert outcome.progress_value == pytest.approx(-(0.5**0.2 - 1) / abs(required))


def test_zero_base_counts_as_0_001(assess_series: Assess) -> None:
    # (0.0005 / 0.001) - 1 = -0.5, flipped for a decrease: 0.5. A literal zero base
    # would give -inf, i.e. deterioration.
    outcome = assess_series("opensdg", {2015: 0.0, 2016: 0.0005}, **DECREASE)
    assert outcome.progress_value == pytest.approx(0.5)
    assert outcome.status == "substantial_progress"


def test_negative_values_flip_the_direction(assess_series: Assess) -> None:
    # From -10 to -5 is an increase: ratio 0.5, CAGR -0.5, sign -1 → +0.5
    outcome = assess_series("opensdg", {2015: -10.0, 2016: -5.0}, **INCREASE)
    assert outcome.progress_value == pytest.approx(0.5)
    assert outcome.status == "substantial_progress"


@pytest.mark.parametrize("series", [{2015: 10.0, 2020: -1.0}, {2015: -10.0, 2020: 1.0}])
def test_values_of_opposite_sign_are_blank(assess_series: Assess, series: dict[int, float]) -> None:
    outcome = assess_series("opensdg", series, **INCREASE)
    assert outcome.reason == "base_and_latest_values_of_opposite_sign"


def test_latest_zero_is_a_full_fall(assess_series: Assess) -> None:
    outcome = assess_series("opensdg", {2015: 10.0, 2020: 0.0}, **INCREASE)
    assert outcome.progress_value == pytest.approx(-1.0)
    assert outcome.status == "deterioration"


def test_base_beyond_target_and_latest_fallen_back_is_deterioration(assess_series: Assess) -> None:
    outcome = assess_series("opensdg", {2015: 60.0, 2020: 40.0}, target_value=50, **INCREASE)
    assert outcome.progress_value is not None and outcome.progress_value < 0
    assert outcome.status == "deterioration"


def test_target_year_not_after_base_year_is_blank(assess_series: Assess) -> None:
    outcome = assess_series(
        "opensdg", {2015: 50.0, 2020: 60.0}, target_value=100, target_year=2015, **INCREASE
    )
    assert outcome.reason == "target_year_not_after_base_year"


def test_year_limits_the_series(assess_series: Assess) -> None:
    series = {2015: 100.0, 2018: 90.0, 2020: 130.0}
    assert assess_series("opensdg", series, **INCREASE).status == "substantial_progress"
    outcome = assess_series("opensdg", series, year=2019, **INCREASE)
    assert outcome.latest_year == 2018
    assert outcome.status == "deterioration"


def test_two_values_in_one_year_are_refused() -> None:
    observations = pa.table(
        {"unit": ["u", "u"], "indicator": ["i", "i"], "year": [2015, 2015], "value": [1.0, 2.0]}
    )
    with pytest.raises(ValueError, match="more than one value"):
        assess("opensdg", observations, framework_of(**INCREASE))


def test_assess_returns_the_three_columns_and_ignores_other_indicators() -> None:
    observations = pa.concat_tables(
        [
            observations_of({2015: 100.0, 2020: 110.0}, unit="a"),
            observations_of({2015: 100.0, 2020: 90.0}, unit="b"),
            pa.table(
                {
                    "unit": ["a"],
                    "indicator": ["other"],
                    "year": pa.array([2020], pa.int64()),
                    "value": [1.0],
                }
            ),
        ]
    )
    result = assess("opensdg", observations, framework_of(**INCREASE))
    assert result.column_names == ["unit", "indicator", "status"]
    assert result.to_pylist() == [
        {"unit": "a", "indicator": "i", "status": "substantial_progress"},
        {"unit": "b", "indicator": "i", "status": "deterioration"},
    ]


def test_unknown_method_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown progress method"):
        assess("sdsn", observations_of({2015: 1.0}), framework_of(**INCREASE))


positive = st.floats(min_value=0.01, max_value=1e6, allow_nan=False)
years = st.integers(min_value=2016, max_value=2035)


@settings(max_examples=60, deadline=None)
@given(base=positive, latest=positive, latest_year=years)
def test_swapping_direction_negates_the_progress_value(
    base: float, latest: float, latest_year: int
) -> None:
    observations = observations_of({2015: base, latest_year: latest})
    up = assess_in_detail("opensdg", observations, framework_of(**INCREASE)).to_pylist()[0]
    down = assess_in_detail("opensdg", observations, framework_of(**DECREASE)).to_pylist()[0]
    assert down["progress_value"] == -up["progress_value"]


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(st.one_of(st.none(), positive), min_size=1, max_size=8),
    scale_power=st.integers(min_value=-4, max_value=4),
    target=st.one_of(st.none(), positive),
)
def test_scaling_by_a_power_of_two_changes_nothing(
    values: list[float | None], scale_power: int, target: float | None
) -> None:
    # Multiplying by 2**k is exact in floating point, so every ratio is unchanged.
    scale = 2.0**scale_power
    series = {2013 + offset: value for offset, value in enumerate(values)}
    scaled = {year: None if v is None else v * scale for year, v in series.items()}
    columns = dict(INCREASE, target_value=target)
    scaled_columns = dict(INCREASE, target_value=None if target is None else target * scale)
    original = assess("opensdg", observations_of(series), framework_of(**columns))
    rescaled = assess("opensdg", observations_of(scaled), framework_of(**scaled_columns))
    assert original.equals(rescaled)
