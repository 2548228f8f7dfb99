"""SDSN rule 8: indicator trends and goal trends, computed by hand.

Indicator T: worst 0, red 50, green 80, best 100, so score = value and the
green score is 80. Scoring year 2024; default period: latest year and 5 before.
"""

from __future__ import annotations

import pyarrow.compute as pc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sdgnet.engine.framework import parse_framework
from sdgnet.engine.scoring import score_sdsn

from .conftest import observations_table, text_table

T = {"indicator": "T", "goal": 1, "best": 100, "worst": 0, "green": 80, "red": 50}
# Lower is better, score = 100 - 2 value.
TL = {"indicator": "TL", "goal": 2, "best": 0, "worst": 50, "green": 10, "red": 30}
# A fixed period, 2010–2015.
TC = {**T, "indicator": "TC", "goal": 3, "trend_from": 2010, "trend_to": 2015}
# Stricter cut-offs: on track needs twice the pace, moderate the full pace.
TK = {**T, "indicator": "TK", "goal": 4, "trend_on_track_pace": 2, "trend_moderate_pace": 1}

# unit: ({year: value} for T, expected trend)
CASES = {
    "on_track": ({2019: 40, 2024: 60}, "on_track"),  # 4/yr >= needed (80-60)/6 = 3.33
    "moderate": ({2019: 50, 2024: 60}, "moderately_improving"),  # 2/yr >= 1.67
    "stagnant": ({2019: 58, 2024: 60}, "stagnating"),  # 0.4/yr < 1.67
    "flat": ({2019: 60, 2024: 60}, "stagnating"),
    "falling": ({2019: 65, 2024: 60}, "decreasing"),
    "kept": ({2019: 85, 2024: 90}, "maintaining"),  # green at both ends, not falling
    "kept_flat": ({2019: 90, 2024: 90}, "maintaining"),
    "reached": ({2019: 70, 2024: 85}, "on_track"),  # green now, not before
    "green_falling": ({2019: 95, 2024: 90}, "decreasing"),
    "clipped": ({2019: 120, 2024: 110}, "maintaining"),  # both score 100
    "gap": ({2020: 52, 2024: 60}, "moderately_improving"),  # start 2020: 8/4 = 2/yr
    "window_start": ({2018: 0, 2019: 70, 2024: 72}, "stagnating"),  # 2018 is outside
    "single": ({2024: 60}, None),
    "late_end": ({2013: 40, 2018: 60}, "on_track"),  # 4/yr >= (80-60)/12 = 1.67
    "late_missing": ({2012: 40, 2018: 60}, None),  # nothing in 2013..2017
    # Ends 9 years before the scoring year (the start is the 2nd of its recent points):
    # 4/yr >= (80 - 60)/15.
    "very_late_end": ({2010: 40, 2015: 60}, "on_track"),
    # Ends 2022 (2024 is missing); start 2019: 10/3 = 3.33/yr < (80-50)/8 = 3.75
    "end_missing_value": ({2019: 40, 2022: 50, 2024: None}, "moderately_improving"),
}


# "long span": an observation in 1970 makes the observed years span more than the 32
# a one-year scan tracks in one bit mask, so it takes the plain aggregates instead.
@pytest.fixture(scope="module", params=["one year", "one year, long span", "many years"])
def trends(score_case, request):
    observations = [
        (unit, "T", year, None if value is None else float(value))
        for unit, (series, _trend) in CASES.items()
        for year, value in series.items()
    ]
    observations += [
        ("lower", "TL", 2019, 30.0),
        ("lower", "TL", 2024, 20.0),
        ("fixed", "TC", 2010, 40.0),
        ("fixed", "TC", 2015, 60.0),
        ("fixed", "TC", 2024, 10.0),
        ("strict", "TK", 2019, 40.0),
        ("strict", "TK", 2024, 60.0),
    ]
    if request.param == "one year, long span":
        observations.append(("ancient", "T", 1970, 50.0))
    years = [2023, 2024] if request.param == "many years" else [2024]
    scored = score_case([T, TL, TC, TK], observations, years=years, coverage=0)
    return scored


@pytest.mark.parametrize("unit", sorted(CASES))
def test_indicator_trend(trends, unit):
    assert trends.indicator(unit, "T", as_of=2024)["trend"] == CASES[unit][1]


def test_trend_of_a_lower_is_better_indicator(trends):
    # scores 40 → 60: 4/yr against (80 - 60)/6 needed.
    assert trends.indicator("lower", "TL", as_of=2024)["trend"] == "on_track"


def test_configured_period_ignores_later_years(trends):
    # 2010–2015: 4/yr against (80 - 60)/15; the 2024 drop is outside the period.
    assert trends.indicator("fixed", "TC", as_of=2024)["trend"] == "on_track"


def test_configured_cut_offs(trends):
    assert trends.indicator("strict", "TK", as_of=2024)["trend"] == "moderately_improving"


GOAL_INDICATORS = [{**T, "indicator": f"t{i}", "goal": 9} for i in range(1, 5)]
ON_TRACK = {2019: 40, 2024: 60}
DECREASING = {2019: 65, 2024: 60}
STAGNATING = {2019: 60, 2024: 60}
MODERATE = {2019: 50, 2024: 60}
MAINTAINING = {2019: 90, 2024: 90}
NONE = {2024: 60}
GOAL_CASES = {
    # 3 of 4 have a trend (75%): (3 + 0 + 3) / 3 = 2 → moderately improving
    "three_of_four": ([ON_TRACK, DECREASING, ON_TRACK, NONE], "moderately_improving"),
    "two_of_four": ([ON_TRACK, ON_TRACK, NONE, NONE], None),
    "all_kept": ([MAINTAINING] * 4, "maintaining"),
    "mixed": ([STAGNATING, MODERATE, ON_TRACK, DECREASING], "moderately_improving"),  # 1.5
    "low": ([STAGNATING, STAGNATING, DECREASING, ON_TRACK], "stagnating"),  # 1.25
    "lowest": ([DECREASING, DECREASING, DECREASING, STAGNATING], "decreasing"),  # 0.25
    "high": ([ON_TRACK, ON_TRACK, MAINTAINING, MODERATE], "on_track"),  # 2.75
}


@pytest.fixture(scope="module")
def goal_trends(score_case):
    observations = [
        (unit, f"t{number}", year, float(value))
        for unit, (series_list, _trend) in GOAL_CASES.items()
        for number, series in enumerate(series_list, start=1)
        for year, value in series.items()
    ]
    return score_case(GOAL_INDICATORS, observations, year=2024)


@pytest.mark.parametrize("unit", sorted(GOAL_CASES))
def test_goal_trend_is_the_banded_ordinal_average(goal_trends, unit):
    assert goal_trends.goal(unit, 9)["trend"] == GOAL_CASES[unit][1]


@pytest.mark.parametrize("years", [[2024], [2023, 2024]], ids=["one year", "many years"])
def test_trend_from_alone_starts_the_period(score_case, years):
    # trend_from 2016, no trend_to: the period runs 2016..latest value (2024), so the
    # start is 2016 (10), not 2019 as with the default span: (60 - 10)/8 = 6.25/yr
    # >= (80 - 60)/6 needed → on track (from 2019 it would be 2/yr, moderately improving).
    from_only = {**T, "indicator": "TF", "trend_from": 2016}
    observations = [("u", "TF", 2016, 10.0), ("u", "TF", 2019, 50.0), ("u", "TF", 2024, 60.0)]
    scored = score_case([from_only], observations, years=years, coverage=0)
    assert scored.indicator("u", "TF", as_of=2024)["trend"] == "on_track"


# Ends in the year before the scoring year (2024): window 2018..2022.
END_LAST_YEAR = {
    # start 2018, the window's oldest year: 20/5 = 4/yr >= (80 - 60)/7 → on track
    "start_at_window_edge": ({2018: 40.0, 2023: 60.0}, "on_track"),
    # start 2019: 10/4 = 2.5/yr >= half of 2.86 → moderately improving
    "start_inside": ({2017: 0.0, 2019: 50.0, 2023: 60.0, 2024: None}, "moderately_improving"),
    # nothing in 2018..2022 (2017 is outside the window)
    "no_start": ({2017: 40.0, 2023: 60.0}, None),
}


@pytest.mark.parametrize(
    ("years", "long_span"),
    [([2024], False), ([2024], True), ([2023, 2024], False)],
    ids=["one year", "one year, long span", "many years"],
)
def test_trend_of_an_end_in_the_year_before(score_case, years, long_span):
    observations = [
        (unit, "T", year, value)
        for unit, (series, _trend) in END_LAST_YEAR.items()
        for year, value in series.items()
    ]
    if long_span:
        observations.append(("ancient", "T", 1970, 50.0))
    scored = score_case([T], observations, years=years, coverage=0)
    for unit, (_series, trend) in END_LAST_YEAR.items():
        assert scored.indicator(unit, "T", as_of=2024)["trend"] == trend, unit


# Any series: the one-year plan (the recent points of one scan, with the years from a bit
# mask or, over long spans, from a list) agrees with the many-years plan (a window over
# each value's preceding years) on the trend period's ends, and so on every trend.
series_years = st.lists(
    st.tuples(
        st.integers(min_value=2000, max_value=2024),
        st.one_of(st.none(), st.floats(min_value=-10, max_value=110)),
    ),
    max_size=12,
    unique_by=lambda point: point[0],
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(series_years, min_size=1, max_size=6),
    st.integers(min_value=2003, max_value=2024),
    st.integers(min_value=1, max_value=7),
    st.booleans(),
)
def test_one_year_trends_equal_the_many_years_plan(all_series, year, span, long_span):
    observations = [
        (f"U{i}", "T", point_year, value)
        for i, series in enumerate(all_series)
        for point_year, value in series
    ]
    if long_span:
        observations.append(("ancient", "T", 1960, 50.0))
    framework = parse_framework(text_table([T]))
    names = [f"U{i}" for i in range(len(all_series))] + ["ancient"]
    units = text_table([{"unit": unit, "group": "G"} for unit in names])
    table = observations_table(observations)
    every = score_sdsn(framework, table, units, years=[year - 1, year], trend_span=span)
    alone = score_sdsn(framework, table, units, year=year, trend_span=span)
    columns = ["unit", "indicator", "year", "value", "score", "colour", "trend"]
    expected = every.indicators.filter(pc.equal(every.indicators.column("as_of"), year))
    assert alone.indicators.select(columns).to_pylist() == expected.select(columns).to_pylist()
