"""UNSD SDG Progress Chart: the 2023 projection variant (``unsd``) and the CR variant
(``unsd-cr``), hand-computed."""

from __future__ import annotations

import polars as pl
import pytest

from sdgnet.engine.progress import unsd

from .conftest import Assess

INCREASE = {"best": 200, "worst": 0}
DECREASE = {"best": 0, "worst": 100}


def band(values: list[float]) -> list[str | None]:
    frame = pl.DataFrame({"v": values}, schema={"v": pl.Float64})
    return frame.select(unsd.status_from_ratio(pl.col("v"))).to_series().to_list()


def test_bands_follow_methodology_bounds() -> None:
    # "> 0.95 substantial, 0.5–0.95 fair, −0.1–0.5 limited or none, < −0.1 deterioration"
    assert band([0.9500001, 0.95, 0.5, 0.4999, -0.1, -0.1000001]) == [
        "substantial_progress",
        "fair_progress",
        "fair_progress",
        "limited_or_no_progress",
        "limited_or_no_progress",
        "deterioration",
    ]


# Base 2020 = 100, latest 2025: the projection to 2030 doubles the growth since 2020,
# v2030 = latest² / 100, and CR = (v2030 - 100) / (target - 100).
@pytest.mark.parametrize(
    ("latest", "target", "ratio", "status"),
    [
        (110.0, 120.0, 21 / 20, "substantial_progress"),
        (110.0, 130.0, 21 / 30, "fair_progress"),
        (110.0, 200.0, 21 / 100, "limited_or_no_progress"),
        (99.0, 120.0, -1.99 / 20, "limited_or_no_progress"),  # -0.0995
        (98.9, 120.0, -2.1879 / 20, "deterioration"),  # -0.1094
        (90.0, 120.0, -19 / 20, "deterioration"),
    ],
)
def test_projection_variant_hand_computed(
    assess_series: Assess, latest: float, target: float, ratio: float, status: str
) -> None:
    outcome = assess_series(
        "unsd", {2020: 100.0, 2025: latest}, target_value=target, target_year=2030, **INCREASE
    )
    assert outcome.progress_value == pytest.approx(ratio, rel=1e-9)
    assert outcome.status == status
    assert outcome.base_year == 2020


def test_projection_variant_decrease(assess_series: Assess) -> None:
    # 30 → 20 over 2015–2020; v2030 = 20 · (2/3)² = 8.889; CR = (8.889-30)/(10-30)
    outcome = assess_series("unsd", {2015: 30.0, 2020: 20.0}, target_value=10, **DECREASE)
    assert outcome.progress_value == pytest.approx((20 * (2 / 3) ** 2 - 30) / (10 - 30))
    assert outcome.status == "substantial_progress"


def test_projection_uses_the_target_year(assess_series: Assess) -> None:
    # To 2035 the projection runs 10 years, twice the 5 observed: v = 110 · 1.1² = 133.1
    outcome = assess_series(
        "unsd", {2020: 100.0, 2025: 110.0}, target_value=150, target_year=2035, **INCREASE
    )
    assert outcome.progress_value == pytest.approx(33.1 / 50)
    assert outcome.status == "fair_progress"


def test_cr_variant_hand_computed(assess_series: Assess) -> None:
    # (60/50)^(1/5)-1 = 0.037137 over (100/50)^(1/15)-1 = 0.047294
    outcome = assess_series("unsd-cr", {2015: 50.0, 2020: 60.0}, target_value=100, **INCREASE)
    assert outcome.progress_value == pytest.approx(0.785241, abs=1e-6)
    assert outcome.status == "fair_progress"
    outcome = assess_series("unsd-cr", {2015: 50.0, 2020: 70.0}, target_value=100, **INCREASE)
    assert outcome.progress_value == pytest.approx((1.4**0.2 - 1) / (2 ** (1 / 15) - 1))
    assert outcome.status == "substantial_progress"


def test_cr_variant_decrease_hand_computed(assess_series: Assess) -> None:
    outcome = assess_series("unsd-cr", {2015: 30.0, 2020: 20.0}, target_value=10, **DECREASE)
    assert outcome.progress_value == pytest.approx(1.102928, abs=1e-6)


@pytest.mark.parametrize("method", ["unsd", "unsd-cr"])
def test_without_target_is_blank(assess_series: Assess, method: str) -> None:
    outcome = assess_series(method, {2015: 50.0, 2020: 60.0}, **INCREASE)
    assert outcome.reason == "no_target"


@pytest.mark.parametrize("method", ["unsd", "unsd-cr"])
def test_target_met_is_substantial(assess_series: Assess, method: str) -> None:
    outcome = assess_series(method, {2015: 50.0, 2020: 100.0}, target_value=100, **INCREASE)
    assert outcome.status == "substantial_progress"
    outcome = assess_series(method, {2015: 30.0, 2020: 10.0}, target_value=10, **DECREASE)
    assert outcome.status == "substantial_progress"


@pytest.mark.parametrize("method", ["unsd", "unsd-cr"])
def test_base_met_target_but_latest_fell_back_is_deterioration(
    assess_series: Assess, method: str
) -> None:
    outcome = assess_series(method, {2015: 60.0, 2020: 40.0}, target_value=50, **INCREASE)
    assert outcome.status == "deterioration"


@pytest.mark.parametrize("method", ["unsd", "unsd-cr"])
@pytest.mark.parametrize(
    ("series", "target", "columns"),
    [
        ({2015: 0.0, 2020: 5.0}, 10.0, INCREASE),
        ({2015: 5.0, 2020: -1.0}, 10.0, INCREASE),
        ({2015: 5.0, 2020: 6.0}, -1.0, DECREASE),
    ],
)
def test_non_positive_values_are_blank(
    assess_series: Assess,
    method: str,
    series: dict[int, float],
    target: float,
    columns: dict[str, int],
) -> None:
    outcome = assess_series(method, series, target_value=target, **columns)
    assert outcome.reason == "value_not_positive"


@pytest.mark.parametrize("method", ["unsd", "unsd-cr"])
def test_base_year_rules(assess_series: Assess, method: str) -> None:
    before = assess_series(method, {2012: 50.0, 2014: 60.0}, target_value=100, **INCREASE)
    assert before.reason == "no_value_since_base_year"
    single = assess_series(method, {2014: 50.0, 2016: 60.0}, target_value=100, **INCREASE)
    assert single.reason == "latest_year_not_after_base_year"


def test_projection_needs_a_target_year_after_the_latest_year(assess_series: Assess) -> None:
    outcome = assess_series(
        "unsd", {2015: 50.0, 2030: 60.0}, target_value=100, target_year=2030, **INCREASE
    )
    assert outcome.reason == "target_year_not_after_latest_year"
    # The CR variant only needs the target year after the base year.
    outcome = assess_series(
        "unsd-cr", {2015: 50.0, 2030: 60.0}, target_value=100, target_year=2030, **INCREASE
    )
    assert outcome.status == "limited_or_no_progress"
