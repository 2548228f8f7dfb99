"""Rules 5, 7 and 8 at ties that hold in decimals but not in binary floating point.

Each case is computed by hand in decimals; the binary value the engine would reach
without slack is given beside it.
"""

from __future__ import annotations

import pytest

# Higher is better with the midpoint (0.2 + 0.1) / 2 = 0.15 (binary 0.15000000000000002).
MID_HIGHER = {"indicator": "a", "goal": 1, "best": 1, "worst": 0, "green": 0.2, "red": 0.1}
# Lower is better, the same midpoint.
MID_LOWER = {"indicator": "b", "goal": 2, "best": 0, "worst": 1, "green": 0.1, "red": 0.2}
# Goal 3: worst 0, red 50, green 80, best 100.
P = {"indicator": "p", "goal": 3, "best": 100, "worst": 0, "green": 80, "red": 50}
Q = {**P, "indicator": "q"}
# Goal 4, one indicator for trends (score = value, green score 80).
T = {**P, "indicator": "t", "goal": 4}
T_STRICT = {**T, "indicator": "ts", "goal": 5, "trend_on_track_pace": 2}

OBSERVATIONS = [
    ("x", "a", 2025, 0.15),
    ("x", "b", 2025, 0.15),
    ("just_below", "a", 2025, 0.1499999),
    ("just_below", "b", 2025, 0.1500001),
    # 0–3 values 0.5 / 50 = 0.01 and 2 + 19.8 / 20 = 2.99 average 1.5 (binary 1.4999999999999998).
    ("x", "p", 2025, 0.5),
    ("x", "q", 2025, 99.8),
    # 0.01 and 2.989 average 1.4995: orange.
    ("just_below", "p", 2025, 0.5),
    ("just_below", "q", 2025, 99.78),
    # (50.3 - 20.6) / 5 = 5.94 a year; needed (80 - 50.3) / 5 = 5.94 (binary, the pace
    # 5.9399999999999995 against 5.94).
    ("x", "t", 2020, 20.6),
    ("x", "t", 2025, 50.3),
    # 5.92 a year against 5.94 needed, above half of it: moderately improving.
    ("just_below", "t", 2020, 20.7),
    ("just_below", "t", 2025, 50.3),
    # On track needs twice the pace needed: (80 - 53.9) / 5 = 5.22 needed, so 10.44 a
    # year; 1.7 → 53.9 is exactly 10.44 (binary 10.44 against 10.440000000000001).
    ("x", "ts", 2020, 1.7),
    ("x", "ts", 2025, 53.9),
]


@pytest.fixture(scope="module", params=["one year", "many years"])
def scored(score_case, request):
    years = [2025] if request.param == "one year" else [2024, 2025]
    return score_case(
        [MID_HIGHER, MID_LOWER, P, Q, T, T_STRICT], OBSERVATIONS, years=years, coverage=0
    )


# b's midpoint rounds the other way (binary -0.15 is as good as -0.15000000000000002):
# it checks that the slack keeps the direction.
@pytest.mark.parametrize("indicator", ["a", "b"])
def test_a_value_at_the_midpoint_is_yellow_in_either_direction(scored, indicator):
    assert scored.indicator("x", indicator, as_of=2025)["colour"] == "yellow"
    assert scored.indicator("x", indicator, as_of=2025)["dashboard_value"] == pytest.approx(1.5)
    assert scored.indicator("just_below", indicator, as_of=2025)["colour"] == "orange"


def test_two_lowest_values_averaging_exactly_one_and_a_half_make_the_goal_yellow(scored):
    assert scored.goal("x", 3, as_of=2025)["colour"] == "yellow"
    assert scored.goal("just_below", 3, as_of=2025)["colour"] == "orange"


def test_a_pace_equal_to_the_pace_needed_is_on_track(scored):
    assert scored.indicator("x", "t", as_of=2025)["trend"] == "on_track"
    assert scored.indicator("just_below", "t", as_of=2025)["trend"] == "moderately_improving"


def test_a_pace_equal_to_a_multiple_of_the_pace_needed_meets_it(scored):
    assert scored.indicator("x", "ts", as_of=2025)["trend"] == "on_track"
