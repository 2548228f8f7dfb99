"""U4SSC KPIs: the latest value as a share of its target, banded."""

from __future__ import annotations

import pytest

from .conftest import Assess

INCREASE = {"best": 200, "worst": 0}
DECREASE = {"best": 0, "worst": 100}


@pytest.mark.parametrize(
    ("value", "status"),
    [
        (120.0, "at_or_near_target"),
        (100.0, "at_or_near_target"),
        (95.0, "at_or_near_target"),
        (94.9, "approaching_target"),
        (66.0, "approaching_target"),
        (65.9, "progressing_towards_target"),
        (33.0, "progressing_towards_target"),
        (32.9, "far_from_target"),
        (0.0, "far_from_target"),
    ],
)
def test_increase_bands(assess_series: Assess, value: float, status: str) -> None:
    outcome = assess_series("u4ssc", {2020: value}, target_value=100, **INCREASE)
    assert outcome.status == status


@pytest.mark.parametrize(
    ("value", "share", "status"),
    [
        (5.0, 2.0, "at_or_near_target"),
        (10.0, 1.0, "at_or_near_target"),
        (20.0, 0.5, "progressing_towards_target"),
        (40.0, 0.25, "far_from_target"),
    ],
)
def test_decrease_share_is_target_over_value(
    assess_series: Assess, value: float, share: float, status: str
) -> None:
    outcome = assess_series("u4ssc", {2020: value}, target_value=10, **DECREASE)
    assert outcome.progress_value == pytest.approx(share)
    assert outcome.status == status


def test_zero_targets(assess_series: Assess) -> None:
    assert assess_series("u4ssc", {2020: 0.0}, target_value=0, **DECREASE).status == (
        "at_or_near_target"
    )
    assert assess_series("u4ssc", {2020: 5.0}, target_value=0, **DECREASE).status == (
        "far_from_target"
    )
    assert assess_series("u4ssc", {2020: 3.0}, target_value=0, **INCREASE).status == (
        "at_or_near_target"
    )


def test_latest_value_at_or_before_year(assess_series: Assess) -> None:
    series = {2018: 50.0, 2020: 97.0}
    assert assess_series("u4ssc", series, target_value=100, **INCREASE).status == (
        "at_or_near_target"
    )
    outcome = assess_series("u4ssc", series, year=2019, target_value=100, **INCREASE)
    assert outcome.latest_year == 2018
    assert outcome.status == "progressing_towards_target"


def test_blank_cases(assess_series: Assess) -> None:
    assert assess_series("u4ssc", {2020: 50.0}, **INCREASE).reason == "no_target"
    assert assess_series("u4ssc", {2020: -5.0}, target_value=10, **INCREASE).reason == (
        "value_not_positive"
    )
    assert assess_series("u4ssc", {2020: None}, target_value=10, **INCREASE).reason == "no_value"
