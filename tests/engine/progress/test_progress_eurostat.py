"""Eurostat SDG monitoring: short-term (``eurostat``) and long-term (``eurostat-long``)
growth rates, with and without a target, hand-computed."""

from __future__ import annotations

import polars as pl
import pytest

from sdgnet.engine.progress import eurostat

from .conftest import Assess

INCREASE = {"best": 200, "worst": 0}
DECREASE = {"best": 0, "worst": 100}


def test_growth_bands() -> None:
    frame = pl.DataFrame({"v": [0.0100001, 0.01, 0.0, -1e-9, -0.01, -0.0100001]})
    assert frame.select(eurostat.status_from_growth(pl.col("v"))).to_series().to_list() == [
        "significant_progress",
        "moderate_progress",
        "moderate_progress",
        "moderate_movement_away",
        "moderate_movement_away",
        "significant_movement_away",
    ]


def test_ratio_bands() -> None:
    frame = pl.DataFrame({"v": [0.95, 0.9499, 0.6, 0.5999, 0.0, -1e-9]})
    assert frame.select(eurostat.status_from_ratio(pl.col("v"))).to_series().to_list() == [
        "significant_progress_towards_target",
        "moderate_progress_towards_target",
        "moderate_progress_towards_target",
        "insufficient_progress_towards_target",
        "insufficient_progress_towards_target",
        "movement_away_from_target",
    ]


SERIES = dict.fromkeys(range(2005, 2016), 100.0)


@pytest.mark.parametrize(
    ("latest", "status"),
    [
        (110.0, "significant_progress"),  # 1.92% a year
        (104.0, "moderate_progress"),  # 0.79%
        (100.0, "moderate_progress"),  # 0 counts as progress, as in the target bands
        (98.0, "moderate_movement_away"),  # -0.40%
        (90.0, "significant_movement_away"),  # -2.09%
    ],
)
def test_short_term_without_target(assess_series: Assess, latest: float, status: str) -> None:
    outcome = assess_series("eurostat", {**SERIES, 2020: latest}, **INCREASE)
    assert (outcome.base_year, outcome.latest_year) == (2015, 2020)
    assert outcome.progress_value == pytest.approx((latest / 100) ** 0.2 - 1)
    assert outcome.status == status


def test_short_term_decrease(assess_series: Assess) -> None:
    outcome = assess_series("eurostat", {2015: 100.0, 2020: 90.0}, **DECREASE)
    assert outcome.progress_value == pytest.approx(-(0.9**0.2 - 1))
    assert outcome.status == "significant_progress"


def test_long_term_runs_fifteen_years(assess_series: Assess) -> None:
    series = {2000: 50.0, 2005: 100.0, 2015: 120.0, 2020: 110.0}
    outcome = assess_series("eurostat-long", series, **INCREASE)
    assert (outcome.base_year, outcome.latest_year) == (2005, 2020)
    assert outcome.progress_value == pytest.approx(1.1 ** (1 / 15) - 1)
    assert outcome.status == "moderate_progress"


@pytest.mark.parametrize(
    ("method", "first_year", "reason"),
    [
        ("eurostat", 2017, None),  # 3 years: long enough
        ("eurostat", 2018, "period_too_short"),
        ("eurostat-long", 2010, None),  # 10 years
        ("eurostat-long", 2011, "period_too_short"),
    ],
)
def test_minimum_period(
    assess_series: Assess, method: str, first_year: int, reason: str | None
) -> None:
    outcome = assess_series(method, {first_year: 100.0, 2020: 110.0}, **INCREASE)
    assert outcome.reason == reason
    assert outcome.base_year == first_year


def test_period_starts_at_first_value_within_it(assess_series: Assess) -> None:
    outcome = assess_series(
        "eurostat", {2014: 1.0, 2015: None, 2016: 100.0, 2020: 110.0}, **INCREASE
    )
    assert outcome.base_year == 2016
    assert outcome.progress_value == pytest.approx(1.1**0.25 - 1)


def test_with_target_hand_computed(assess_series: Assess) -> None:
    outcome = assess_series("eurostat", {2015: 50.0, 2020: 60.0}, target_value=100, **INCREASE)
    assert outcome.progress_value == pytest.approx(0.785241, abs=1e-6)
    assert outcome.status == "moderate_progress_towards_target"
    outcome = assess_series("eurostat", {2015: 30.0, 2020: 20.0}, target_value=10, **DECREASE)
    assert outcome.progress_value == pytest.approx(1.102928, abs=1e-6)
    assert outcome.status == "significant_progress_towards_target"
    outcome = assess_series("eurostat", {2015: 50.0, 2020: 45.0}, target_value=100, **INCREASE)
    assert outcome.status == "movement_away_from_target"


def test_required_growth_runs_from_the_period_start(assess_series: Assess) -> None:
    # Short term from 2015 (not from 2005): (100/50)^(1/15) is the required path.
    series = {2005: 10.0, 2015: 50.0, 2020: 60.0}
    outcome = assess_series("eurostat", series, target_value=100, **INCREASE)
    assert outcome.progress_value == pytest.approx(0.785241, abs=1e-6)


def test_target_met(assess_series: Assess) -> None:
    outcome = assess_series("eurostat", {2015: 50.0, 2020: 100.0}, target_value=100, **INCREASE)
    assert outcome.status == "significant_progress_towards_target"
    outcome = assess_series("eurostat", {2015: 60.0, 2020: 40.0}, target_value=50, **INCREASE)
    assert outcome.status == "movement_away_from_target"


def test_non_positive_values_are_blank(assess_series: Assess) -> None:
    assert assess_series("eurostat", {2015: 0.0, 2020: 5.0}, **INCREASE).reason == (
        "value_not_positive"
    )
    assert assess_series("eurostat", {2015: 5.0, 2020: -1.0}, **INCREASE).reason == (
        "value_not_positive"
    )
    # A fall to exactly zero is a defined growth rate of -100%.
    assert assess_series("eurostat", {2015: 5.0, 2020: 0.0}, **INCREASE).status == (
        "significant_movement_away"
    )
